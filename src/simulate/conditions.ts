/**
 * A scenario's events as lookups by time: what is wrong with a deployment at
 * t, a group's traffic multiplier at t, whether the shared store is down.
 * When events of one kind overlap, the one declared last wins. Times are ms
 * from the start of the run.
 */
import type { CompiledPlan } from '../plan/types.ts';
import { type OutageMode, type Scenario, type ScenarioEvent, targetDeployments } from './scenario.ts';

type Timed<E> = E & { fromMs: number; toMs: number };
type Outage = Timed<{ mode: OutageMode }>;
type Latency = Timed<{ multiplier: number | null; p50Ms: number | null; p95Ms: number | null }>;
type ErrorRate = Timed<{ rate: number }>;

export interface DeploymentConditions {
  outages: Outage[];
  latency: Latency[];
  errorRate: ErrorRate[];
}

const active = <E extends { fromMs: number; toMs: number }>(list: readonly E[], t: number): E | undefined => {
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i]!;
    if (t >= e.fromMs && t < e.toMs) return e;
  }
  return undefined;
};

export class Conditions {
  private readonly byDeployment = new Map<string, DeploymentConditions>();
  private readonly traffic: Array<Timed<{ group: string | null; multiplier: number }>> = [];
  private readonly storeDown: Array<Timed<object>> = [];

  constructor(plan: CompiledPlan, scenario: Scenario) {
    for (const e of scenario.events) this.add(plan, e);
  }

  private add(plan: CompiledPlan, e: ScenarioEvent): void {
    if (e.kind === 'traffic') return void this.traffic.push(e);
    if (e.kind === 'state-store-down') return void this.storeDown.push(e);
    for (const id of targetDeployments(plan, e.target)) {
      let c = this.byDeployment.get(id);
      if (!c) this.byDeployment.set(id, (c = { outages: [], latency: [], errorRate: [] }));
      if (e.kind === 'outage') c.outages.push(e);
      else if (e.kind === 'latency') c.latency.push(e);
      else c.errorRate.push(e);
    }
  }

  /** Null for a deployment no event touches (the common case, one map lookup). */
  of(deployment: string): DeploymentConditions | null {
    return this.byDeployment.get(deployment) ?? null;
  }

  static outage(c: DeploymentConditions, t: number): OutageMode | null {
    return active(c.outages, t)?.mode ?? null;
  }

  static latency(c: DeploymentConditions, t: number): Latency | undefined {
    return active(c.latency, t);
  }

  static errorRate(c: DeploymentConditions, t: number): number | null {
    return active(c.errorRate, t)?.rate ?? null;
  }

  /** The traffic multiplier of a group at t: the last event in force that names the group or all groups, else 1. */
  multiplier(group: string, t: number): number {
    for (let i = this.traffic.length - 1; i >= 0; i--) {
      const e = this.traffic[i]!;
      if ((e.group === null || e.group === group) && t >= e.fromMs && t < e.toMs) return e.multiplier;
    }
    return 1;
  }

  /** The highest multiplier the group sees during [0, durationMs) (for thinning), and its time average. */
  multiplierRange(group: string, durationMs: number): { max: number; mean: number } {
    const cuts = new Set<number>([0, durationMs]);
    for (const e of this.traffic) {
      if (e.group !== null && e.group !== group) continue;
      for (const x of [e.fromMs, e.toMs]) if (x > 0 && x < durationMs) cuts.add(x);
    }
    const points = [...cuts].sort((a, b) => a - b);
    let max = 0;
    let area = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const m = this.multiplier(group, points[i]!);
      max = Math.max(max, m);
      area += m * (points[i + 1]! - points[i]!);
    }
    return { max, mean: durationMs > 0 ? area / durationMs : 1 };
  }

  storeDownAt(t: number): boolean {
    return active(this.storeDown, t) !== undefined;
  }

  get usesStoreOutage(): boolean {
    return this.storeDown.length > 0;
  }
}
