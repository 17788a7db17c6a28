/**
 * A running gateway assembled from its parts: the plan's generation over a
 * state store, the upstream pools, the HTTP server, the request log and the
 * event log. `close` is the whole graceful shutdown: drain the server, then
 * release the router's store, flush and close the request log, close the
 * upstream pools.
 */
import type { CompiledPlan } from '../plan/types.ts';
import type { RequestLog } from '../request-log/types.ts';
import type { RouterStore } from '../runtime/stores/store.ts';
import type { Clock, Random } from '../runtime/types.ts';
import { buildGeneration } from './generation.ts';
import type { Logger } from './log.ts';
import type { ServingSecrets } from './secrets.ts';
import { createGateway, type Gateway } from './server.ts';
import { storeHealth } from './store-health.ts';
import { UpstreamPools } from './upstream/pools.ts';

export interface StartOptions {
  plan: CompiledPlan;
  store: RouterStore;
  secrets: ServingSecrets;
  requestLog: RequestLog;
  maxBodyBytes?: number;
  log?: Logger;
  clock?: Clock;
  random?: Random;
  /** How often a shared state store is pinged; default 5 s. */
  storeCheckMs?: number;
}

export interface ClosedSummary {
  /** Requests still running when the drain deadline came (their connections were closed). */
  unfinished: number;
  requestLog: ReturnType<RequestLog['stats']>;
}

export interface RunningGateway extends Gateway {
  close(timeoutMs: number): Promise<ClosedSummary>;
}

export function startGateway(o: StartOptions): RunningGateway {
  const log: Logger = o.log ?? (() => {});
  const pools = new UpstreamPools();
  const events = {
    emit(event: string, payload?: unknown): boolean {
      log({ msg: `router ${event}`, ...(typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {}) });
      return true;
    },
  };
  const generation = buildGeneration({
    plan: o.plan,
    secrets: o.secrets,
    store: o.store,
    pools,
    events,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.random ? { random: o.random } : {}),
  });
  const health = storeHealth(o.store, generation.router, { intervalMs: o.storeCheckMs ?? 5_000 });
  const gateway = createGateway({
    generation,
    requestLog: o.requestLog,
    storeHealth: health,
    log,
    ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
  });
  return {
    ...gateway,
    async close(timeoutMs) {
      const { unfinished } = await gateway.shutdown(timeoutMs);
      await gateway.state.gen.router.close();
      await o.requestLog.close(timeoutMs);
      await pools.close();
      return { unfinished, requestLog: o.requestLog.stats() };
    },
  };
}
