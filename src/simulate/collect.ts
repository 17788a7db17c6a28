/**
 * Tallies of a run, fed one finished request at a time from the router's
 * own result and trace, and turned into the report at the end.
 */
import { tokenCostUsd } from '../plan/pricing.ts';
import type { CompiledPlan, PlanDeployment } from '../plan/types.ts';
import type { RouteResult } from '../runtime/types.ts';
import { Samples } from './engine.ts';
import { type GroupReport, type LatencySummary, ratio, round } from './report.ts';

export type Outcome = 'success' | 'error' | 'shed';

class GroupTally {
  requests = 0;
  succeeded = 0;
  errors = 0;
  shed = 0;
  /** Stopped by the tenant's own rate limits before any group was tried: no fallback could help. */
  tenantLimited = 0;
  neededFallback = 0;
  servedByFallback = 0;
  http429 = 0;
  spendUsd = 0;
  baselineUsd = 0;
  readonly latencies = new Samples();
  /** Failed requests by the reason on the last line of their trace (why the last candidate could not serve). */
  readonly failures = new Map<string, number>();
}

class DeploymentTally {
  calls = 0;
  errors = 0;
  http429 = 0;
  timeouts = 0;
  breakerTrips = 0;
  served = 0;
  costUsd = 0;
}

const priceOf = (d: PlanDeployment, input: number, output: number) => tokenCostUsd(d.pricing, input, output);

export class Collector {
  private readonly groups = new Map<string, GroupTally>();
  private readonly total = new GroupTally();
  private readonly deployments = new Map<string, DeploymentTally>();
  private readonly baseline: PlanDeployment | null;

  constructor(
    private readonly plan: CompiledPlan,
    baselineDeployment: string | null,
  ) {
    this.baseline = baselineDeployment === null ? null : (plan.deployments[baselineDeployment] ?? null);
    for (const g of Object.keys(plan.groups).sort()) this.groups.set(g, new GroupTally());
    for (const d of Object.keys(plan.deployments).sort()) this.deployments.set(d, new DeploymentTally());
  }

  breakerOpened(deployment: string): void {
    const d = this.deployments.get(deployment);
    if (d) d.breakerTrips++;
  }

  /** One finished request; returns how it ended. */
  record(group: string, r: RouteResult, latencyMs: number): Outcome {
    const g = this.groups.get(group)!;
    const trace = r.trace;
    let called = false;
    let http429 = 0;
    for (let i = 0; i < trace.length; i++) {
      const a = trace[i]!;
      if (a.outcome === 'skipped') continue;
      called = true;
      const d = this.deployments.get(a.deployment!)!;
      d.calls++;
      if (a.outcome === 'error') {
        d.errors++;
        if (a.reason === 'http-429') {
          d.http429++;
          http429++;
        } else if (a.reason === 'timeout') d.timeouts++;
      }
    }
    const outcome: Outcome = r.ok ? 'success' : called ? 'error' : 'shed';
    const first = trace[0];
    const tenantLimited = !r.ok && trace.length === 1 && first!.deployment === null && (first!.reason === 'tenant-rpm' || first!.reason === 'tenant-tpm');
    const primary = r.ok && r.group === group;
    let spend = 0;
    let baseline = 0;
    if (r.ok) {
      const served = this.plan.deployments[r.deployment!]!;
      const u = r.response!.usage;
      spend = priceOf(served, u.inputTokens, u.outputTokens);
      baseline = this.baseline === null ? 0 : priceOf(this.baseline, u.inputTokens, u.outputTokens);
      const d = this.deployments.get(served.id)!;
      d.served++;
      d.costUsd += spend;
    }
    for (const t of [g, this.total]) {
      t.requests++;
      if (outcome === 'success') {
        t.succeeded++;
        t.latencies.push(latencyMs);
      } else {
        if (outcome === 'error') t.errors++;
        else t.shed++;
        const reason = trace.length ? (trace[trace.length - 1]!.reason ?? 'unknown') : 'unknown';
        t.failures.set(reason, (t.failures.get(reason) ?? 0) + 1);
      }
      if (tenantLimited) t.tenantLimited++;
      else if (!primary) {
        t.neededFallback++;
        if (r.ok) t.servedByFallback++;
      }
      t.http429 += http429;
      t.spendUsd += spend;
      t.baselineUsd += baseline;
    }
    return outcome;
  }

  /** Per group, and the total; `monthlyScale(group)` turns the window's requests into a month's. */
  groupReports(monthlyScale: (group: string, requests: number) => number): { totals: GroupReport; groups: Record<string, GroupReport> } {
    const groups: Record<string, GroupReport> = {};
    let monthly = 0;
    let baselineMonthly = 0;
    for (const [name, t] of this.groups) {
      const scale = monthlyScale(name, t.requests);
      const trips = this.plan.groups[name]!.deployments.reduce((n, id) => n + (this.deployments.get(id)?.breakerTrips ?? 0), 0);
      groups[name] = groupReport(t, t.spendUsd * scale, t.baselineUsd * scale, trips);
      monthly += t.spendUsd * scale;
      baselineMonthly += t.baselineUsd * scale;
    }
    return { totals: groupReport(this.total, monthly, baselineMonthly, this.breakerTrips), groups };
  }

  deploymentReports() {
    return Object.fromEntries(
      [...this.deployments].map(([id, d]) => [
        id,
        {
          calls: d.calls,
          errors: d.errors,
          http429: d.http429,
          timeouts: d.timeouts,
          breakerTrips: d.breakerTrips,
          served: d.served,
          costUsd: round(d.costUsd, 2),
        },
      ]),
    );
  }

  get breakerTrips(): number {
    let n = 0;
    for (const d of this.deployments.values()) n += d.breakerTrips;
    return n;
  }

  /** Successful latencies of the requests that asked for these groups, sorted. */
  latenciesOf(groups: readonly string[]): Float64Array {
    const parts = groups.map((g) => this.groups.get(g)?.latencies.sorted() ?? new Float64Array());
    const all = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return all.sort();
  }

  get neededFallback(): number {
    return this.total.neededFallback;
  }

  /** Spend and baseline spend of served requests over the window. */
  get spend(): { usd: number; baselineUsd: number } {
    return { usd: this.total.spendUsd, baselineUsd: this.total.baselineUsd };
  }
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function latencySummary(sorted: Float64Array): LatencySummary | null {
  if (sorted.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    p50: round(percentile(sorted, 0.5), 1),
    p95: round(percentile(sorted, 0.95), 1),
    p99: round(percentile(sorted, 0.99), 1),
    mean: round(sum / sorted.length, 1),
  };
}

function groupReport(t: GroupTally, monthlyUsd: number, baselineMonthlyUsd: number, breakerTrips: number): GroupReport {
  return {
    requests: t.requests,
    succeeded: t.succeeded,
    errors: t.errors,
    shed: t.shed,
    successRate: ratio(t.succeeded, t.requests),
    fallbackRate: ratio(t.neededFallback, t.requests - t.tenantLimited),
    fallbackSuccessRate: ratio(t.servedByFallback, t.neededFallback),
    latencyMs: latencySummary(t.latencies.sorted()),
    http429: t.http429,
    breakerTrips,
    failures: Object.fromEntries([...t.failures].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    costUsd: round(t.spendUsd, 2),
    monthlyCostUsd: round(monthlyUsd, 2),
    baselineMonthlyCostUsd: round(baselineMonthlyUsd, 2),
  };
}
