/**
 * Swapping the plan under a running gateway. The new plan gets a whole new
 * generation (router, tables, tenant keys, upstream targets) over a new
 * store session (of the store the new plan names, which may move the state
 * elsewhere) that takes over the state of every deployment and tenant
 * that still exists (runtime carryState; a shared store also pulls the
 * shared state before the swap). The swap is one assignment: a request
 * takes the generation current when it arrives and keeps it to its end, so
 * requests in flight finish on the plan they started with. The old
 * generation is retired: its router (and store connection) closes once no
 * request holds it. Reloads run one at a time, in the order asked.
 */
import type { CompiledPlan } from '../plan/types.ts';
import { carryState } from '../runtime/state.ts';
import { sharedUsageStore } from '../runtime/stores/shared-usage.ts';
import type { RouterStore } from '../runtime/stores/store.ts';
import type { CanaryJudge } from './canary-judge.ts';
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
  /** The store `plan` routes on: the one its routerState names (it may move the state), unless the gateway pins one. Rejects to fail the reload. */
  openStore(plan: CompiledPlan): Promise<RouterStore>;
  log: Logger;
  /** How often a retired generation is checked for requests still holding it. Default 50 ms. */
  retireCheckMs?: number;
}

export interface Reloader {
  reload(plan: CompiledPlan, secrets: ServingSecrets): Promise<ReloadResult>;
  /** Starts routing `percent` of requests to `plan` (over the same state). */
  startCanary(plan: CompiledPlan, secrets: ServingSecrets, c: { version: string; percent: number; judge: CanaryJudge }): Promise<void>;
  /** Stops the running canary (false when none runs). */
  endCanary(status: 'rolled-back' | 'aborted', reason: string): boolean;
  /** Makes the running canary's plan the stable one (false when none runs). */
  promoteCanary(): Promise<boolean>;
  /** Generations replaced but still held by requests. */
  retiring(): number;
  /** Closes every retired generation's router now (after the gateway drained). */
  closeRetired(): Promise<void>;
}

export function createReloader(o: ReloaderOptions): Reloader {
  const retired = new Set<Generation>();
  let timer: NodeJS.Timeout | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  /** The running canary's secrets, for its promotion. */
  let canarySecrets: ServingSecrets | null = null;

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

  /**
   * A generation of `plan` over a new store session that took over the
   * current generation's state; `isolated`: a canary, with breakers of its
   * own (its failures must not open the stable plan's breakers) over the
   * usage of whichever stable generation is current (its requests count
   * against the same tenant and deployment limits).
   */
  async function prepare(plan: CompiledPlan, secrets: ServingSecrets, isolated = false): Promise<{ next: Generation; carried: ReloadResult['carried'] }> {
    if (o.state.draining) throw new Error('the gateway is shutting down: no reload');
    const old = o.state.gen;
    const store = isolated ? sharedUsageStore(() => o.state.gen.router.store) : await o.openStore(plan);
    let next: Generation;
    try {
      next = o.build(plan, secrets, store);
    } catch (e) {
      await store.close();
      throw e;
    }
    const carried = isolated ? { deployments: 0, tenants: 0 } : carryState(store.local(), old.router.store.local());
    // A shared store pulls the shared state first (never rejects: an unreachable store keeps the carried local state).
    await store.sync();
    return { next, carried };
  }

  function retire(gen: Generation): void {
    retired.add(gen);
    sweep();
  }

  async function swap(plan: CompiledPlan, secrets: ServingSecrets): Promise<ReloadResult> {
    const { next, carried } = await prepare(plan, secrets);
    const old = o.state.gen;
    o.state.gen = next;
    retire(old);
    return { previousHash: old.plan.hash, hash: plan.hash, carried };
  }

  /** Runs `fn` after the reloads (and canary changes) asked before it. */
  function queued<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  }

  /** Ends a running canary: its generation retires; stable traffic was never on it. */
  function endCanary(status: 'rolled-back' | 'aborted', reason: string): boolean {
    const c = o.state.canary;
    if (c === null || c.status !== 'running') return false;
    c.status = status;
    c.reason = reason;
    canarySecrets = null;
    retire(c.gen);
    return true;
  }

  return {
    reload: (plan, secrets) => queued(() => swap(plan, secrets)),
    startCanary: (plan, secrets, c) =>
      queued(async () => {
        if (o.state.canary?.status === 'running') throw new Error('a canary is already running: promote or abort it first');
        const { next } = await prepare(plan, secrets, true);
        canarySecrets = secrets;
        o.state.canary = { gen: next, version: c.version, percent: c.percent, judge: c.judge, status: 'running', reason: null };
      }),
    endCanary,
    // Promotion is a reload to the canary's plan: it routes on the stable plan's store and state from then on
    // (the canary's own breakers are dropped with its generation; the usage was the stable store's all along).
    promoteCanary: () =>
      queued(async () => {
        const c = o.state.canary;
        if (c === null || c.status !== 'running' || canarySecrets === null) return false;
        await swap(c.gen.plan, canarySecrets);
        c.status = 'promoted';
        canarySecrets = null;
        retire(c.gen);
        return true;
      }),
    retiring: () => retired.size,
    async closeRetired() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (o.state.canary?.status === 'running') endCanary('aborted', 'the gateway stopped');
      await Promise.all([...retired].map(closeGeneration));
    },
  };
}
