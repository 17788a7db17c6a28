/**
 * The single-provider cost baseline: the one deployment whose prices say
 * what the traffic would cost with no routing. Shared by the analytics SQL
 * (its cost_baseline view) and the simulator (cost against the baseline), so
 * both compare with the same deployment.
 */
import { compareStrings } from './defaults.ts';
import type { CompiledPlan, PlanDeployment, PlanGroup } from './types.ts';

const sortedIds = <T>(rec: Record<string, T>) => Object.keys(rec).sort(compareStrings);

/** What one request of the group's traffic mix costs on the deployment, in USD per 1M requests' worth of tokens. */
function blendedPrice(d: PlanDeployment, g: PlanGroup | undefined): number {
  const input = g?.traffic?.meanInputTokens ?? 1;
  const output = g?.traffic?.meanOutputTokens ?? 1;
  return input * d.pricing.inputPer1M + output * d.pricing.outputPer1M;
}

function mostExpensive(plan: CompiledPlan, ids: readonly string[], g: PlanGroup | undefined): string | null {
  let best: PlanDeployment | null = null;
  for (const id of [...ids].sort(compareStrings)) {
    const d = plan.deployments[id];
    if (d !== undefined && (best === null || blendedPrice(d, g) > blendedPrice(best, g))) best = d;
  }
  return best?.id ?? null;
}

/**
 * The default single-provider baseline: what the traffic would cost with no
 * routing at all, i.e. everything sent to the primary interactive
 * deployment. The primary group is the busiest interactive group that no
 * other group falls back to (the entry of the interactive chain; by
 * monthly requests, then name); within it, the deployment that is dearest
 * at the group's token mix (then id). Without interactive groups, any group
 * takes part; without groups, the dearest deployment of the plan.
 */
export function baselineDeployment(plan: CompiledPlan): string | null {
  const groups = sortedIds(plan.groups).map((n) => plan.groups[n]!);
  const targets = new Set(groups.flatMap((g) => [...g.fallbacks, ...g.contextWindowFallbacks]));
  const interactive = groups.filter((g) => g.workload === 'interactive' && g.deployments.length > 0);
  const entries = interactive.filter((g) => !targets.has(g.name));
  const candidates = entries.length > 0 ? entries : interactive.length > 0 ? interactive : groups.filter((g) => g.deployments.length > 0);
  let primary: PlanGroup | undefined;
  for (const g of candidates) if (primary === undefined || (g.traffic?.monthlyRequests ?? 0) > (primary.traffic?.monthlyRequests ?? 0)) primary = g;
  return primary !== undefined ? mostExpensive(plan, primary.deployments, primary) : mostExpensive(plan, Object.keys(plan.deployments), undefined);
}
