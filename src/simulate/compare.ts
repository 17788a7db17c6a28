/**
 * A change's simulated impact: baseline and N-1 (every provider of either
 * plan down in turn) simulated on the base and on the head plan with the same
 * seed and window, side by side. This is what `switchyard diff` shows and
 * what the risk rules read as `input.simulation`; like the diff's other
 * shapes it is a contract: add fields, never rename them.
 */
import { stableStringify } from '../plan/canonical-json.ts';
import type { CompiledPlan } from '../plan/types.ts';
import type { ScenarioReport, SloStatus } from './report.ts';
import { simulateScenario } from './run.ts';
import { BASELINE, providerDown, type Scenario, type ScenarioKind } from './scenario.ts';

export interface ScenarioSummary {
  requests: number;
  successRate: number | null;
  fallbackRate: number | null;
  fallbackSuccessRate: number | null;
  p95LatencyMs: number | null;
  http429: number;
  breakerTrips: number;
  monthlyCostUsd: number;
  /** By SLO id. */
  slos: Record<string, { metric: string; objective: string; status: SloStatus; value: number | null }>;
}

export interface ScenarioComparison {
  name: string;
  kind: ScenarioKind;
  target: string | null;
  /** Null where the scenario does not apply to that side (a provider only the other plan has). */
  base: ScenarioSummary | null;
  head: ScenarioSummary | null;
}

export interface SimulationComparison {
  durationMs: number;
  seed: number;
  scenarios: ScenarioComparison[];
}

/** What the simulator reads from a plan: when none of it differs, neither can the simulation. */
export function routingDiffers(base: CompiledPlan, head: CompiledPlan): boolean {
  const parts = (p: CompiledPlan) =>
    stableStringify(
      {
        providers: p.providers,
        deployments: p.deployments,
        groups: p.groups,
        routerState: p.routerState,
        tenants: p.tenants,
        pools: p.pools,
        slos: p.slos.targets,
      },
      0,
    );
  return parts(base) !== parts(head);
}

function summarize(r: ScenarioReport): ScenarioSummary {
  return {
    requests: r.totals.requests,
    successRate: r.totals.successRate,
    fallbackRate: r.totals.fallbackRate,
    fallbackSuccessRate: r.totals.fallbackSuccessRate,
    p95LatencyMs: r.totals.latencyMs?.p95 ?? null,
    http429: r.totals.http429,
    breakerTrips: r.breakerTrips,
    monthlyCostUsd: r.cost.monthlyUsd,
    slos: Object.fromEntries(r.slos.map((s) => [s.id, { metric: s.metric, objective: s.objective, status: s.status, value: s.value }])),
  };
}

/** Baseline, then every provider of either plan down, in id order. */
function comparisonScenarios(base: CompiledPlan, head: CompiledPlan): Scenario[] {
  const providers = [...new Set([...Object.keys(base.providers), ...Object.keys(head.providers)])].sort();
  return [BASELINE, ...providers.map(providerDown)];
}

export async function compareSimulations(base: CompiledPlan, head: CompiledPlan, opts: { durationMs: number; seed: number }): Promise<SimulationComparison> {
  const scenarios: ScenarioComparison[] = [];
  const on = async (plan: CompiledPlan, s: Scenario) =>
    s.kind === 'provider-down' && !plan.providers[s.target!] ? null : summarize(await simulateScenario(plan, s, opts));
  for (const s of comparisonScenarios(base, head)) {
    scenarios.push({ name: s.name, kind: s.kind, target: s.target, base: await on(base, s), head: await on(head, s) });
  }
  return { durationMs: opts.durationMs, seed: opts.seed, scenarios };
}
