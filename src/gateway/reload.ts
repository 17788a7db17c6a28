/**
 * Swapping the plan under a running gateway. The new plan gets a whole new
 * generation (router, tables, tenant keys, upstream targets) over a new
 * store session that takes over the state of every deployment and tenant
 * that still exists (runtime carryState; a shared store also pulls the
 * shared state before the swap). The swap is one assignment: a request
 * takes the generation current when it arrives and keeps it to its end, so
 * requests in flight finish on the plan they started with. The old
 * generation is retired: its router (and store connection) closes once no
 * request holds it. Reloads run one at a time, in the order asked.
 */
import type { CompiledPlan } from '../plan/types.ts';
import { carryState } from '../runtime/state.ts';
import type { RouterStore } from '../runtime/stores/store.ts';
import type { Generation } from './generation.ts';
import type { Logger } from './log.ts';
import type { ServingSecrets } from './secrets.ts';
import type { GatewayState } from './state.ts';

export interface ReloadResult {
  previousHash: string;
  hash: string;
  /** Deployments and tenants whose state the new plan took over. */
  carried: { deployments: number; tenants: number };
}

export interface ReloaderOptions {
  state: GatewayState;
  /** Builds a generation of `plan` over `store` (buildGeneration with the gateway's pools, clock and events). */
  build(plan: CompiledPlan, secrets: ServingSecrets, store: RouterStore): Generation;
  openStore(): Promise<RouterStore>;
  log: Logger;
  /** How often a retired generation is checked for requests still holding it. Default 50 ms. */
  retireCheckMs?: number;
}

export interface Reloader {
  reload(plan: CompiledPlan, secrets: ServingSecrets): Promise<ReloadResult>;
  /** Generations replaced but still held by requests. */
  retiring(): number;
  /** Closes every retired generation's router now (after the gateway drained). */
  closeRetired(): Promise<void>;
}

export function createReloader(o: ReloaderOptions): Reloader {
  const retired = new Set<Generation>();
  let timer: NodeJS.Timeout | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  function closeGeneration(gen: Generation): Promise<void> {
    retired.delete(gen);
    return gen.router.close().catch((e: unknown) => o.log({ msg: 'closing a retired plan failed', hash: gen.plan.hash, error: (e as Error).message }));
  }

  function sweep(): void {
    timer = null;
    for (const gen of retired) if (gen.active === 0) void closeGeneration(gen);
    if (retired.size > 0) schedule();
  }

  function schedule(): void {
    if (timer !== null) return;
    timer = setTimeout(sweep, o.retireCheckMs ?? 50);
    timer.unref();
  }

  async function swap(plan: CompiledPlan, secrets: ServingSecrets): Promise<ReloadResult> {
    if (o.state.draining) throw new Error('the gateway is shutting down: no reload');
    const old = o.state.gen;
    const store = await o.openStore();
    let next: Generation;
    try {
      next = o.build(plan, secrets, store);
    } catch (e) {
      await store.close();
      throw e;
    }
    const carried = carryState(store.local(), old.router.store.local());
    // A shared store pulls the shared state first (never rejects: an unreachable store keeps the carried local state).
    await store.sync();
    o.state.gen = next;
    retired.add(old);
    sweep();
    return { previousHash: old.plan.hash, hash: plan.hash, carried };
  }

  return {
    reload(plan, secrets) {
      const run = queue.then(() => swap(plan, secrets));
      queue = run.catch(() => {});
      return run;
    },
    retiring: () => retired.size,
    async closeRetired() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await Promise.all([...retired].map(closeGeneration));
    },
  };
}
