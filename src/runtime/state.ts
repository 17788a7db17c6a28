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
  if (now < t.monthStart || now >= t.monthEnd) {
    const month = monthOf(now);
    if (month !== t.month) {
      t.month = month;
      t.spendUsd = 0;
    }
    t.monthStart = Date.UTC(Math.floor(month / 12), month % 12, 1);
    t.monthEnd = Date.UTC(Math.floor((month + 1) / 12), (month + 1) % 12, 1);
  }
  return t.spendUsd;
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
