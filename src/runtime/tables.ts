/**
 * The plan, indexed for the hot path: done once in createRouter so that a
 * routing decision is array walks over precomputed candidates, never a
 * lookup by id or a sort.
 */
import type { CompiledPlan, PlanBreaker, PlanDeployment, PlanGroup, PlanRetries, Strategy } from '../plan/types.ts';
import type { Step } from './types.ts';

/** Window of every rpm / tpm limit. */
export const LIMIT_WINDOW_MS = 60_000;

export interface RtDeployment {
  index: number;
  id: string;
  plan: PlanDeployment;
  contextWindow: number;
  /** Infinity when the plan sets no limit. */
  rpm: number;
  tpm: number;
  /** USD per token. */
  inputPrice: number;
  outputPrice: number;
  weight: number;
  timeoutMs: number | null;
  /** A breaker is per deployment: the config of the first group (by name) that lists it. */
  breaker: PlanBreaker;
}

export interface RtLink {
  group: RtGroup;
  step: Step;
}

export interface RtGroup {
  index: number;
  name: string;
  plan: PlanGroup;
  strategy: Strategy;
  candidates: RtDeployment[];
  retries: PlanRetries;
  requestTimeoutMs: number;
  maxContextWindow: number;
  /** The group, then its fallbacks in declared order. */
  chain: RtLink[];
  /** For requests too long for the group: the group, its context-window fallbacks, then its fallbacks. */
  longChain: RtLink[];
}

export interface RtTenant {
  index: number;
  id: string;
  rpm: number;
  tpm: number;
  budgetUsd: number;
  /** By group index. */
  allowed: Uint8Array;
}

export interface RouterTables {
  deployments: RtDeployment[];
  deploymentById: Map<string, RtDeployment>;
  groups: RtGroup[];
  groupByName: Map<string, RtGroup>;
  tenants: RtTenant[];
  tenantById: Map<string, RtTenant>;
}

const limit = (n: number | null): number => (n === null ? Infinity : n);

export function buildTables(plan: CompiledPlan): RouterTables {
  const groupNames = Object.keys(plan.groups).sort();
  const breakerOf = new Map<string, PlanBreaker>();
  for (const name of groupNames) for (const id of plan.groups[name]!.deployments) if (!breakerOf.has(id)) breakerOf.set(id, plan.groups[name]!.circuitBreaker);

  const deployments: RtDeployment[] = Object.keys(plan.deployments)
    .sort()
    .map((id, index) => {
      const d = plan.deployments[id]!;
      return {
        index,
        id,
        plan: d,
        contextWindow: d.contextWindow,
        rpm: limit(d.rpm),
        tpm: limit(d.tpm),
        inputPrice: d.pricing.inputPer1M / 1e6,
        outputPrice: d.pricing.outputPer1M / 1e6,
        weight: d.weight,
        timeoutMs: d.timeoutMs,
        breaker: breakerOf.get(id) ?? { errorRateThreshold: 1, minRequests: 1, windowMs: LIMIT_WINDOW_MS, cooldownMs: 0, halfOpenProbes: 1 },
      };
    });
  const deploymentById = new Map(deployments.map((d) => [d.id, d]));

  const groups: RtGroup[] = groupNames.map((name, index) => {
    const g = plan.groups[name]!;
    return {
      index,
      name,
      plan: g,
      strategy: g.strategy,
      candidates: g.deployments.map((id) => {
        const d = deploymentById.get(id);
        if (!d) throw new Error(`plan group "${name}" lists unknown deployment "${id}"`);
        return d;
      }),
      retries: g.retries,
      requestTimeoutMs: g.timeouts.requestMs,
      maxContextWindow: g.maxContextWindow,
      chain: [],
      longChain: [],
    };
  });
  const groupByName = new Map(groups.map((g) => [g.name, g]));
  const link = (name: string, step: Step): RtLink => {
    const group = groupByName.get(name);
    if (!group) throw new Error(`plan refers to unknown group "${name}"`);
    return { group, step };
  };
  const dedupe = (links: RtLink[]) => links.filter((l, i) => links.findIndex((m) => m.group === l.group) === i);
  for (const g of groups) {
    const primary: RtLink = { group: g, step: 'primary' };
    const fallbacks = g.plan.fallbacks.map((n) => link(n, 'fallback'));
    g.chain = dedupe([primary, ...fallbacks]);
    g.longChain = dedupe([primary, ...g.plan.contextWindowFallbacks.map((n) => link(n, 'context-window-fallback')), ...fallbacks]);
  }

  const tenants: RtTenant[] = Object.keys(plan.tenants)
    .sort()
    .map((id, index) => {
      const t = plan.tenants[id]!;
      const allowed = new Uint8Array(groups.length);
      for (const name of t.allowedGroups) {
        const g = groupByName.get(name);
        if (g) allowed[g.index] = 1;
      }
      return { index, id, rpm: limit(t.rpm), tpm: limit(t.tpm), budgetUsd: limit(t.monthlyBudgetUsd), allowed };
    });
  return { deployments, deploymentById, groups, groupByName, tenants, tenantById: new Map(tenants.map((t) => [t.id, t])) };
}
