/**
 * What the router remembers between requests, per deployment and per tenant,
 * as plain objects the pure decision functions read and update. The memory
 * store is one of these; the Redis store keeps one as its local mirror.
 */
import { Breaker, type BreakerPhase } from './breaker.ts';
import type { RouterTables, RtDeployment, RtTenant } from './tables.ts';
import { LIMIT_WINDOW_MS } from './tables.ts';
import { monthOf, SlidingWindow } from './windows.ts';

/** Weight of the newest observation in the latency EWMA. */
export const EWMA_ALPHA = 0.2;

export interface DeploymentState {
  breaker: Breaker;
  rpm: SlidingWindow;
  tpm: SlidingWindow;
  /** EWMA of observed latency in ms; NaN until the first observation. */
  latencyMs: number;
}

export interface TenantState {
  rpm: SlidingWindow;
  tpm: SlidingWindow;
  /** Budget period (monthOf) the spend belongs to. */
  month: number;
  spendUsd: number;
  /** [monthStart, monthEnd) of `month`, cached so the hot path does not build Dates. */
  monthStart: number;
  monthEnd: number;
}

function createDeploymentState(d: RtDeployment): DeploymentState {
  return { breaker: new Breaker(d.breaker), rpm: new SlidingWindow(LIMIT_WINDOW_MS), tpm: new SlidingWindow(LIMIT_WINDOW_MS), latencyMs: NaN };
}

function createTenantState(): TenantState {
  return { rpm: new SlidingWindow(LIMIT_WINDOW_MS), tpm: new SlidingWindow(LIMIT_WINDOW_MS), month: -1, spendUsd: 0, monthStart: 0, monthEnd: 0 };
}

/** Spend in the budget period containing `now` (rolling the period over when it has ended). */
export function spendThisMonth(t: TenantState, now: number): number {
  if (now < t.monthStart || now >= t.monthEnd) enterMonth(t, monthOf(now));
  return t.spendUsd;
}

/** Makes `month` (monthOf) the tenant's budget period; the spend of another period no longer counts. */
export function enterMonth(t: TenantState, month: number): void {
  if (month !== t.month) {
    t.month = month;
    t.spendUsd = 0;
  }
  t.monthStart = Date.UTC(Math.floor(month / 12), month % 12, 1);
  t.monthEnd = Date.UTC(Math.floor((month + 1) / 12), (month + 1) % 12, 1);
}

export function ewma(previous: number, sample: number): number {
  return Number.isNaN(previous) ? sample : previous + EWMA_ALPHA * (sample - previous);
}

/**
 * The updates one request makes, in the order it makes them. The memory
 * store applies them in place; the Redis store also journals them so one
 * script call can apply the same sequence to the shared state.
 */
export interface Session {
  readonly state: LocalState;
  admit(d: RtDeployment, now: number): boolean;
  call(d: RtDeployment, tokens: number, now: number): void;
  /** Returns the breaker phase before the result, for transition events. */
  result(d: RtDeployment, now: number, failed: boolean, latencyMs: number | null): BreakerPhase;
  tenantRequest(t: RtTenant, tokens: number, now: number): void;
  spend(t: RtTenant, usd: number, now: number): void;
}

export class LocalState implements Session {
  readonly deployments: DeploymentState[];
  readonly tenants: TenantState[];
  get state(): LocalState {
    return this;
  }

  constructor(readonly tables: RouterTables) {
    this.deployments = tables.deployments.map(createDeploymentState);
    this.tenants = tables.tenants.map(createTenantState);
  }

  admit(d: RtDeployment, now: number): boolean {
    return this.deployments[d.index]!.breaker.admit(d.breaker, now);
  }
  call(d: RtDeployment, tokens: number, now: number): void {
    const s = this.deployments[d.index]!;
    s.rpm.add(now, 1);
    s.tpm.add(now, tokens);
  }
  result(d: RtDeployment, now: number, failed: boolean, latencyMs: number | null): BreakerPhase {
    const s = this.deployments[d.index]!;
    if (latencyMs !== null) s.latencyMs = ewma(s.latencyMs, latencyMs);
    return s.breaker.record(d.breaker, now, failed);
  }
  tenantRequest(t: RtTenant, tokens: number, now: number): void {
    const s = this.tenants[t.index]!;
    s.rpm.add(now, 1);
    s.tpm.add(now, tokens);
  }
  spend(t: RtTenant, usd: number, now: number): void {
    const s = this.tenants[t.index]!;
    spendThisMonth(s, now);
    s.spendUsd += usd;
  }
}

/**
 * A plan reload keeps what the router learned: every deployment and tenant
 * of `into` whose id is also in `from` takes over `from`'s state object
 * (breaker, usage windows, latency, spend). The object is shared, not copied,
 * so requests still running on the old plan keep counting into the state the
 * new plan reads. Returns how many deployments and tenants carried over.
 */
export function carryState(into: LocalState, from: LocalState): { deployments: number; tenants: number } {
  let deployments = 0;
  let tenants = 0;
  for (const d of into.tables.deployments) {
    const old = from.tables.deploymentById.get(d.id);
    if (old === undefined) continue;
    const s = from.deployments[old.index]!;
    if (old.breaker.windowMs === d.breaker.windowMs) into.deployments[d.index] = s;
    else {
      // The breaker's windows are sized by the plan: a new window size starts them empty, keeping the phase (an open circuit stays open).
      const breaker = new Breaker(d.breaker);
      breaker.phase = s.breaker.phase;
      breaker.openedAt = s.breaker.openedAt;
      into.deployments[d.index] = { breaker, rpm: s.rpm, tpm: s.tpm, latencyMs: s.latencyMs };
    }
    deployments++;
  }
  for (const t of into.tables.tenants) {
    const old = from.tables.tenantById.get(t.id);
    if (old === undefined) continue;
    into.tenants[t.index] = from.tenants[old.index]!;
    tenants++;
  }
  return { deployments, tenants };
}
