/**
 * The simulator's entry point: every scenario run on the same plan with the
 * same seed, one after the other (each from a fresh state), in one report.
 */
import type { CompiledPlan } from '../plan/types.ts';
import type { SimulationReport } from './report.ts';
import { type SimulateOptions, simulateScenario } from './run.ts';
import type { Scenario } from './scenario.ts';

export async function simulate(plan: CompiledPlan, scenarios: readonly Scenario[], opts: SimulateOptions): Promise<SimulationReport> {
  const reports = [];
  for (const s of scenarios) reports.push(await simulateScenario(plan, s, opts));
  return { schemaVersion: 1, plan: { name: plan.name, hash: plan.hash }, seed: opts.seed, durationMs: opts.durationMs, scenarios: reports };
}
