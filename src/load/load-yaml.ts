/**
 * YAML and JSON policies: parsed with the yaml library (JSON is read by it too,
 * for its node ranges), checked against the committed JSON Schema with ajv,
 * then parsed with zod for defaults and the refinements JSON Schema cannot
 * express. A problem both report is reported once, by ajv, in zod's words
 * when zod has better ones.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.ts';
import { hasErrors } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { parsePath } from '../diagnostics/path.ts';
import type { Policy } from '../model/policy.ts';
import { ajvErrorsToDiagnostics } from './ajv-diagnostics.ts';
import { parseDataText } from './data-text.ts';
import { displayPath, inputFileDiagnostic } from './entry.ts';
import { InputFileError, MAX_POLICY_FILE_BYTES, readInputFile } from '../fs/input-file.ts';
import { validatePolicy } from './validate.ts';

export interface DataPolicyResult {
  policy?: Policy;
  diagnostics: Diagnostic[];
  locate?: (path: Path) => SourceLocation;
}

const SCHEMA_URL = new URL('../../schemas/policy.schema.json', import.meta.url);
let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  // Formats are left to zod (it checks URLs), so ajv needs no format plugin.
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true, validateFormats: false }).compile(
    JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object,
  );
  return validator;
}

export function loadDataPolicy(file: string, kind: 'yaml' | 'json'): DataPolicyResult {
  const shown = displayPath(file);
  let text: string;
  try {
    text = readInputFile(file, { maxBytes: MAX_POLICY_FILE_BYTES, what: 'policy file' });
  } catch (err) {
    if (err instanceof InputFileError) return { diagnostics: [inputFileDiagnostic(err)] };
    throw err;
  }

  const parsed = parseDataText(text, kind, shown);
  if ('diagnostics' in parsed) return parsed;
  const { value, locate } = parsed;
  const validate = schemaValidator();
  const schemaDiagnostics = validate(value) ? [] : ajvErrorsToDiagnostics(validate.errors ?? [], value);
  const zod = validatePolicy(value);
  const diagnostics = mergeDiagnostics(schemaDiagnostics, zod.diagnostics).map((d) => ({ ...d, source: d.source ?? locate(parsePath(d.path)) }));
  return hasErrors(diagnostics) ? { diagnostics, locate } : { policy: zod.policy!, diagnostics, locate };
}

/**
 * ajv's findings first, in zod's words where zod says the same thing at the
 * same path; then zod's findings that ajv could not have made (refinements,
 * URL formats). Anything zod found inside a value ajv already rejected is a
 * consequence of that, not a second problem.
 */
function mergeDiagnostics(schema: readonly Diagnostic[], zod: readonly Diagnostic[]): Diagnostic[] {
  const out = schema.map((d) => {
    const same = zod.find((z) => z.path === d.path && z.code === d.code);
    return same ? { ...d, message: same.message, ...(same.hint || d.hint ? { hint: same.hint ?? d.hint } : {}) } : d;
  });
  const covered = (path: string) => schema.some((d) => d.path === path || path.startsWith(`${d.path}.`) || path.startsWith(`${d.path}[`) || d.path === '');
  for (const z of zod) {
    // A credential is reported wherever it sits, even inside a value the schema rejected for another reason.
    const secret = z.code === 'literal-secret' && !out.some((d) => d.code === z.code && d.path === z.path);
    if (secret || !covered(z.path)) out.push(z);
  }
  return out;
}
