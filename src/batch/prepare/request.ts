/**
 * One input record -> the body of one Batch API request, or the reason it
 * cannot be one. A JSONL line is a request body (`{"messages": [...]}`), a
 * bare list of chat messages, or an existing batch line (`{"custom_id",
 * "body", ...}`, whose body is taken); a text file becomes one user
 * message. The profile's model is filled in, and a line asking for another
 * model (or, as a batch line, another endpoint) is refused, since the Batch
 * API takes one model and one endpoint per file. Reasons
 * never quote the input: it may hold the very data being redacted.
 */
import type { PlanBatchProfile } from '../../plan/types.ts';

export type Body = Record<string, unknown>;
export type Built = { body: Body } | { reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What each endpoint's body must carry, and where an upper bound on output tokens is given. */
const ENDPOINTS: Record<string, { needs: string; check: (v: unknown) => boolean; describe: string; outputCap: readonly string[] }> = {
  '/v1/chat/completions': {
    needs: 'messages',
    check: (v) => Array.isArray(v) && v.length > 0 && v.every((m) => isObject(m) && typeof m.role === 'string'),
    describe: 'a non-empty list of messages, each with a role',
    outputCap: ['max_completion_tokens', 'max_tokens'],
  },
  '/v1/responses': {
    needs: 'input',
    check: (v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0),
    describe: 'a string or a non-empty list',
    outputCap: ['max_output_tokens'],
  },
  '/v1/completions': {
    needs: 'prompt',
    check: (v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0),
    describe: 'a string or a non-empty list',
    outputCap: ['max_tokens'],
  },
  '/v1/embeddings': {
    needs: 'input',
    check: (v) => typeof v === 'string' || (Array.isArray(v) && v.length > 0),
    describe: 'a string or a non-empty list',
    outputCap: [],
  },
};

/** Where V8 says a JSON text went wrong: only the position, never the text its message quotes. */
function parseFailure(e: unknown): string {
  const pos = /position (\d+)/.exec((e as Error).message);
  return pos ? `is not valid JSON (at character ${Number(pos[1]) + 1})` : 'is not valid JSON';
}

function fromValue(value: unknown, profile: PlanBatchProfile): Built {
  const spec = ENDPOINTS[profile.endpoint];
  if (!spec) return { reason: `endpoint ${profile.endpoint} is not supported` };
  let body: Body;
  if (Array.isArray(value)) {
    if (profile.endpoint !== '/v1/chat/completions' && profile.endpoint !== '/v1/responses')
      return { reason: `is a list, which is a request only for /v1/chat/completions or /v1/responses` };
    body = { model: profile.model, [spec.needs]: value };
  } else if (isObject(value)) {
    const batchLine = isObject(value.body) && typeof value.custom_id === 'string';
    // A line already in the Batch API's format keeps its body; its url must be the profile's, or it would be sent elsewhere.
    if (batchLine && value.url !== undefined && value.url !== profile.endpoint)
      return { reason: `asks for another endpoint than the profile's ${JSON.stringify(profile.endpoint)} (a batch runs one endpoint)` };
    body = batchLine ? (value.body as Body) : value;
  } else return { reason: 'is not a JSON object or list' };
  if (body.model === undefined) body = { model: profile.model, ...body };
  else if (body.model !== profile.model)
    return { reason: `asks for another model than the profile's ${JSON.stringify(profile.model)} (a batch runs one model)` };
  if (!spec.check(body[spec.needs])) return { reason: `needs "${spec.needs}": ${spec.describe}` };
  if (body.stream === true) return { reason: 'asks for a stream, which the Batch API does not run' };
  return { body };
}

export function buildFromJsonl(text: string, profile: PlanBatchProfile): Built {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { reason: parseFailure(e) };
  }
  return fromValue(value, profile);
}

export function buildFromText(text: string, profile: PlanBatchProfile): Built {
  switch (profile.endpoint) {
    case '/v1/chat/completions':
      return { body: { model: profile.model, messages: [{ role: 'user', content: text }] } };
    case '/v1/responses':
    case '/v1/embeddings':
      return { body: { model: profile.model, input: text } };
    case '/v1/completions':
      return { body: { model: profile.model, prompt: text } };
    default:
      return { reason: `endpoint ${profile.endpoint} is not supported` };
  }
}

/** The body's own bound on output tokens, or null when it sets none (embeddings produce none: 0). */
export function outputCap(body: Body, endpoint: string): number | null {
  const spec = ENDPOINTS[endpoint];
  if (!spec || spec.outputCap.length === 0) return 0;
  for (const k of spec.outputCap) {
    const v = body[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  }
  return null;
}

/** Embedding inputs a body carries (OpenAI caps them per batch), 0 for other endpoints. */
export function embeddingInputs(body: Body, endpoint: string): number {
  if (endpoint !== '/v1/embeddings') return 0;
  return Array.isArray(body.input) && body.input.length > 0 && typeof body.input[0] !== 'number' ? body.input.length : 1;
}
