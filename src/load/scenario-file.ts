/**
 * Reading a simulation scenario file (YAML or JSON): at most
 * MAX_SCENARIO_BYTES, parsed with the same source mapping as YAML policies
 * and checked against the committed schemas/scenario.schema.json with ajv,
 * so every problem is reported at file:line:col. What the value means for a
 * given plan (unknown providers, windows past the end) is the simulator's
 * to check (src/simulate/scenario-file.ts); the CLI locates those too.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { Diagnostic, SourceLocation } from '../diagnostics/diagnostic.ts';
import { diagnostic } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { parsePath } from '../diagnostics/path.ts';
import { ajvErrorsToDiagnostics } from './ajv-diagnostics.ts';
import { parseDataText } from './data-text.ts';
import { displayPath } from './entry.ts';

const MAX_SCENARIO_BYTES = 1024 * 1024;

const SCHEMA_URL = new URL('../../schemas/scenario.schema.json', import.meta.url);
let validator: ValidateFunction | undefined;

export function scenarioValidator(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true, validateFormats: false }).compile(
    JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object,
  );
  return validator;
}

export interface ScenarioFileResult {
  /** Valid against the schema when there is no diagnostic. */
  value?: unknown;
  diagnostics: Diagnostic[];
  locate?: (path: Path) => SourceLocation;
}

/** Reads at most `limit` bytes; more is an error (a scenario is a page of YAML, not a data dump). */
function readLimited(file: string, limit: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(limit + 1);
    let n = 0;
    for (let got = 1; got > 0 && n <= limit; n += got) got = readSync(fd, buf, n, limit + 1 - n, null);
    if (n > limit) throw Object.assign(new Error('too large'), { code: `larger than ${limit} bytes` });
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function loadScenarioFile(file: string): ScenarioFileResult {
  const shown = displayPath(file);
  const kind = /\.json$/i.test(file) ? 'json' : 'yaml';
  let text: string;
  try {
    text = readLimited(file, MAX_SCENARIO_BYTES);
  } catch (err) {
    return {
      diagnostics: [diagnostic('error', 'scenario-unreadable', `Cannot read scenario ${shown}: ${(err as NodeJS.ErrnoException).code ?? String(err)}.`, '')],
    };
  }
  const parsed = parseDataText(text, kind, shown);
  if ('diagnostics' in parsed) return parsed;
  const { value, locate } = parsed;
  const validate = scenarioValidator();
  if (validate(value)) return { value, diagnostics: [], locate };
  const diagnostics = ajvErrorsToDiagnostics(validate.errors ?? [], value).map((d) => ({ ...d, source: d.source ?? locate(parsePath(d.path)) }));
  return { diagnostics, locate };
}
