/**
 * A running gateway assembled from its parts: the plan's generation over a
 * state store, the upstream pools, the HTTP server, the request log and the
 * event log. Starting loads the shared state (one sync of a shared store)
 * before the first request is routed. `close` is the whole graceful
 * shutdown: drain the server, then close the router (a shared store pushes
 * what is left), flush and close the request log, close the upstream pools.
 */
import type { CompiledPlan } from '../plan/types.ts';
import type { RequestLog } from '../request-log/types.ts';
import { systemClock } from '../runtime/clock.ts';
import { memoryStore } from '../runtime/stores/memory.ts';
import type { RouterStore } from '../runtime/stores/store.ts';
import type { Clock, Random } from '../runtime/types.ts';
import { type Env, ProviderEnvError, resolveProviderEnv } from '../runtime/provider-env.ts';
import { servablePlan } from '../runtime/servable.ts';
import { CanaryJudge, canaryLimits, type JudgeSettings } from './canary-judge.ts';
import { buildGeneration, GatewayConfigError } from './generation.ts';
import type { Logger } from './log.ts';
import { createReloader, type ReloadResult } from './reload.ts';
import type { ServingSecrets } from './secrets.ts';
import { createGateway, type Gateway } from './server.ts';
import { UpstreamPools } from './upstream/pools.ts';
import { DeploymentSlots, type SlotLimits } from './upstream/slots.ts';

export interface StartOptions {
  plan: CompiledPlan;
  /** Where `apiBase: env:NAME` settings are read (default: the process environment). */
  env?: Env;
  store: RouterStore;
  secrets: ServingSecrets;
  requestLog: RequestLog;
  maxBodyBytes?: number;
  log?: Logger;
  clock?: Clock;
  random?: Random;
  /**
   * Opens the store a reloaded plan routes on: a new session of the same
   * state (a new connection to the same Redis keys; for the memory store a
   * new memory store, the state itself carried over), or the store the new
   * plan moves the state to (serve: state-store.ts). Rejecting fails the
   * reload. Default: a memory store.
   */
  openStore?: (plan: CompiledPlan) => Promise<RouterStore>;
  /** Told when a canary is rolled back on its own (to record it where operators look). */
  onCanaryRollback?: (c: { version: string; hash: string; reason: string }) => void;
  /** How this gateway's canaries are judged (window, minimum samples), unless startCanary says otherwise. */
  canaryJudge?: JudgeSettings;
  /** Per-deployment concurrency cap and queue toward providers (default DEFAULT_SLOT_LIMITS). */
  slotLimits?: SlotLimits;
  /** Requests handled at once; past it new ones are refused with 503 (default DEFAULT_MAX_IN_FLIGHT). */
  maxInFlight?: number;
}

export interface ClosedSummary {
  /** Requests still running when the drain deadline came (their connections were closed). */
  unfinished: number;
  requestLog: ReturnType<RequestLog['stats']>;
}

export interface RunningGateway extends Gateway {
  /** Drains requests for up to `timeoutMs`, then gives the request log up to REQUEST_LOG_CLOSE_MS to write what it holds. */
  close(timeoutMs: number): Promise<ClosedSummary>;
  /** Serves `plan` from now on: requests in flight finish on the plan they started with; state carries over by deployment and tenant id. */
  reload(plan: CompiledPlan, secrets: ServingSecrets): Promise<ReloadResult>;
  /** Replaced plans still held by requests in flight. */
  retiring(): number;
  /** Sends `percent` of requests (by tenant and request id) to `plan`, judged against the stable plan's SLOs; rolled back on its own when it does worse. */
  startCanary(plan: CompiledPlan, secrets: ServingSecrets, c: { version: string; percent: number; judge?: JudgeSettings }): Promise<void>;
  promoteCanary(): Promise<boolean>;
  abortCanary(reason: string): boolean;
}

/**
 * How long a stopping gateway waits for the request log to write its queue:
 * a database that is down must not keep the process alive (the rows left
 * are counted as dropped).
 */
export const REQUEST_LOG_CLOSE_MS = 5_000;

/**
 * The plan as this gateway serves it: provider endpoints read from the
 * environment (a variable unset or unusable fails the start, naming it), and
 * pass-through deployments out of their groups, each group touched said
 * once in the log.
 */
function servedPlan(plan: CompiledPlan, env: Env, log: Logger): CompiledPlan {
  let resolved: CompiledPlan;
  try {
    resolved = resolveProviderEnv(plan, env);
  } catch (e) {
    if (e instanceof ProviderEnvError) throw new GatewayConfigError(e.message);
    throw e;
  }
  const served = servablePlan(resolved);
  for (const u of served.unserved) log({ msg: u.message, level: 'warning', path: u.path });
  return served.plan;
}

export async function startGateway(o: StartOptions): Promise<RunningGateway> {
  const log: Logger = o.log ?? (() => {});
  const pools = new UpstreamPools();
  const slots = new DeploymentSlots(o.slotLimits);
  // Each plan's router logs under its hash: beside a canary (or a plan still finishing requests after a reload), a breaker line says whose breaker it is.
  const eventsOf = (hash: string) => ({
    emit(event: string, payload?: unknown): boolean {
      log({ msg: `router ${event}`, plan: hash, ...(typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {}) });
      return true;
    },
  });
  const env = o.env ?? process.env;
  // One clock for every plan's router and the canary judge.
  const clock = o.clock ?? systemClock;
  // Every plan this gateway serves (at start, on reload, as a canary) is read through servedPlan: endpoints from the environment, pass-through deployments out.
  const build = (plan: CompiledPlan, secrets: ServingSecrets, store: RouterStore) =>
    buildGeneration({
      plan: servedPlan(plan, env, log),
      secrets,
      store,
      pools,
      slots,
      events: eventsOf(plan.hash),
      clock,
      ...(o.random ? { random: o.random } : {}),
    });
  let generation: ReturnType<typeof build>;
  try {
    generation = build(o.plan, o.secrets, o.store);
  } catch (e) {
    // A plan the gateway cannot serve: nothing may keep the process alive (the caller closes the store and the request log).
    await pools.close();
    throw e;
  }
  // Never rejects: an unreachable store comes back degraded and routing starts on local state.
  await o.store.sync();
  const gateway = createGateway({
    generation,
    requestLog: o.requestLog,
    log,
    upstream: () => slots.totals(),
    ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
    ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}),
  });
  const reloader = createReloader({ state: gateway.state, build, openStore: o.openStore ?? (async () => memoryStore()), log });
  gateway.state.onCanaryOutcome = (arm, outcome) => {
    const c = gateway.state.canary;
    if (c === null || c.status !== 'running') return;
    c.judge.record(arm, outcome);
    gateway.metrics.canaryRequest(arm, outcome.failed);
    // Judged on every answer (O(1)): a stable answer moves the comparison too, and old answers leave the window with time.
    const v = c.judge.verdict();
    if (v.action !== 'rollback' || !reloader.endCanary('rolled-back', v.reason)) return;
    log({ msg: 'canary rolled back', version: c.version, hash: c.gen.plan.hash, reason: v.reason, window: c.judge.snapshot() });
    o.onCanaryRollback?.({ version: c.version, hash: c.gen.plan.hash, reason: v.reason });
  };
  return {
    ...gateway,
    reload: reloader.reload,
    retiring: reloader.retiring,
    startCanary: (plan, secrets, c) =>
      reloader.startCanary(plan, secrets, {
        version: c.version,
        percent: c.percent,
        // Held to the SLOs of the plan stable when the canary starts.
        judge: new CanaryJudge({ ...o.canaryJudge, ...c.judge, limits: canaryLimits(gateway.state.gen.plan), now: () => clock.now() }),
      }),
    promoteCanary: reloader.promoteCanary,
    abortCanary: (reason) => reloader.endCanary('aborted', reason),
    async close(timeoutMs) {
      const { unfinished } = await gateway.shutdown(timeoutMs);
      await reloader.closeRetired();
      await gateway.state.gen.router.close();
      await o.requestLog.close(REQUEST_LOG_CLOSE_MS);
      await pools.close();
      return { unfinished, requestLog: o.requestLog.stats() };
    },
  };
}
