/**
 * The store of a canary router: usage shared with the stable router, health
 * of its own. A canary must count against the same limits as the stable
 * plan (a tenant's rpm/tpm and monthly budget, a deployment's rpm/tpm are
 * the tenant's and the provider's, whichever plan routes the request), but
 * its failures must not open the stable plan's breakers, nor the stable
 * plan's failures the canary's.
 *
 * So the canary's LocalState holds breakers and latency averages of its own,
 * while the usage it reads is the stable store's, by id: each deployment's
 * rpm/tpm windows and each tenant's whole state are the very objects the
 * stable store's local state holds (the memory store updates them in place;
 * the Redis store loads the shared state into its mirror's objects in place
 * on every sync). The usage a canary request makes is recorded through the
 * stable store's session, so a shared store journals it and pushes it to
 * Redis like the stable router's own. Deployments and tenants the stable
 * plan does not have keep usage of their own.
 *
 * "The stable store" is whichever is current: a reload of the stable plan
 * gives it a new store (whose state took over the old one's objects by id,
 * runtime carryState), and the canary follows it from its next update on.
 */
import type { BreakerPhase } from '../breaker.ts';
import { LocalState, type Session, type TenantState } from '../state.ts';
import type { RtDeployment, RtTenant } from '../tables.ts';
import type { SlidingWindow } from '../windows.ts';
import type { RouterStore, StoreContext, StoreMetrics } from './store.ts';

interface Link {
  readonly store: RouterStore;
  /** The stable store's local state the links were made against. */
  readonly from: LocalState;
  /** By the canary's deployment index: the stable plan's deployment of the same id, or null. */
  readonly deployments: ReadonlyArray<RtDeployment | null>;
  readonly tenants: ReadonlyArray<RtTenant | null>;
}

export class SharedUsageStore implements RouterStore, Session {
  readonly kind = 'shared-usage';
  private own: LocalState | null = null;
  /** The canary's own usage windows and tenant states, used where the stable plan has no such id. */
  private ownWindows: Array<{ rpm: SlidingWindow; tpm: SlidingWindow }> = [];
  private ownTenants: TenantState[] = [];
  private link: Link | null = null;

  /** `stable`: the stable router's store, as of now (the gateway's current generation). */
  constructor(private readonly stable: () => RouterStore) {}

  attach(ctx: StoreContext): void {
    if (this.own) throw new Error('a store serves one router; create one store per router');
    this.own = new LocalState(ctx.tables);
    this.ownWindows = this.own.deployments.map((s) => ({ rpm: s.rpm, tpm: s.tpm }));
    this.ownTenants = [...this.own.tenants];
    this.current();
  }

  /** The links to the current stable store, remade (and the shared objects re-pointed) when it changed. */
  private current(): Link {
    const store = this.stable();
    const from = store.local();
    const link = this.link;
    if (link !== null && link.from === from) return link;
    const own = this.own!;
    const deployments = own.tables.deployments.map((d) => from.tables.deploymentById.get(d.id) ?? null);
    const tenants = own.tables.tenants.map((t) => from.tables.tenantById.get(t.id) ?? null);
    for (let i = 0; i < deployments.length; i++) {
      const s = deployments[i] ? from.deployments[deployments[i]!.index]! : this.ownWindows[i]!;
      own.deployments[i]!.rpm = s.rpm;
      own.deployments[i]!.tpm = s.tpm;
    }
    for (let i = 0; i < tenants.length; i++) own.tenants[i] = tenants[i] ? from.tenants[tenants[i]!.index]! : this.ownTenants[i]!;
    this.link = { store, from, deployments, tenants };
    return this.link;
  }

  // ---- RouterStore

  session(): Session {
    this.current();
    return this;
  }
  local(): LocalState {
    if (!this.own) throw new Error('store is not attached to a router');
    this.current();
    return this.own;
  }
  /** Nothing to sync: the usage lives in the stable store, which syncs it. */
  async sync(): Promise<void> {}
  /** The stable store's: where the canary's usage is kept (and whether it reaches a shared store). */
  metrics(): StoreMetrics {
    return this.stable().metrics();
  }
  /** The stable store is the stable router's to close. */
  async close(): Promise<void> {}

  // ---- Session: breakers and latency on the canary's own state, usage through the stable store's session.

  get state(): LocalState {
    return this.own!;
  }
  admit(d: RtDeployment, now: number): boolean {
    return this.own!.admit(d, now);
  }
  result(d: RtDeployment, now: number, failed: boolean, latencyMs: number | null): BreakerPhase {
    return this.own!.result(d, now, failed, latencyMs);
  }
  call(d: RtDeployment, tokens: number, now: number): void {
    const link = this.current();
    const to = link.deployments[d.index];
    if (to) link.store.session().call(to, tokens, now);
    else this.own!.call(d, tokens, now);
  }
  tenantRequest(t: RtTenant, tokens: number, now: number): void {
    const link = this.current();
    const to = link.tenants[t.index];
    if (to) link.store.session().tenantRequest(to, tokens, now);
    else this.own!.tenantRequest(t, tokens, now);
  }
  spend(t: RtTenant, usd: number, now: number): void {
    const link = this.current();
    const to = link.tenants[t.index];
    if (to) link.store.session().spend(to, usd, now);
    else this.own!.spend(t, usd, now);
  }
}

/** A canary router's store over the usage of `stable()`, the stable router's current store. */
export const sharedUsageStore = (stable: () => RouterStore): SharedUsageStore => new SharedUsageStore(stable);
