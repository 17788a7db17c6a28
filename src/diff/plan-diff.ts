/**
 * diff(base plan, head plan) -> PlanDiff (see types.ts). Pure. Only what
 * changed is listed; diff(a, a) has no entries and no artifacts.
 */
import type { CompiledPlan, PlanBreaker, PlanGroup, PlanRetries, PlanTenant } from '../plan/types.ts';
import { groupMonthlyCost, deploymentShares, planMonthlyCost, providerShares } from './traffic.ts';
import type { ArtifactDiff, EntityStatus, FieldChange, GroupDiff, PlanDiff, TenantDiff } from './types.ts';

const EMPTY_PLAN_PARTS = { groups: {}, tenants: {}, pools: {}, batchProfiles: {}, deployments: {} };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sortedKeys = (...objs: object[]) => [...new Set(objs.flatMap((o) => Object.keys(o)))].sort();

function listChange(before: string[], after: string[]) {
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  const common = (xs: string[], other: string[]) => xs.filter((x) => other.includes(x));
  return { before, after, added, removed, reordered: !same(common(before, after), common(after, before)) };
}

/**
 * Which way each breaker field makes the breaker more permissive: a higher
 * threshold, more requests before judging, a shorter cooldown and more
 * half-open probes all let more traffic reach a failing deployment.
 */
const BREAKER_LOOSER: Record<keyof PlanBreaker, 'up' | 'down'> = {
  errorRateThreshold: 'up',
  minRequests: 'up',
  windowMs: 'up',
  cooldownMs: 'down',
  halfOpenProbes: 'up',
};

function breakerChange(before: PlanBreaker | undefined, after: PlanBreaker | undefined) {
  const loosened: string[] = [];
  const tightened: string[] = [];
  if (before && after)
    for (const k of Object.keys(BREAKER_LOOSER).sort() as Array<keyof PlanBreaker>) {
      if (before[k] === after[k]) continue;
      const up = after[k] > before[k];
      (up === (BREAKER_LOOSER[k] === 'up') ? loosened : tightened).push(k);
    }
  return { loosened, tightened };
}

/**
 * Retries are loosened when a failing provider gets hit harder or longer:
 * more retries, more retryable status codes, shorter backoff, longer timeout.
 */
function retriesChange(before: PlanGroup | undefined, after: PlanGroup | undefined) {
  const loosened: string[] = [];
  const tightened: string[] = [];
  if (!before || !after) return { loosened, tightened };
  const cmp = (name: string, b: number, a: number, looserWhenUp: boolean) => {
    if (a !== b) (a > b === looserWhenUp ? loosened : tightened).push(name);
  };
  const rb: PlanRetries = before.retries;
  const ra: PlanRetries = after.retries;
  cmp('count', rb.count, ra.count, true);
  cmp('backoff.initialMs', rb.backoff.initialMs, ra.backoff.initialMs, false);
  cmp('backoff.maxMs', rb.backoff.maxMs, ra.backoff.maxMs, false);
  cmp('backoff.multiplier', rb.backoff.multiplier, ra.backoff.multiplier, false);
  cmp('timeouts.requestMs', before.timeouts.requestMs, after.timeouts.requestMs, true);
  const addedCodes = ra.retryOn.filter((c) => !rb.retryOn.includes(c));
  const removedCodes = rb.retryOn.filter((c) => !ra.retryOn.includes(c));
  if (addedCodes.length) loosened.push('retryOn');
  else if (removedCodes.length) tightened.push('retryOn');
  return { loosened, tightened };
}

function status(before: unknown, after: unknown): EntityStatus {
  return before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
}

function groupDiff(base: CompiledPlan, head: CompiledPlan, name: string): GroupDiff | undefined {
  const b = base.groups[name];
  const a = head.groups[name];
  const providerShare = { before: b ? providerShares(base, b) : {}, after: a ? providerShares(head, a) : {} };
  const deploymentShare = { before: b ? deploymentShares(base, b) : {}, after: a ? deploymentShares(head, a) : {} };
  const monthlyCostUsd = { before: b ? groupMonthlyCost(base, b) : 0, after: a ? groupMonthlyCost(head, a) : 0 };
  // Deployment edits (price, limits) change a group without touching the group itself.
  const deploymentsOf = (p: CompiledPlan, g?: PlanGroup) => g?.deployments.map((id) => p.deployments[id]);
  if (same(b, a) && same(deploymentsOf(base, b), deploymentsOf(head, a))) return undefined;
  return {
    status: status(b, a),
    providerShare,
    deploymentShare,
    fallbacks: listChange(b?.fallbacks ?? [], a?.fallbacks ?? []),
    contextWindowFallbacks: listChange(b?.contextWindowFallbacks ?? [], a?.contextWindowFallbacks ?? []),
    circuitBreaker: breakerChange(b?.circuitBreaker, a?.circuitBreaker),
    retries: retriesChange(b, a),
    strategy: b?.strategy !== a?.strategy ? { before: b?.strategy ?? null, after: a?.strategy ?? null } : null,
    monthlyCostUsd,
  };
}

function tenantDiff(b: PlanTenant | undefined, a: PlanTenant | undefined): TenantDiff | undefined {
  if (same(b, a)) return undefined;
  return {
    status: status(b, a),
    rpm: { before: b?.rpm ?? null, after: a?.rpm ?? null },
    tpm: { before: b?.tpm ?? null, after: a?.tpm ?? null },
    monthlyBudgetUsd: { before: b?.monthlyBudgetUsd ?? null, after: a?.monthlyBudgetUsd ?? null },
    allowedGroups: {
      added: (a?.allowedGroups ?? []).filter((g) => !(b?.allowedGroups ?? []).includes(g)),
      removed: (b?.allowedGroups ?? []).filter((g) => !(a?.allowedGroups ?? []).includes(g)),
    },
  };
}

/** Leaf-level changes between two JSON values, as dotted field paths. */
function fieldChanges(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    return sortedKeys(before, after).flatMap((k) => fieldChanges(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  return same(before, after) ? [] : [{ field: prefix, before: before ?? null, after: after ?? null }];
}

function entityChanges<T extends object>(before: Record<string, T>, after: Record<string, T>) {
  const out: Record<string, { status: EntityStatus; changes: FieldChange[] }> = {};
  for (const id of sortedKeys(before, after)) {
    const changes = fieldChanges(before[id], after[id]);
    if (changes.length) out[id] = { status: status(before[id], after[id]), changes: before[id] && after[id] ? changes : [] };
  }
  return out;
}

const poolModels = (p: CompiledPlan) => Object.fromEntries(Object.values(p.pools).flatMap((pool) => Object.values(pool.models).map((m) => [m.id, m] as const)));

/** `base` null means "no base" (a first policy): everything is added. */
export function diffPlans(base: CompiledPlan | null, head: CompiledPlan, artifacts: ArtifactDiff[] = []): PlanDiff {
  const b = base ?? ({ ...head, ...EMPTY_PLAN_PARTS, hash: '' } as CompiledPlan);
  const groups: Record<string, GroupDiff> = {};
  for (const name of sortedKeys(b.groups, head.groups)) {
    const d = groupDiff(b, head, name);
    if (d) groups[name] = d;
  }
  const tenants: Record<string, TenantDiff> = {};
  for (const id of sortedKeys(b.tenants, head.tenants)) {
    const d = tenantDiff(b.tenants[id], head.tenants[id]);
    if (d) tenants[id] = d;
  }
  const before = planMonthlyCost(b);
  const after = planMonthlyCost(head);
  return {
    baseHash: base?.hash ?? null,
    headHash: head.hash,
    groups,
    tenants,
    deployments: entityChanges(b.deployments, head.deployments),
    poolModels: entityChanges(poolModels(b), poolModels(head)),
    batchProfiles: entityChanges(b.batchProfiles, head.batchProfiles),
    cost: {
      monthlyBeforeUsd: before,
      monthlyAfterUsd: after,
      changePercent: before > 0 ? Math.round(((after - before) / before) * 1000) / 10 : null,
    },
    artifacts,
  };
}

/** True when the two plans differ in nothing a reviewer would see. */
export const isEmptyDiff = (d: PlanDiff): boolean =>
  Object.keys(d.groups).length +
    Object.keys(d.tenants).length +
    Object.keys(d.deployments).length +
    Object.keys(d.poolModels).length +
    Object.keys(d.batchProfiles).length +
    d.artifacts.length ===
  0;
