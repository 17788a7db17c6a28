/**
 * What the Batch API checks while a batch is `validating`: every line is
 * JSON with a unique custom_id, method POST, the batch's endpoint as url, a
 * body, and one model for the whole file; at most 50,000 lines. Failures
 * become the batch's `errors.data` with 1-based line numbers. The codes are
 * those reported by third parties (wire README, "Not confirmed" 22).
 */
const MAX_REQUESTS_PER_FILE = 50_000;
const MAX_REPORTED = 100;

export interface LineError {
  code: string;
  message: string;
  param: string | null;
  line: number | null;
}

export interface ParsedRequest {
  customId: string;
  body: Record<string, unknown>;
}

export type Validation = { ok: true; requests: ParsedRequest[]; model: string | null } | { ok: false; errors: LineError[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateInput(content: Buffer, endpoint: string): Validation {
  const errors: LineError[] = [];
  const add = (code: string, message: string, line: number | null, param: string | null = null) => {
    if (errors.length < MAX_REPORTED) errors.push({ code, message, param, line });
  };
  const lines = content.toString('utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return { ok: false, errors: [{ code: 'empty_file', message: 'The input file is empty.', param: null, line: null }] };
  if (lines.length > MAX_REQUESTS_PER_FILE)
    add('too_many_tasks', `The input file has ${lines.length} requests; a batch takes at most ${MAX_REQUESTS_PER_FILE}.`, null);
  const seen = new Set<string>();
  const requests: ParsedRequest[] = [];
  let model: string | null = null;
  lines.forEach((text, i) => {
    const line = i + 1;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      add('invalid_json_line', 'This line is not parseable as valid JSON.', line);
      return;
    }
    if (!isObject(v)) return add('invalid_json_line', 'This line is not a JSON object.', line);
    if (typeof v.custom_id !== 'string' || v.custom_id === '') return add('missing_required_parameter', 'Missing custom_id.', line, 'custom_id');
    if (seen.has(v.custom_id)) return add('duplicate_custom_id', `The custom_id '${v.custom_id}' is used more than once.`, line, 'custom_id');
    seen.add(v.custom_id);
    if (v.method !== 'POST') return add('invalid_method', 'Only POST requests are supported.', line, 'method');
    if (v.url !== endpoint) return add('url_mismatch', `The url must be the batch endpoint ${endpoint}.`, line, 'url');
    if (!isObject(v.body)) return add('missing_required_parameter', 'Missing body.', line, 'body');
    const m = typeof v.body.model === 'string' ? v.body.model : null;
    if (m === null) return add('missing_required_parameter', 'Missing body.model.', line, 'body.model');
    if (model !== null && m !== model) return add('model_mismatch', 'All requests in a batch must use the same model.', line, 'body.model');
    model = m;
    requests.push({ customId: v.custom_id, body: v.body });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, requests, model };
}
