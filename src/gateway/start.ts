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
import type { RouterStore } from '../runtime/stores/store.ts';
import type { Clock, Random } from '../runtime/types.ts';
import { type Env, ProviderEnvError, resolveProviderEnv } from '../runtime/provider-env.ts';
import { servablePlan } from '../runtime/servable.ts';
import { buildGeneration, GatewayConfigError } from './generation.ts';
import type { Logger } from './log.ts';
import type { ServingSecrets } from './secrets.ts';
import { createGateway, type Gateway } from './server.ts';
import { UpstreamPools } from './upstream/pools.ts';

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
}

export interface ClosedSummary {
  /** Requests still running when the drain deadline came (their connections were closed). */
  unfinished: number;
  requestLog: ReturnType<RequestLog['stats']>;
}

export interface RunningGateway extends Gateway {
  /** Drains requests for up to `timeoutMs`, then gives the request log up to REQUEST_LOG_CLOSE_MS to write what it holds. */
  close(timeoutMs: number): Promise<ClosedSummary>;
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
  const events = {
    emit(event: string, payload?: unknown): boolean {
      log({ msg: `router ${event}`, ...(typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {}) });
      return true;
    },
  };
  const plan = servedPlan(o.plan, o.env ?? process.env, log);
  const generation = buildGeneration({
    plan,
    secrets: o.secrets,
    store: o.store,
    pools,
    events,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.random ? { random: o.random } : {}),
  });
  // Never rejects: an unreachable store comes back degraded and routing starts on local state.
  await o.store.sync();
  const gateway = createGateway({
    generation,
    requestLog: o.requestLog,
    log,
    ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
  });
  return {
    ...gateway,
    async close(timeoutMs) {
      const { unfinished } = await gateway.shutdown(timeoutMs);
      await gateway.state.gen.router.close();
      await o.requestLog.close(REQUEST_LOG_CLOSE_MS);
      await pools.close();
      return { unfinished, requestLog: o.requestLog.stats() };
    },
  };
}
