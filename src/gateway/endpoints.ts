/**
 * The three OpenAI endpoints the gateway proxies, and what it checks in a
 * request body before routing: only what routing and the adapters rely on
 * (the model group, the shape of messages / prompt / input, stream flags,
 * token counts). Everything else travels to the provider untouched and is
 * the provider's to judge.
 */
import { type ApiError, badRequest } from './errors.ts';

export type EndpointKind = 'chat' | 'completions' | 'embeddings';

/** The path below a provider's OpenAI-style base URL. */
export const UPSTREAM_PATH: Record<EndpointKind, string> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
};

/** Longest model (group) name accepted: plan group names are short, anything longer is noise. */
const MAX_MODEL_LENGTH = 256;

type Body = Record<string, unknown>;

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

function optionalCount(body: Body, key: string, min: number): ApiError | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return badRequest(`'${key}' must be an integer >= ${min}.`, key);
  return null;
}

function checkMessages(v: unknown): ApiError | null {
  if (!Array.isArray(v) || v.length === 0) return badRequest("'messages' must be a non-empty array of messages.", 'messages');
  for (let i = 0; i < v.length; i++) {
    const m = v[i];
    if (!isObject(m) || typeof m.role !== 'string') return badRequest(`'messages[${i}]' must be an object with a string 'role'.`, `messages[${i}]`);
  }
  return null;
}

const nonEmptyInput = (v: unknown) => (typeof v === 'string' ? true : Array.isArray(v) && v.length > 0);

/** The checks of one endpoint's body; null when it may be routed. */
export function validateBody(kind: EndpointKind, body: unknown): ApiError | null {
  if (!isObject(body)) return badRequest('The request body must be a JSON object.');
  const model = body.model;
  if (typeof model !== 'string' || model === '') return badRequest("You must provide a model parameter: the model group's name.", 'model');
  if (model.length > MAX_MODEL_LENGTH) return badRequest(`'model' is longer than ${MAX_MODEL_LENGTH} characters.`, 'model');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') return badRequest("'stream' must be a boolean.", 'stream');
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!isObject(body.stream_options)) return badRequest("'stream_options' must be an object.", 'stream_options');
    if (body.stream !== true) return badRequest("'stream_options' is only allowed when 'stream' is true.", 'stream_options');
  }
  switch (kind) {
    case 'chat': {
      const bad = checkMessages(body.messages);
      if (bad) return bad;
      return optionalCount(body, 'max_tokens', 1) ?? optionalCount(body, 'max_completion_tokens', 1) ?? optionalCount(body, 'n', 1);
    }
    case 'completions':
      if (!nonEmptyInput(body.prompt)) return badRequest("'prompt' must be a string or a non-empty array.", 'prompt');
      return optionalCount(body, 'max_tokens', 0) ?? optionalCount(body, 'n', 1);
    case 'embeddings':
      if (!nonEmptyInput(body.input)) return badRequest("'input' must be a string or a non-empty array.", 'input');
      if (body.stream === true) return badRequest('Embeddings cannot be streamed.', 'stream');
      return null;
  }
}

/** The most output tokens the request may produce, as the client capped it (legacy completions default to 16, as OpenAI's). */
export function maxOutputTokens(kind: EndpointKind, body: Body): number | undefined {
  if (kind === 'embeddings') return 0;
  const v = kind === 'chat' ? (body.max_completion_tokens ?? body.max_tokens) : (body.max_tokens ?? 16);
  return typeof v === 'number' ? v : undefined;
}

/**
 * Input tokens before the provider counts them: a quarter of the body's
 * bytes (about four bytes a token for English text in JSON), an
 * overestimate for the JSON punctuation around the text. Used for context
 * windows, token limits and the budget check; spend uses the provider's
 * counts.
 */
export const estimateInputTokens = (bodyBytes: number): number => Math.ceil(bodyBytes / 4);

/** True when a streaming client asked for the final usage chunk. */
export const wantsUsage = (body: Body): boolean => isObject(body.stream_options) && body.stream_options.include_usage === true;
