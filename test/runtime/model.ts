/**
 * A small reference model of the plan's runtime semantics, written from the
 * spec and not from src/runtime: event logs instead of rings, linear scans
 * instead of running totals. The property tests replay every call the router
 * made through it and hold the router to it.
 */
import type { CompiledPlan, PlanBreaker } from '../../src/plan/types.ts';

export const MODEL_BUCKETS = 20;
export const LIMIT_MS = 60_000;

/** Sum of events counted by a window of `windowMs` at `now`: buckets of ceil(windowMs/20) ms, the current one and the 20 before it. */
export function bucketedSum(log: ReadonlyArray<{ t: number; n: number }>, windowMs: number, now: number): number {
  const w = Math.max(1, Math.ceil(windowMs / MODEL_BUCKETS));
  const from = Math.floor(now / w) - MODEL_BUCKETS;
  let s = 0;
  for (const e of log) if (Math.floor(e.t / w) >= from && e.t <= now) s += e.n;
  return s;
}

/** Largest amount in any exact window (t - windowMs, t] ending at an event. */
export function maxInAnyWindow(log: ReadonlyArray<{ t: number; n: number }>, windowMs: number): number {
  let max = 0;
  for (const end of log) {
    let s = 0;
    for (const e of log) if (e.t > end.t - windowMs && e.t <= end.t) s += e.n;
    max = Math.max(max, s);
  }
  return max;
}

/** Year * 12 + month (UTC): budgets are per calendar month. */
export function monthOfUtc(t: number): number {
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

export type Phase = 'closed' | 'open' | 'half-open';

export class ModelBreaker {
  phase: Phase = 'closed';
  openedAt = 0;
  probes = 0;
  successes = 0;
  log: Array<{ t: number; n: number; failed: boolean }> = [];
  constructor(readonly cfg: PlanBreaker) {}

  allows(now: number): boolean {
    if (this.phase === 'closed') return true;
    if (this.phase === 'open') return now >= this.openedAt + this.cfg.cooldownMs && this.cfg.halfOpenProbes > 0;
    return this.probes < this.cfg.halfOpenProbes;
  }
  admit(now: number): boolean {
    if (!this.allows(now)) return false;
    if (this.phase === 'open') {
      this.phase = 'half-open';
      this.probes = 0;
      this.successes = 0;
    }
    if (this.phase === 'half-open') this.probes++;
    return true;
  }
  private open(now: number) {
    this.phase = 'open';
    this.openedAt = now;
    this.probes = 0;
    this.successes = 0;
    this.log = [];
  }
  result(now: number, failed: boolean): void {
    if (this.phase === 'closed') {
      this.log.push({ t: now, n: 1, failed });
      if (!failed) return;
      const requests = bucketedSum(this.log, this.cfg.windowMs, now);
      const failures = bucketedSum(
        this.log.filter((e) => e.failed),
        this.cfg.windowMs,
        now,
      );
      if (requests >= this.cfg.minRequests && failures / requests > this.cfg.errorRateThreshold) this.open(now);
    } else if (this.phase === 'half-open') {
      if (failed) this.open(now);
      else if (++this.successes >= this.cfg.halfOpenProbes) {
        this.phase = 'closed';
        this.probes = 0;
        this.successes = 0;
        this.log = [];
      }
    }
  }
}

export class Model {
  readonly breakers = new Map<string, ModelBreaker>();
  readonly calls = new Map<string, Array<{ t: number; n: number }>>();
  readonly tokens = new Map<string, Array<{ t: number; n: number }>>();
  readonly tenantRequests = new Map<string, Array<{ t: number; n: number }>>();
  readonly tenantTokens = new Map<string, Array<{ t: number; n: number }>>();
  /** Spend per tenant, each amount with the time it was recorded: the budget is per calendar month (UTC). */
  readonly spend = new Map<string, Array<{ t: number; usd: number }>>();
  /** Latency EWMA per deployment (weight 0.2 for the newest sample), over successes and timeouts; absent until the first. */
  readonly latency = new Map<string, number>();

  /** A tenant's spend in the calendar month (UTC) of `now`. */
  spendIn(tenant: string, now: number): number {
    return this.spend
      .get(tenant)!
      .filter((e) => monthOfUtc(e.t) === monthOfUtc(now))
      .reduce((s, e) => s + e.usd, 0);
  }

  observeLatency(id: string, ms: number): void {
    const l = this.latency.get(id);
    this.latency.set(id, l === undefined ? ms : l + 0.2 * (ms - l));
  }

  constructor(readonly plan: CompiledPlan) {
    const names = Object.keys(plan.groups).sort();
    for (const id of Object.keys(plan.deployments)) {
      const g = names.find((n) => plan.groups[n]!.deployments.includes(id));
      const cfg = g ? plan.groups[g]!.circuitBreaker : { errorRateThreshold: 1, minRequests: 1, windowMs: LIMIT_MS, cooldownMs: 0, halfOpenProbes: 1 };
      this.breakers.set(id, new ModelBreaker(cfg));
      this.calls.set(id, []);
      this.tokens.set(id, []);
    }
    for (const id of Object.keys(plan.tenants)) {
      this.tenantRequests.set(id, []);
      this.tenantTokens.set(id, []);
      this.spend.set(id, []);
    }
  }

  /** The chain of groups a request walks, with the step of each. */
  chain(group: string, tokens: number): Array<{ group: string; step: string }> {
    const g = this.plan.groups[group]!;
    const out = [{ group, step: 'primary' }];
    if (tokens > g.maxContextWindow) for (const c of g.contextWindowFallbacks) out.push({ group: c, step: 'context-window-fallback' });
    for (const f of g.fallbacks) out.push({ group: f, step: 'fallback' });
    return out.filter((l, i) => out.findIndex((m) => m.group === l.group) === i);
  }

  tenantAdmits(tenant: string, tokens: number, now: number): boolean {
    const t = this.plan.tenants[tenant]!;
    if (t.rpm !== null && bucketedSum(this.tenantRequests.get(tenant)!, LIMIT_MS, now) + 1 > t.rpm) return false;
    if (t.tpm !== null && bucketedSum(this.tenantTokens.get(tenant)!, LIMIT_MS, now) + tokens > t.tpm) return false;
    return true;
  }

  /** Could this deployment take this request now (by every rule but its health)? */
  usable(id: string, tokens: number, costUsd: number, tenant: string | undefined, now: number): boolean {
    const d = this.plan.deployments[id]!;
    if (tokens > d.contextWindow) return false;
    if (!this.breakers.get(id)!.allows(now)) return false;
    if (d.rpm !== null && bucketedSum(this.calls.get(id)!, LIMIT_MS, now) + 1 > d.rpm) return false;
    if (d.tpm !== null && bucketedSum(this.tokens.get(id)!, LIMIT_MS, now) + tokens > d.tpm) return false;
    if (tenant !== undefined) {
      const budget = this.plan.tenants[tenant]!.monthlyBudgetUsd;
      if (budget !== null && this.spendIn(tenant, now) + costUsd > budget) return false;
    }
    return true;
  }
}
