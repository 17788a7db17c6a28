/**
 * The simulated Transport the real router calls: each deployment is either a
 * hosted endpoint (hosted.ts) or a path to a vLLM engine (engine.ts), under
 * the scenario's conditions at the moment the call starts. The answer comes
 * back through the event loop at the time it would arrive; an attempt that
 * would outlast the router's timeout ends at the timeout instead (and aborts
 * its engine sequence, as a disconnecting client does).
 */
import type { PlanDeployment } from '../plan/types.ts';
import type { Random, RouteRequest, Transport, TransportResult } from '../runtime/types.ts';
import { Conditions } from './conditions.ts';
import type { Engine } from './engine.ts';
import type { EventLoop } from './event-loop.ts';
import type { HostedEndpoint } from './hosted.ts';
import * as random from './random.ts';
import type { Lognormal } from './random.ts';

const { lognormalFromPercentiles, sampleLognormal } = random;

/** A refused connection fails this fast. */
export const CONNECTION_REFUSED_MS = 1;
/** A vLLM server that answers an error (its own, or an outage's 503) does so this fast. */
export const ENGINE_ERROR_MS = 5;

export type Endpoint = { kind: 'hosted'; hosted: HostedEndpoint } | { kind: 'engine'; engine: Engine; random: Random };

const timeout = (timeoutMs: number): TransportResult => ({ ok: false, kind: 'timeout', latencyMs: timeoutMs });
const status = (s: number, latencyMs: number, retryAfterMs?: number): TransportResult =>
  retryAfterMs === undefined ? { ok: false, kind: 'http', status: s, latencyMs } : { ok: false, kind: 'http', status: s, latencyMs, retryAfterMs };

export class SimTransport implements Transport {
  constructor(
    private readonly loop: EventLoop,
    private readonly endpoints: ReadonlyMap<string, Endpoint>,
    private readonly conditions: Conditions,
    private readonly start: number,
  ) {}

  call(d: PlanDeployment, request: RouteRequest, opts: { timeoutMs: number }): Promise<TransportResult> {
    const loop = this.loop;
    const ep = this.endpoints.get(d.id);
    loop.park();
    return new Promise<TransportResult>((resolve) => {
      const answer = (after: number, r: TransportResult) =>
        loop.at(loop.now() + after, () => {
          loop.unpark();
          resolve(r);
        });
      if (ep === undefined) return void answer(CONNECTION_REFUSED_MS, { ok: false, kind: 'connection', latencyMs: CONNECTION_REFUSED_MS });
      const t = loop.now() - this.start;
      const input = request.estimatedInputTokens;
      const output = request.maxOutputTokens ?? 0;
      const c = this.conditions.of(d.id);
      const outage = c === null ? null : Conditions.outage(c, t);
      const errorRate = c === null ? null : Conditions.errorRate(c, t);
      const limit = opts.timeoutMs;
      const within = (latencyMs: number, r: TransportResult) => (latencyMs > limit ? answer(limit, timeout(limit)) : answer(latencyMs, r));

      if (outage === 'connection') return void answer(CONNECTION_REFUSED_MS, { ok: false, kind: 'connection', latencyMs: CONNECTION_REFUSED_MS });
      if (outage === 'timeout') return void answer(limit, timeout(limit));

      if (ep.kind === 'hosted') {
        const h = ep.hosted;
        const latency = c === null ? h.latency : effectiveLatency(h.latency, Conditions.latency(c, t));
        if (outage === 'error') {
          const ms = sampleLognormal(h.random, latency);
          return void within(ms, status(503, ms));
        }
        const a = h.answer(loop.now(), input + output, latency, errorRate ?? h.errorRate);
        if (a.kind === 'http-429') return void within(a.latencyMs, status(429, a.latencyMs, a.retryAfterMs));
        if (a.kind === 'error-503') return void within(a.latencyMs, status(503, a.latencyMs));
        return void within(a.latencyMs, { ok: true, latencyMs: a.latencyMs, usage: { inputTokens: input, outputTokens: output } });
      }

      if (outage === 'error' || (errorRate !== null && errorRate > 0 && ep.random() < errorRate))
        return void within(ENGINE_ERROR_MS, status(503, ENGINE_ERROR_MS));
      const began = loop.now();
      let settled = false;
      let limitEvent: ReturnType<EventLoop['at']> | null = null;
      const job = ep.engine.submit(input, output, () => {
        if (settled) return;
        settled = true;
        if (limitEvent) limitEvent.cancelled = true;
        loop.unpark();
        const latencyMs = loop.now() - began;
        resolve({ ok: true, latencyMs, usage: { inputTokens: input, outputTokens: output } });
      });
      // vLLM answers 400 to a request longer than its context.
      if (job === null) return void answer(ENGINE_ERROR_MS, status(400, ENGINE_ERROR_MS));
      if (settled) return;
      limitEvent = loop.at(began + limit, () => {
        if (settled) return;
        settled = true;
        ep.engine.abort(job);
        loop.unpark();
        resolve(timeout(limit));
      });
    });
  }
}

/** The latency in force: an event's own percentiles, or the base scaled by its multiplier. */
export function effectiveLatency(base: Lognormal, e: { multiplier: number | null; p50Ms: number | null; p95Ms: number | null } | undefined): Lognormal {
  if (e === undefined) return base;
  if (e.p50Ms !== null) return lognormalFromPercentiles(e.p50Ms, e.p95Ms ?? e.p50Ms * Math.exp(base.sigma * random.Z95));
  return { median: base.median * (e.multiplier ?? 1), sigma: base.sigma };
}
