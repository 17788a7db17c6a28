/**
 * The runtime's Transport over real providers: for each call the router
 * makes, the deployment's adapter shapes the request, the upstream pool
 * carries it (a buffered call, or a stream relayed to the client), and the
 * outcome goes back to the router as a TransportResult. A stream that
 * already reached the client, and a client that left, come back `final`:
 * the router must not retry or fall back then.
 */
import type { PlanDeployment, PlanGroup } from '../plan/types.ts';
import type { RouteRequest, Transport, TransportCallOptions, TransportFailure, TransportResult } from '../runtime/types.ts';
import type { Exchange } from './exchange.ts';
import * as providers from './providers/types.ts';
import type { Target } from './providers/types.ts';
import * as calls from './upstream/call.ts';
import * as retryAfter from './upstream/retry-after.ts';
import type { DeploymentSlots, SlotResult } from './upstream/slots.ts';
import * as streamCalls from './upstream/stream-call.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the hot path binds what it calls once, at load (as src/runtime does).
const { UnsupportedRequest } = providers;
const { BufferedCall } = calls;
const { retryAfterMs } = retryAfter;
const { StreamCall } = streamCalls;

export interface TransportOptions {
  /** Largest non-streamed answer read from a provider. */
  maxResponseBytes: number;
  /** Per-deployment concurrency caps and queue (shared by every generation). */
  slots: DeploymentSlots;
}

const elapsed = (t0: number) => Math.round(performance.now() - t0);

/** The call cannot be expressed for this provider: like a 400, not the deployment's fault, and the next candidate may take it. */
const unsupported = (t0: number): TransportFailure => ({ ok: false, kind: 'http', status: 400, latencyMs: elapsed(t0) });

/**
 * No slot of the deployment: a full queue is the deployment saturated (503,
 * so the router falls back at once); a wait that ran out is a timeout (the
 * time budget went to the queue).
 */
function shed(r: Exclude<SlotResult, 'taken'>, t0: number): TransportFailure {
  const latencyMs = elapsed(t0);
  if (r === 'cancelled') return { ok: false, kind: 'cancelled', latencyMs, final: true };
  return r === 'queue-full' ? { ok: false, kind: 'http', status: 503, latencyMs } : { ok: false, kind: 'timeout', latencyMs };
}

export function createTransport(targets: ReadonlyMap<string, Target>, groups: Readonly<Record<string, PlanGroup>>, o: TransportOptions): Transport {
  async function buffered(ex: Exchange, target: Target, path: string, body: Buffer | string, timeoutMs: number, t0: number): Promise<TransportResult> {
    const call = new BufferedCall(target.pool, { origin: target.origin, path, headers: target.headers, body, timeoutMs }, o.maxResponseBytes);
    ex.active = call;
    const r = await call.outcome;
    ex.active = null;
    const latencyMs = elapsed(t0);
    if (r.kind === 'response') {
      if (r.status >= 200 && r.status <= 299) {
        const decoded = target.adapter.decode(ex, r.body);
        // A 200 that is not what the provider promises is the provider's fault.
        if (decoded === null) return { ok: false, kind: 'http', status: 502, latencyMs };
        return { ok: true, latencyMs, usage: decoded.usage, body: decoded.body };
      }
      return failure(target, r.status, r.headers, latencyMs);
    }
    if (r.kind === 'cancelled') return { ok: false, kind: 'cancelled', latencyMs, final: true };
    if (r.kind === 'too-large') return { ok: false, kind: 'http', status: 502, latencyMs };
    return { ok: false, kind: r.kind, latencyMs };
  }

  async function streamed(ex: Exchange, target: Target, path: string, body: Buffer | string, opts: TransportCallOptions, t0: number): Promise<TransportResult> {
    const firstByteMs = groups[opts.group]?.timeouts.streamFirstTokenMs ?? opts.timeoutMs;
    const relay = target.adapter.relay(ex, target);
    const call = new StreamCall(
      target.pool,
      {
        origin: target.origin,
        path,
        headers: target.headers,
        body,
        timeoutMs: opts.timeoutMs,
        firstByteMs,
        idleMs: opts.timeoutMs,
        deployment: target.deployment.id,
      },
      ex,
      relay,
    );
    ex.active = call;
    const r = await call.outcome;
    ex.active = null;
    const latencyMs = elapsed(t0);
    switch (r.kind) {
      case 'complete':
        // Latency-based routing compares time to first byte for streams: their length is the client's choice.
        return { ok: true, latencyMs: Math.round(r.firstByteMs), usage: relay.usage() };
      case 'response':
        return failure(target, r.status, r.headers, latencyMs);
      case 'broken':
        return { ok: false, kind: 'http', status: r.failure.status, latencyMs, ...(r.committed ? { final: true } : {}) };
      case 'cancelled':
        return { ok: false, kind: 'cancelled', latencyMs, final: true };
      case 'too-large':
        return { ok: false, kind: 'http', status: 502, latencyMs, ...(r.committed ? { final: true } : {}) };
      default:
        return { ok: false, kind: r.kind, latencyMs, ...(r.committed ? { final: true } : {}) };
    }
  }

  return {
    async call(deployment: PlanDeployment, request: RouteRequest, opts: TransportCallOptions): Promise<TransportResult> {
      const ex = request.call as Exchange;
      const t0 = performance.now();
      ex.callStarts.push(Date.now());
      if (ex.cancelled) return { ok: false, kind: 'cancelled', latencyMs: 0, final: true };
      const target = targets.get(deployment.id);
      if (target === undefined || !target.adapter.supports(ex.endpoint)) return unsupported(t0);
      let path: string;
      let body: Buffer | string;
      try {
        ({ path, body } = target.adapter.request(ex, target));
      } catch (e) {
        if (e instanceof UnsupportedRequest) return unsupported(t0);
        throw e;
      }
      const wait = o.slots.acquire(deployment.id, opts.timeoutMs);
      ex.active = wait;
      const slot = await wait.result;
      ex.active = null;
      if (slot !== 'taken') {
        ex.upstreamMs += performance.now() - t0;
        if (slot === 'queue-full') ex.shed++;
        return shed(slot, t0);
      }
      // The wait for a slot came out of the call's time budget.
      const waited = performance.now() - t0;
      const timeoutMs = waited < 1 ? opts.timeoutMs : Math.max(1, Math.round(opts.timeoutMs - waited));
      try {
        return ex.stream
          ? await streamed(ex, target, path, body, timeoutMs === opts.timeoutMs ? opts : { ...opts, timeoutMs }, t0)
          : await buffered(ex, target, path, body, timeoutMs, t0);
      } finally {
        o.slots.release(deployment.id);
        ex.upstreamMs += performance.now() - t0;
      }
    },
  };
}

function failure(target: Target, status: number, headers: Record<string, string | string[] | undefined>, latencyMs: number): TransportFailure {
  const after = retryAfterMs(headers);
  return { ok: false, kind: 'http', status: target.adapter.routingStatus(status), latencyMs, ...(after !== undefined ? { retryAfterMs: after } : {}) };
}
