/**
 * The simulator's entry point: every scenario run on the same plan with the
 * same seed, one after the other (each from a fresh state), in one report.
 */
import type { CompiledPlan } from '../plan/types.ts';
import { servablePlan } from '../runtime/servable.ts';
import type { SimulationReport } from './report.ts';
import { type SimulateOptions, simulateScenario } from './run.ts';
import type { Scenario } from './scenario.ts';

/** The plan as the gateway serves it: pass-through deployments (only LiteLLM calls them) are out, and the report says which groups that touches. */
export async function simulate(plan: CompiledPlan, scenarios: readonly Scenario[], opts: SimulateOptions): Promise<SimulationReport> {
  const served = servablePlan(plan);
  const reports = [];
  for (const s of scenarios) reports.push(await simulateScenario(served.plan, s, opts));
  return {
    schemaVersion: 1,
    plan: { name: plan.name, hash: plan.hash },
    seed: opts.seed,
    durationMs: opts.durationMs,
    unserved: served.unserved.map((u) => ({ path: u.path, message: u.message })),
    scenarios: reports,
  };
}
