/**
 * A transport that calls nothing: every deployment answers at once with the
 * request's token estimates, except those named down, which answer 503. Used
 * by `switchyard explain` so that it runs the router's own code path.
 */
import type { Transport, TransportResult } from './types.ts';

export function dryRunTransport(down: Iterable<string> = [], latencyMs = 0): Transport {
  const failing = new Set(down);
  const unavailable: TransportResult = { ok: false, kind: 'http', status: 503, latencyMs };
  return {
    call: async (deployment, request) =>
      failing.has(deployment.id)
        ? unavailable
        : { ok: true, latencyMs, usage: { inputTokens: request.estimatedInputTokens, outputTokens: request.maxOutputTokens ?? 0 } },
  };
}
