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
import { LineCounter, parseDocument } from 'yaml';
import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.ts';
import { diagnostic, hasErrors } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { parsePath } from '../diagnostics/path.ts';
import type { Policy } from '../model/policy.ts';
import { ajvErrorsToDiagnostics } from './ajv-diagnostics.ts';
import { displayPath, inputFileDiagnostic } from './entry.ts';
import { InputFileError, MAX_POLICY_FILE_BYTES, readInputFile } from '../fs/input-file.ts';
import { lineColumnAt } from './import-graph.ts';
import { sentence } from './messages.ts';
import { validatePolicy } from './validate.ts';
import { locateInYaml } from './yaml-source-map.ts';

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

/** Alias expansions a YAML policy may make: a real policy makes a handful, an "alias bomb" billions. */
const MAX_ALIAS_COUNT = 1000;

export function loadDataPolicy(file: string, kind: 'yaml' | 'json'): DataPolicyResult {
  const shown = displayPath(file);
  let text: string;
  try {
    text = readInputFile(file, { maxBytes: MAX_POLICY_FILE_BYTES, what: 'policy file' });
  } catch (err) {
    if (err instanceof InputFileError) return { diagnostics: [inputFileDiagnostic(err)] };
    throw err;
  }

  // A .json file must be JSON (YAML would also accept comments and trailing
  // commas), and JSON.parse is many times faster than building a YAML
  // document, which is only needed to locate a problem.
  let jsonValue: unknown;
  if (kind === 'json') {
    try {
      jsonValue = JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      // V8 names the position only for some errors; the YAML parser (JSON is YAML) finds it for the rest.
      const at = /at position (\d+)/.exec(message)?.[1];
      const offset = at !== undefined ? Number(at) : (parseDocument(text).errors[0]?.pos[0] ?? 0);
      // V8 quotes the text around the error; it may be a pasted secret, so only the kind of error is kept.
      const text0 = message.replace(/ in JSON at position \d+.*$/, '').replace(/, .*is not valid JSON$/s, '');
      return {
        diagnostics: [diagnostic('error', 'syntax-error', sentence(`Syntax error: ${text0}`), '', { source: { file: shown, ...lineColumnAt(text, offset) } })],
      };
    }
  }

  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument> | undefined;
  const document = () => (doc ??= parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true }));
  if (kind === 'yaml') {
    const syntax = document().errors[0];
    if (syntax) {
      const { line, col } = lineCounter.linePos(syntax.pos[0]);
      return {
        diagnostics: [diagnostic('error', 'syntax-error', sentence(`Syntax error: ${syntax.message}`), '', { source: { file: shown, line, column: col } })],
      };
    }
  }

  const locate = (path: Path) => locateInYaml(document(), lineCounter, path, shown);
  let value: unknown = jsonValue;
  if (kind === 'yaml') {
    try {
      value = document().toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // the yaml library stops a "billion laughs" document instead of expanding it
      if (!/alias/i.test((err as Error).message)) throw err;
      return {
        diagnostics: [
          diagnostic('error', 'yaml-alias-limit', `The document expands its aliases more than ${MAX_ALIAS_COUNT} times; write the values out.`, '', {
            source: { file: shown, line: 1, column: 1 },
          }),
        ],
      };
    }
  }
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
