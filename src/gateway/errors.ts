/**
 * Errors as the gateway's clients see them: OpenAI's envelope
 * `{"error": {"message", "type", "param", "code"}}` (all four keys, param and
 * code nullable), so every OpenAI SDK maps them to its usual exception
 * classes. Messages are built from what the gateway knows (group, tenant,
 * deployment ids, limits); never from a key, a secret or an upstream body.
 */

export interface ApiError {
  status: number;
  type: string;
  code: string | null;
  message: string;
  param: string | null;
  /** Seconds, sent as Retry-After (429 and 503). */
  retryAfterS?: number;
  /** Why, as a `switchyard_rejected_requests_total` reason, when the request was refused before or instead of routing. */
  rejected?: RejectReason;
}

export type RejectReason =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'unknown_model'
  | 'too_large'
  | 'tenant_rpm'
  | 'tenant_tpm'
  | 'tenant_budget'
  | 'overloaded';

/** A message is one line of bounded length whatever the input it quotes. */
const MAX_MESSAGE = 1_000;
const oneLine = (s: string) => {
  const flat = s.replace(/[\r\n\t]+/g, ' ');
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
};

/** Quotes a client-supplied string for a message: JSON-escaped and cut short. */
export function quoted(s: string, max = 80): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

export function errorBody(e: ApiError): string {
  return JSON.stringify({ error: { message: oneLine(e.message), type: e.type, param: e.param, code: e.code } });
}

const invalid = (status: number, message: string, code: string | null, param: string | null = null, rejected?: RejectReason): ApiError => ({
  status,
  type: 'invalid_request_error',
  code,
  message,
  param,
  ...(rejected ? { rejected } : {}),
});

export const badRequest = (message: string, param: string | null = null): ApiError => invalid(400, message, null, param, 'bad_request');

export const malformedJson = (): ApiError =>
  invalid(400, 'We could not parse the JSON body of your request. The body must be a JSON object (Content-Type: application/json).', null, null, 'bad_request');

export const unauthorized = (given: boolean): ApiError =>
  invalid(
    401,
    given
      ? 'Incorrect API key provided. Use the key of a tenant of this gateway as "Authorization: Bearer <key>".'
      : 'You didn\'t provide an API key. Send it as "Authorization: Bearer <key>".',
    'invalid_api_key',
    null,
    'unauthorized',
  );

export const forbiddenGroup = (group: string, tenant: string): ApiError => ({
  ...invalid(403, `Tenant ${quoted(tenant)} may not use model ${quoted(group)}.`, 'model_not_allowed', 'model', 'forbidden'),
  type: 'permission_error',
});

export const unknownModel = (model: string): ApiError =>
  invalid(404, `The model ${quoted(model)} does not exist: it is not a model group of this gateway's plan.`, 'model_not_found', 'model', 'unknown_model');

export const tooLarge = (limit: number): ApiError =>
  invalid(413, `Request body too large: the limit is ${limit} bytes.`, 'request_too_large', null, 'too_large');

export const notFound = (method: string, path: string): ApiError => invalid(404, `Unknown request URL: ${method} ${quoted(path, 200)}.`, 'unknown_url');

export const methodNotAllowed = (method: string, path: string, allowed: string): ApiError =>
  invalid(405, `Method ${method} is not allowed on ${quoted(path, 200)}; use ${allowed}.`, 'method_not_allowed');

export function tenantLimited(reason: 'tenant-rpm' | 'tenant-tpm' | 'tenant-budget', tenant: string, retryAfterS: number): ApiError {
  if (reason === 'tenant-budget')
    return {
      status: 429,
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      param: null,
      message: `Tenant ${quoted(tenant)} has spent its monthly budget: no deployment of this model fits what is left.`,
      retryAfterS,
      rejected: 'tenant_budget',
    };
  const what = reason === 'tenant-rpm' ? 'requests' : 'tokens';
  return {
    status: 429,
    type: what,
    code: 'rate_limit_exceeded',
    param: null,
    message: `Rate limit reached for tenant ${quoted(tenant)} on ${what} per minute. Please try again in ${retryAfterS}s.`,
    retryAfterS,
    rejected: reason === 'tenant-rpm' ? 'tenant_rpm' : 'tenant_tpm',
  };
}

export const internalError = (): ApiError => ({
  status: 500,
  type: 'server_error',
  code: null,
  param: null,
  message: 'The gateway had an internal error while processing your request.',
});

export const shuttingDown = (): ApiError => ({
  status: 503,
  type: 'server_error',
  code: 'shutting_down',
  param: null,
  message: 'The gateway is shutting down; retry on another instance.',
  retryAfterS: 1,
});

export const overloaded = (): ApiError => ({
  status: 503,
  type: 'server_error',
  code: 'overloaded',
  param: null,
  message: 'The gateway is handling as many requests as it may at once; retry shortly.',
  retryAfterS: 1,
  rejected: 'overloaded',
});
