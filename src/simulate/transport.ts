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
import type { Engine, FirstTokenListener, Job } from './engine.ts';
import { type EventLoop, TimedEvent } from './event-loop.ts';
import type { HostedEndpoint } from './hosted.ts';
import * as random from './random.ts';
import type { Lognormal } from './random.ts';

const { lognormalFromPercentiles, sampleLognormal } = random;

/** A refused connection fails this fast. */
const CONNECTION_REFUSED_MS = 1;
/** A vLLM server that answers an error (its own, or an outage's 503) does so this fast. */
const ENGINE_ERROR_MS = 5;

export type Endpoint = { kind: 'hosted'; hosted: HostedEndpoint } | { kind: 'engine'; engine: Engine; random: Random };

const timeout = (timeoutMs: number): TransportResult => ({ ok: false, kind: 'timeout', latencyMs: timeoutMs });
const REFUSED: TransportResult = { ok: false, kind: 'connection', latencyMs: CONNECTION_REFUSED_MS };
const status = (s: number, latencyMs: number, retryAfterMs?: number): TransportResult =>
  retryAfterMs === undefined ? { ok: false, kind: 'http', status: s, latencyMs } : { ok: false, kind: 'http', status: s, latencyMs, retryAfterMs };

/** The answer to one call, due when it would arrive: one event object, no closure. */
class Reply extends TimedEvent {
  constructor(
    private readonly loop: EventLoop,
    private readonly resolve: (r: TransportResult) => void,
    private readonly result: TransportResult,
  ) {
    super();
  }
  fire(): void {
    this.loop.unpark();
    this.resolve(this.result);
  }
}

/** A call to a vLLM engine: answered at its first token, or at the router's timeout (which aborts the sequence), whichever comes first. */
class EngineCall extends TimedEvent implements FirstTokenListener {
  // Assigned in the constructor, not as field initializers (see TimedEvent).
  declare job: Job | null;
  declare private settled: boolean;
  constructor(
    private readonly loop: EventLoop,
    private readonly engine: Engine,
    private readonly resolve: (r: TransportResult) => void,
    private readonly began: number,
    private readonly usage: { inputTokens: number; outputTokens: number },
    private readonly limit: number,
  ) {
    super();
    this.job = null;
    this.settled = false;
  }
  firstToken(): void {
    if (this.settled) return;
    this.settled = true;
    this.cancelled = true;
    this.loop.unpark();
    this.resolve({ ok: true, latencyMs: this.loop.now() - this.began, usage: this.usage });
  }
  /** The deadline. */
  fire(): void {
    if (this.settled) return;
    this.settled = true;
    this.engine.abort(this.job!);
    this.loop.unpark();
    this.resolve(timeout(this.limit));
  }
}

// The promise executor is one shared function that hands its resolve over
// through this variable (it runs synchronously inside new Promise), so a call
// does not allocate a closure to learn its resolve.
let captured: ((r: TransportResult) => void) | null = null;
const capture = (resolve: (r: TransportResult) => void): void => {
  captured = resolve;
};

export class SimTransport implements Transport {
  constructor(
    private readonly loop: EventLoop,
    private readonly endpoints: ReadonlyMap<string, Endpoint>,
    private readonly conditions: Conditions,
    private readonly start: number,
  ) {}

  call(d: PlanDeployment, request: RouteRequest, opts: { timeoutMs: number }): Promise<TransportResult> {
    const promise = new Promise<TransportResult>(capture);
    const resolve = captured!;
    captured = null;
    this.loop.park();
    this.dispatch(d, request, opts.timeoutMs, resolve);
    return promise;
  }

  /** The answer `r`, arriving `after` ms from now. */
  private answer(resolve: (r: TransportResult) => void, after: number, r: TransportResult): void {
    this.loop.schedule(new Reply(this.loop, resolve, r), this.loop.now() + after);
  }

  /** The answer `r` after `latencyMs`, or a timeout at `limit` if that comes first: an attempt that would outlast the router's timeout ends at the timeout. */
  private within(resolve: (r: TransportResult) => void, limit: number, latencyMs: number, r: TransportResult): void {
    if (latencyMs > limit) this.answer(resolve, limit, timeout(limit));
    else this.answer(resolve, latencyMs, r);
  }

  /** Decides the answer to a call starting now and schedules it (helper methods, not closures: this runs once per attempt). */
  private dispatch(d: PlanDeployment, request: RouteRequest, limit: number, resolve: (r: TransportResult) => void): void {
    const loop = this.loop;
    const now = loop.now();

    const ep = this.endpoints.get(d.id);
    if (ep === undefined) return void this.answer(resolve, CONNECTION_REFUSED_MS, REFUSED);
    const t = now - this.start;
    const input = request.estimatedInputTokens;
    const output = request.maxOutputTokens ?? 0;
    const c = this.conditions.of(d.id);
    const outage = c === null ? null : Conditions.outage(c, t);
    const errorRate = c === null ? null : Conditions.errorRate(c, t);

    if (outage === 'connection') return void this.answer(resolve, CONNECTION_REFUSED_MS, REFUSED);
    if (outage === 'timeout') return void this.answer(resolve, limit, timeout(limit));

    if (ep.kind === 'hosted') {
      const h = ep.hosted;
      const latency = c === null ? h.latency : effectiveLatency(h.latency, Conditions.latency(c, t));
      if (outage === 'error') {
        const ms = sampleLognormal(h.random, latency);
        return void this.within(resolve, limit, ms, status(503, ms));
      }
      const a = h.answer(now, input + output, latency, errorRate ?? h.errorRate);
      if (a.kind === 'http-429') return void this.within(resolve, limit, a.latencyMs, status(429, a.latencyMs, a.retryAfterMs));
      if (a.kind === 'error-503') return void this.within(resolve, limit, a.latencyMs, status(503, a.latencyMs));
      return void this.within(resolve, limit, a.latencyMs, { ok: true, latencyMs: a.latencyMs, usage: { inputTokens: input, outputTokens: output } });
    }

    if (outage === 'error' || (errorRate !== null && errorRate > 0 && ep.random() < errorRate))
      return void this.within(resolve, limit, ENGINE_ERROR_MS, status(503, ENGINE_ERROR_MS));
    const call = new EngineCall(loop, ep.engine, resolve, now, { inputTokens: input, outputTokens: output }, limit);
    const job = ep.engine.submit(input, output, call);
    // vLLM answers 400 to a request longer than its context.
    if (job === null) return void this.answer(resolve, ENGINE_ERROR_MS, status(400, ENGINE_ERROR_MS));
    call.job = job;
    // A sequence that started at once and will have its first token by the
    // deadline needs no deadline event: it would only sit in the queue,
    // cancelled, keeping the call alive for the length of the timeout.
    if (!job.firstTokenBy(now + limit)) loop.schedule(call, now + limit);
  }
}

/** The latency in force: an event's own percentiles, or the base scaled by its multiplier. */
function effectiveLatency(base: Lognormal, e: { multiplier: number | null; p50Ms: number | null; p95Ms: number | null } | undefined): Lognormal {
  if (e === undefined) return base;
  if (e.p50Ms !== null) return lognormalFromPercentiles(e.p50Ms, e.p95Ms ?? e.p50Ms * Math.exp(base.sigma * random.Z95));
  return { median: base.median * (e.multiplier ?? 1), sigma: base.sigma };
}
