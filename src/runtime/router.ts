/**
 * The router: executes a CompiledPlan for one request at a time. Decisions
 * come from the pure modules beside this one (selection, limits, breaker,
 * strategies); this file does the I/O: the store, the transport, the clock.
 */
import type { CompiledPlan } from '../plan/types.ts';
import { PHASE_NAMES, type BreakerPhaseName } from './breaker.ts';
import * as limits from './limits.ts';
import * as selection from './selection.ts';
import type { Session } from './state.ts';
import type { PickContext } from './strategies/index.ts';
import { memoryStore } from './stores/memory.ts';
import type { RouterStore } from './stores/store.ts';
import { buildTables, type RouterTables, type RtDeployment, type RtLink, type RtTenant } from './tables.ts';
import * as traces from './trace.ts';
import type { Attempt, Clock, Random, RouteRequest, RouteResult, RouterEvents, RouterMetrics, Transport, TransportResult, TransportSuccess } from './types.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the hot path binds the functions it calls once, at load.
const { deploymentRateSkip, estimatedCostUsd, backoffMs, requestTokens, tenantBudgetAllows, tenantRateSkip } = limits;
const { markUsable, pickNext } = selection;
const { called, isDeploymentFault, isRetryable, skipped } = traces;

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

/** A transport that throws instead of answering failed to connect, as far as routing is concerned. */
const THROWN: TransportResult = { ok: false, kind: 'connection', latencyMs: 0 };
const SUCCESS = -1;
/** Move on to the next candidate. */
const STOP = -2;
/** The transport said the request is over (final): no retry, no fallback. */
const END = -3;

export function createRouter(plan: CompiledPlan, options: RouterOptions): Router {
  const tables = buildTables(plan);
  const store = options.store ?? memoryStore();
  const { clock, random, transport, events } = options;
  store.attach({ plan, tables, clock, events });
  // Usable-candidate masks, reused across requests (each request holds one while it runs).
  const maxGroupSize = Math.max(1, ...tables.groups.map((g) => g.candidates.length));
  const masks: Uint8Array[] = [];
  const counts = { requests: 0, succeeded: 0, failed: 0, servedByFallback: 0, calls: 0 };
  // Per tenant: the worst-case cost of its calls in flight on this router, and how many there are. A
  // call reserves its worst case before it starts and releases it when it ends (spending what it used),
  // so concurrent requests cannot together pass a budget that each fits alone.
  const inFlightUsd = new Float64Array(tables.tenants.length);
  const inFlightCalls = new Uint32Array(tables.tenants.length);

  function finish(ok: boolean, trace: Attempt[], link?: RtLink, d?: RtDeployment, response?: TransportSuccess): RouteResult {
    if (ok) {
      counts.succeeded++;
      if (link!.step !== 'primary') counts.servedByFallback++;
      return { ok, deployment: d!.id, group: link!.group.name, response, trace };
    }
    counts.failed++;
    return { ok, trace };
  }

  /**
   * Before call k to a deployment: limits, the tenant's budget and the
   * breaker are checked again (the previous attempt, and other requests in
   * flight, changed them) and the call is counted, its worst-case cost
   * reserved. False, with the reason traced, when the deployment may not be
   * called (again).
   */
  function beforeCall(
    session: Session,
    link: RtLink,
    d: RtDeployment,
    k: number,
    tokens: number,
    tenant: RtTenant | null,
    costUsd: number,
    trace: Attempt[],
  ): boolean {
    const now = clock.now();
    const limited = deploymentRateSkip(d, session.state.deployments[d.index]!, tokens, now);
    if (limited !== null) {
      trace.push(skipped(link.group.name, link.step, d.id, limited, k));
      return false;
    }
    if (tenant !== null && !tenantBudgetAllows(tenant, session.state.tenants[tenant.index]!, inFlightUsd[tenant.index]! + costUsd, now)) {
      trace.push(skipped(link.group.name, link.step, d.id, 'tenant-budget', k));
      return false;
    }
    if (!session.admit(d, now)) {
      trace.push(skipped(link.group.name, link.step, d.id, 'circuit-open', k));
      return false;
    }
    session.call(d, tokens, now);
    counts.calls++;
    if (tenant !== null) {
      inFlightUsd[tenant.index]! += costUsd;
      inFlightCalls[tenant.index]!++;
    }
    return true;
  }

  /** The call is over: its reservation goes (exactly zero once none is in flight, so sums do not drift). */
  function release(tenant: RtTenant | null, costUsd: number): void {
    if (tenant === null) return;
    const i = tenant.index;
    if (--inFlightCalls[i]! === 0) inFlightUsd[i] = 0;
    else inFlightUsd[i]! -= costUsd;
  }

  /** After call k: records the outcome; SUCCESS, STOP (move on to the next deployment), END (the request is over), or the backoff before retrying. */
  function afterCall(session: Session, link: RtLink, d: RtDeployment, k: number, r: TransportResult, tenant: RtTenant | null, trace: Attempt[]): number {
    const g = link.group;
    const now = clock.now();
    const attempt = called(g.name, link.step, d.id, k, r);
    trace.push(attempt);
    const breaker = session.state.deployments[d.index]!.breaker;
    if (r.ok) {
      const before = session.result(d, now, false, r.latencyMs);
      if (before !== breaker.phase) emitBreaker(d, before, now);
      if (tenant !== null) session.spend(tenant, estimatedCostUsd(d, r.usage.inputTokens, r.usage.outputTokens), now);
      return SUCCESS;
    }
    const before = session.result(d, now, isDeploymentFault(r), r.kind === 'timeout' ? r.latencyMs : null);
    if (before !== breaker.phase) emitBreaker(d, before, now);
    if (r.final === true) return END;
    if (k === g.retries.count || !isRetryable(r, g.retries.retryOn)) return STOP;
    let delay = backoffMs(g.retries, k);
    if (r.retryAfterMs !== undefined) {
      // A deployment that asks for a longer pause than the policy's longest backoff is left for the next one.
      if (r.retryAfterMs > g.retries.backoff.maxMs) {
        trace.push(skipped(g.name, link.step, d.id, 'retry-after-too-long', k + 1));
        return STOP;
      }
      delay = Math.max(delay, r.retryAfterMs);
    }
    attempt.backoffMs = delay;
    return delay;
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
    // Synchronous whatever the store: a shared store syncs in the background, never on a request's path.
    const session = store.session();
    const state = session.state;
    let usable: Uint8Array | undefined;
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
        if (tenant !== null) ctx.tenantInFlightUsd = inFlightUsd[tenant.index]!;
        usable ??= masks.pop() ?? new Uint8Array(maxGroupSize);
        let left = markUsable(link, usable, state, tenant, ctx, calledSet, trace);
        while (left > 0) {
          ctx.now = clock.now();
          const i = pickNext(lg, usable, ctx);
          if (i < 0) break;
          usable[i] = 0;
          left--;
          const d = lg.candidates[i]!;
          const timeoutMs = d.timeoutMs ?? lg.requestTimeoutMs;
          const costUsd = tenant === null ? 0 : estimatedCostUsd(d, inputTokens, outputTokens);
          for (let k = 0; k <= lg.retries.count; k++) {
            if (!beforeCall(session, link, d, k, tokens, tenant, costUsd, trace)) break;
            if (k === 0) calledSet.push(d.index);
            let r: TransportResult;
            try {
              r = await transport.call(d.plan, request, request.signal ? { timeoutMs, signal: request.signal, group: lg.name } : { timeoutMs, group: lg.name });
            } catch {
              r = THROWN;
            } finally {
              release(tenant, costUsd);
            }
            const next = afterCall(session, link, d, k, r, tenant, trace);
            if (next === SUCCESS) return finish(true, trace, link, d, r as TransportSuccess);
            if (next === STOP) break;
            if (next === END) return finish(false, trace);
            await clock.sleep(next);
          }
        }
      }
      return finish(false, trace);
    } finally {
      if (usable !== undefined) masks.push(usable);
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
        rpmUsed: s.rpm.sum(now),
        tpmUsed: s.tpm.sum(now),
      };
    },
    close: () => store.close(),
  };
}
