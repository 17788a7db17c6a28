/**
 * Expected traffic share of each deployment of a group, from the plan alone
 * (no live metrics), so a reviewer sees where requests will go:
 * - weighted: proportional to weight;
 * - usage_based: proportional to declared capacity (tpm, else rpm) when every
 *   deployment declares it, since the router fills the emptiest deployment
 *   first; otherwise proportional to weight;
 * - ordered: everything to the first deployment;
 * - cost_based: split evenly among the cheapest for the group's mean request;
 * - latency_based: an even split, as latency is only known at run time.
 * Shares are percentages in tenths that sum to exactly 100.
 */
import { assertNever } from '../model/closed-sets.ts';
import { tokenCostUsd } from '../plan/pricing.ts';
import type { CompiledPlan, PlanDeployment, PlanGroup } from '../plan/types.ts';

/**
 * Percentages in tenths that add up to exactly 100 (largest-remainder
 * rounding), so a report never shows 99.9% of a group's traffic.
 */
function normalize(raw: Map<string, number>): Record<string, number> {
  const total = [...raw.values()].reduce((a, b) => a + b, 0);
  const out: Record<string, number> = {};
  if (total <= 0) return out;
  const entries = [...raw].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const exact = entries.map(([k, v]) => [k, (v / total) * 1000] as const);
  const tenths = new Map(exact.map(([k, x]) => [k, Math.floor(x)]));
  let left = 1000 - [...tenths.values()].reduce((a, b) => a + b, 0);
  for (const [k] of [...exact].sort((x, y) => y[1] - Math.floor(y[1]) - (x[1] - Math.floor(x[1])) || (x[0] < y[0] ? -1 : 1))) {
    if (left-- <= 0) break;
    tenths.set(k, tenths.get(k)! + 1);
  }
  for (const [k] of entries) out[k] = tenths.get(k)! / 10;
  return out;
}

function requestCost(d: PlanDeployment, g: PlanGroup): number {
  const inTok = g.traffic?.meanInputTokens ?? 1000;
  const outTok = g.traffic?.meanOutputTokens ?? 250;
  return tokenCostUsd(d.pricing, inTok, outTok);
}

export function deploymentShares(plan: CompiledPlan, group: PlanGroup): Record<string, number> {
  const ds = group.deployments.map((id) => plan.deployments[id]).filter((d): d is PlanDeployment => d !== undefined);
  // Every deployment is listed, with 0 where the strategy sends it nothing.
  const raw = new Map<string, number>(ds.map((d) => [d.id, 0]));
  if (ds.length === 0) return {};
  switch (group.strategy) {
    case 'ordered':
      raw.set(ds[0]!.id, 1);
      break;
    case 'cost_based': {
      const cheapest = Math.min(...ds.map((d) => requestCost(d, group)));
      for (const d of ds) if (requestCost(d, group) === cheapest) raw.set(d.id, 1);
      break;
    }
    case 'latency_based':
      for (const d of ds) raw.set(d.id, 1);
      break;
    case 'usage_based': {
      const capacity = ds.every((d) => d.tpm !== null) ? ds.map((d) => d.tpm!) : ds.every((d) => d.rpm !== null) ? ds.map((d) => d.rpm!) : null;
      ds.forEach((d, i) => raw.set(d.id, capacity ? capacity[i]! : Math.max(d.weight, 0)));
      break;
    }
    case 'weighted':
      for (const d of ds) raw.set(d.id, Math.max(d.weight, 0));
      break;
    default:
      assertNever(group.strategy);
  }
  return normalize(raw);
}

export function providerShares(plan: CompiledPlan, group: PlanGroup): Record<string, number> {
  const raw = new Map<string, number>();
  for (const [id, share] of Object.entries(deploymentShares(plan, group))) {
    const provider = plan.deployments[id]!.provider;
    raw.set(provider, (raw.get(provider) ?? 0) + share);
  }
  return normalize(raw);
}

/** Projected monthly spend of a group's own traffic (fallback traffic is not counted twice). */
export function groupMonthlyCost(plan: CompiledPlan, group: PlanGroup): number {
  if (!group.traffic) return 0;
  let perRequest = 0;
  for (const [id, share] of Object.entries(deploymentShares(plan, group))) perRequest += (share / 100) * requestCost(plan.deployments[id]!, group);
  return Math.round(perRequest * group.traffic.monthlyRequests * 100) / 100;
}

export function planMonthlyCost(plan: CompiledPlan): number {
  let total = 0;
  for (const g of Object.values(plan.groups)) total += groupMonthlyCost(plan, g);
  return Math.round(total * 100) / 100;
}
