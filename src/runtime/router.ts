/**
 * The router: executes a CompiledPlan for one request at a time. Decisions
 * come from the pure modules beside this one (selection, limits, breaker,
 * strategies); this file does the I/O: the store, the transport, the clock.
 */
import type { CompiledPlan } from '../plan/types.ts';
import { PHASE_NAMES, type BreakerPhaseName } from './breaker.ts';
import { deploymentRateSkip, estimatedCostUsd, backoffMs, requestTokens, tenantRateSkip } from './limits.ts';
import { markUsable, pickNext } from './selection.ts';
import type { Session } from './state.ts';
import type { PickContext } from './strategies/index.ts';
import { memoryStore } from './stores/memory.ts';
import type { RouterStore } from './stores/store.ts';
import { buildTables, type RouterTables, type RtDeployment, type RtLink, type RtTenant } from './tables.ts';
import { called, isDeploymentFault, isRetryable, skipped } from './trace.ts';
import { windowSum } from './windows.ts';
import type { Attempt, Clock, Random, RouteRequest, RouteResult, RouterEvents, RouterMetrics, Transport, TransportResult, TransportSuccess } from './types.ts';

export interface RouterOptions {
  store?: RouterStore;
  clock: Clock;
  random: Random;
  transport: Transport;
  events?: RouterEvents;
}

export interface DeploymentView {
  breaker: BreakerPhaseName;
  openedAt: number;
  latencyMs: number | null;
  rpmUsed: number;
  tpmUsed: number;
}

export interface Router {
  route(request: RouteRequest): Promise<RouteResult>;
  metrics(): RouterMetrics;
  /** The router's local view of one deployment (the mirror, with a shared store). */
  inspect(deploymentId: string): DeploymentView;
  readonly tables: RouterTables;
  readonly store: RouterStore;
  close(): Promise<void>;
}

const isPromise = <T>(v: T | Promise<T>): v is Promise<T> => typeof (v as { then?: unknown })?.then === 'function';

/** A transport that throws instead of answering failed to connect, as far as routing is concerned. */
const THROWN: TransportResult = { ok: false, kind: 'connection', latencyMs: 0 };

export function createRouter(plan: CompiledPlan, options: RouterOptions): Router {
  const tables = buildTables(plan);
  const store = options.store ?? memoryStore();
  const { clock, random, transport, events } = options;
  store.attach({ plan, tables, events });
  const counts = { requests: 0, succeeded: 0, failed: 0, servedByFallback: 0, calls: 0 };

  function finish(ok: boolean, trace: Attempt[], link?: RtLink, d?: RtDeployment, response?: TransportSuccess): RouteResult {
    if (ok) {
      counts.succeeded++;
      if (link!.step !== 'primary') counts.servedByFallback++;
      return { ok, deployment: d!.id, group: link!.group.name, response, trace };
    }
    counts.failed++;
    return { ok, trace };
  }

  /** Calls one deployment, retrying per the group's policy; the success, or null to move on. */
  async function callWithRetries(
    session: Session,
    link: RtLink,
    d: RtDeployment,
    request: RouteRequest,
    tenant: RtTenant | null,
    tokens: number,
    calledSet: number[],
    trace: Attempt[],
  ): Promise<TransportSuccess | null> {
    const g = link.group;
    const timeoutMs = d.timeoutMs ?? g.requestTimeoutMs;
    const state = session.state.deployments[d.index]!;
    for (let k = 0; k <= g.retries.count; k++) {
      let now = clock.now();
      // Limits and the breaker are checked again before every call: the previous attempt changed them.
      const limited = deploymentRateSkip(d, state, tokens, now);
      if (limited !== null) {
        trace.push(skipped(g.name, link.step, d.id, limited, k));
        return null;
      }
      if (!session.admit(d, now)) {
        trace.push(skipped(g.name, link.step, d.id, 'circuit-open', k));
        return null;
      }
      session.call(d, tokens, now);
      if (k === 0) calledSet.push(d.index);
      counts.calls++;
      let r: TransportResult;
      try {
        r = await transport.call(d.plan, request, request.signal ? { timeoutMs, signal: request.signal } : { timeoutMs });
      } catch {
        r = THROWN;
      }
      now = clock.now();
      const attempt = called(g.name, link.step, d.id, k, r);
      trace.push(attempt);
      if (r.ok) {
        const before = session.result(d, now, false, r.latencyMs);
        if (before !== state.breaker.phase) emitBreaker(d, before, now);
        if (tenant !== null) session.spend(tenant, estimatedCostUsd(d, r.usage.inputTokens, r.usage.outputTokens), now);
        return r;
      }
      const before = session.result(d, now, isDeploymentFault(r), r.kind === 'timeout' ? r.latencyMs : null);
      if (before !== state.breaker.phase) emitBreaker(d, before, now);
      if (k === g.retries.count || !isRetryable(r, g.retries.retryOn)) return null;
      let delay = backoffMs(g.retries, k);
      if (r.retryAfterMs !== undefined) {
        // A deployment that asks for a longer pause than the policy's longest backoff is left for the next one.
        if (r.retryAfterMs > g.retries.backoff.maxMs) {
          trace.push(skipped(g.name, link.step, d.id, 'retry-after-too-long', k + 1));
          return null;
        }
        delay = Math.max(delay, r.retryAfterMs);
      }
      attempt.backoffMs = delay;
      await clock.sleep(delay);
    }
    return null;
  }

  function emitBreaker(d: RtDeployment, before: number, now: number): void {
    events?.emit('breaker', { deployment: d.id, from: PHASE_NAMES[before as 0], to: PHASE_NAMES[store.local().deployments[d.index]!.breaker.phase], at: now });
  }

  async function route(request: RouteRequest): Promise<RouteResult> {
    counts.requests++;
    const trace: Attempt[] = [];
    const g = tables.groupByName.get(request.group);
    if (g === undefined) {
      trace.push(skipped(request.group, 'primary', null, 'unknown-group'));
      return finish(false, trace);
    }
    let tenant: RtTenant | null = null;
    if (request.tenant !== undefined) {
      tenant = tables.tenantById.get(request.tenant) ?? null;
      if (tenant === null) {
        trace.push(skipped(g.name, 'primary', null, 'unknown-tenant'));
        return finish(false, trace);
      }
    }
    const inputTokens = request.estimatedInputTokens;
    const outputTokens = request.maxOutputTokens ?? 0;
    const tokens = requestTokens(inputTokens, outputTokens);
    const links = tokens > g.maxContextWindow ? g.longChain : g.chain;
    let now = clock.now();
    const begun = store.begin(tenant, links, now);
    const session = isPromise(begun) ? await begun : begun;
    const state = session.state;
    try {
      if (tenant !== null) {
        const limited = tenantRateSkip(tenant, state.tenants[tenant.index]!, tokens, now);
        if (limited !== null) {
          trace.push(skipped(g.name, 'primary', null, limited));
          return finish(false, trace);
        }
        session.tenantRequest(tenant, tokens, now);
      }
      const ctx: PickContext = { state, now, inputTokens, outputTokens, random };
      const calledSet: number[] = [];
      for (let l = 0; l < links.length; l++) {
        const link = links[l]!;
        const lg = link.group;
        if (tenant !== null && tenant.allowed[lg.index] === 0) {
          trace.push(skipped(lg.name, link.step, null, 'tenant-not-allowed'));
          continue;
        }
        ctx.now = now = clock.now();
        const usable = new Uint8Array(lg.candidates.length);
        let left = markUsable(link, usable, state, tenant, tokens, ctx, calledSet, trace);
        while (left > 0) {
          ctx.now = clock.now();
          const i = pickNext(lg, usable, ctx);
          if (i < 0) break;
          usable[i] = 0;
          left--;
          const d = lg.candidates[i]!;
          const ok = await callWithRetries(session, link, d, request, tenant, tokens, calledSet, trace);
          if (ok !== null) return finish(true, trace, link, d, ok);
        }
      }
      return finish(false, trace);
    } finally {
      const committed = store.commit(session, clock.now());
      if (isPromise(committed)) await committed;
    }
  }

  return {
    route,
    tables,
    store,
    metrics(): RouterMetrics {
      const s = store.metrics();
      return {
        ...counts,
        degraded: s.degraded,
        degradedCount: s.degradedCount,
        recoveredCount: s.recoveredCount,
        storeRoundTrips: s.roundTrips,
        storeErrors: s.errors,
      };
    },
    inspect(deploymentId: string): DeploymentView {
      const d = tables.deploymentById.get(deploymentId);
      if (!d) throw new Error(`unknown deployment "${deploymentId}"`);
      const s = store.local().deployments[d.index]!;
      const now = clock.now();
      return {
        breaker: PHASE_NAMES[s.breaker.phase],
        openedAt: s.breaker.openedAt,
        latencyMs: Number.isNaN(s.latencyMs) ? null : s.latencyMs,
        rpmUsed: windowSum(s.rpm, now),
        tpmUsed: windowSum(s.tpm, now),
      };
    },
    close: () => store.close(),
  };
}
