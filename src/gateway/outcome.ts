/**
 * What a failed route means for the client, from the router's trace: a
 * tenant limit is a 429; nothing callable (open circuits, deployment limits)
 * a 503; every call failed a 502, or a 504 when every call timed out; a
 * request no context window can hold a 400. The message names what was
 * tried and why each candidate failed or was skipped.
 */
import { monthOf } from '../runtime/windows.ts';
import type { Attempt, RouteResult } from '../runtime/types.ts';
import { type ApiError, quoted, tenantLimited } from './errors.ts';

/** The earliest a sliding rpm/tpm window can free room: one of its buckets (runtime/windows.ts: 60 s in 20 buckets). */
const TENANT_WINDOW_RETRY_S = 3;

/** Seconds until the next UTC month, when a monthly budget starts again. */
export function secondsToNextMonth(now: number): number {
  const m = monthOf(now) + 1;
  return Math.max(1, Math.ceil((Date.UTC(Math.floor(m / 12), m % 12, 1) - now) / 1000));
}

const MAX_LISTED = 12;

/** `openai-gpt-4o (http-5xx 503, http-5xx 503), azure-eastus-gpt-4o (circuit-open)`: each candidate in trace order with what happened. */
export function triedSummary(trace: readonly Attempt[]): string {
  const byDeployment = new Map<string, string[]>();
  for (const a of trace) {
    if (a.deployment === null) continue;
    const what = a.outcome === 'skipped' ? `${a.reason}` : a.outcome === 'ok' ? 'ok' : `${a.reason}${a.status !== null ? ` ${a.status}` : ''}`;
    const key = `${a.group}/${a.deployment}`;
    const list = byDeployment.get(key);
    if (list) list.push(what);
    else byDeployment.set(key, [what]);
  }
  const parts = [...byDeployment].map(([d, what]) => `${d} (${what.join(', ')})`);
  if (parts.length > MAX_LISTED) return `${parts.slice(0, MAX_LISTED).join(', ')} and ${parts.length - MAX_LISTED} more`;
  return parts.join(', ');
}

/**
 * The client's error for a route that did not succeed (not for one the
 * client cancelled). `shed`: calls the gateway itself refused because the
 * deployment's queue was full (upstream/slots.ts); when every failed call
 * was one, the answer is 503 (saturated, retry shortly), not a provider failure.
 */
export function routeFailure(result: RouteResult, group: string, tenant: string, now: number, shed = 0): ApiError {
  const trace = result.trace;
  const first = trace[0];
  if (first && first.deployment === null && (first.reason === 'tenant-rpm' || first.reason === 'tenant-tpm'))
    return tenantLimited(first.reason, tenant, TENANT_WINDOW_RETRY_S);
  const calls = trace.filter((a) => a.outcome === 'error');
  const candidates = trace.filter((a) => a.deployment !== null);
  if (calls.length === 0) {
    if (candidates.length > 0 && candidates.every((a) => a.reason === 'tenant-budget')) return tenantLimited('tenant-budget', tenant, secondsToNextMonth(now));
    if (candidates.length > 0 && candidates.every((a) => a.reason === 'context-too-small'))
      return {
        status: 400,
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
        param: 'messages',
        message: `The request does not fit the context window of any deployment of model ${quoted(group)} or its fallbacks; shorten the messages or lower max_tokens.`,
        rejected: 'bad_request',
      };
    return {
      status: 503,
      type: 'server_error',
      code: 'no_deployment_available',
      param: null,
      message: `No deployment of model ${quoted(group)} or its fallbacks could take the request: ${triedSummary(trace) || 'no candidate'}.`,
      retryAfterS: 1,
    };
  }
  if (shed > 0 && shed >= calls.length)
    return {
      status: 503,
      type: 'server_error',
      code: 'deployment_saturated',
      param: null,
      message: `Every deployment of model ${quoted(group)} and its fallbacks is at its concurrency limit with a full queue; retry shortly.`,
      retryAfterS: 1,
    };
  const timedOut = calls.every((a) => a.reason === 'timeout');
  return {
    status: timedOut ? 504 : 502,
    type: 'server_error',
    code: timedOut ? 'upstream_timeout' : 'upstream_failed',
    param: null,
    message: `Every deployment tried for model ${quoted(group)} failed${timedOut ? ' (timed out)' : ''}: ${triedSummary(trace)}.`,
  };
}

/** The deployment that answered, or the last one called. */
export function lastDeployment(result: RouteResult): Attempt | null {
  for (let i = result.trace.length - 1; i >= 0; i--) {
    const a = result.trace[i]!;
    if (a.outcome !== 'skipped') return a;
  }
  return null;
}
