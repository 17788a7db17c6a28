/**
 * Policy -> CompiledPlan (without its hash): every reference resolved, every
 * default applied, durations in milliseconds, collections keyed by id, sets
 * sorted, absent values null. Call only on a policy the checks passed: a
 * dangling reference here is a compiler bug and throws.
 */
import type { Policy } from '../../model/policy.ts';
import { policyCatalog } from '../capacity/catalog.ts';
import { recordOrigin } from '../origins.ts';
import { PLAN_SCHEMA_VERSION, type CompiledPlan, type PlanDeployment, type PlanOrigins, type PlanProvider } from '../types.ts';
import { normalizeBatchProfile } from './batch.ts';
import { keyed } from './keyed.ts';
import { normalizePool } from './pools.ts';
import { normalizeBreaker, normalizeDeployment, normalizeGroup, normalizeProvider, normalizeRouterState } from './routing.ts';
import { normalizeAlert, normalizeSloTarget } from './slos.ts';
import { normalizeTenant } from './tenants.ts';

export type UnhashedPlan = Omit<CompiledPlan, 'hash'>;

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal error: ${what} was not resolved; the semantic checks should have reported it`);
  return value;
}

export function normalizePolicy(policy: Policy): { plan: UnhashedPlan; origins: PlanOrigins } {
  const origins: PlanOrigins = {};

  const providers = new Map<string, PlanProvider>();
  policy.providers.forEach((p, i) => {
    recordOrigin(origins, ['providers', p.id], ['providers', i]);
    providers.set(p.id, normalizeProvider(p));
  });

  const deployments = new Map<string, PlanDeployment>();
  policy.deployments.forEach((d, i) => {
    recordOrigin(origins, ['deployments', d.id], ['deployments', i]);
    deployments.set(d.id, normalizeDeployment(d, must(providers.get(d.provider), `provider ${d.provider} of deployment ${d.id}`)));
  });

  const defaultBreaker = normalizeBreaker(policy.circuitBreaker);
  const groups = policy.modelGroups.map((g, i) => [g.name, normalizeGroup(g, i, defaultBreaker, deployments, origins)] as const);
  const tenants = policy.tenants.map((t, i) => [t.id, normalizeTenant(t, i, origins)] as const);
  const catalog = policyCatalog(policy.models);
  const pools = policy.gpuPools.map((p, i) => [p.id, normalizePool(p, i, origins, policy.gpuPools, catalog)] as const);
  const batchProfiles = policy.batchProfiles.map((b, i) => {
    const kind = must(providers.get(b.provider), `provider ${b.provider} of batch profile ${b.id}`).kind;
    return [b.id, normalizeBatchProfile(b, i, kind, deployments, origins)] as const;
  });
  const targets = policy.slos.targets.map((t, i) => [t.id, normalizeSloTarget(t, i, origins)] as const);
  const alerts = policy.slos.alerts.map((a, i) => [a.id, normalizeAlert(a, i, origins)] as const);

  const plan: UnhashedPlan = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    name: policy.name,
    description: policy.description ?? null,
    providers: keyed([...providers]),
    deployments: keyed([...deployments]),
    groups: keyed(groups),
    routerState: normalizeRouterState(policy.routerState),
    tenants: keyed(tenants),
    pools: keyed(pools),
    batchProfiles: keyed(batchProfiles),
    slos: { targets: keyed(targets), alerts: keyed(alerts) },
    targets: { litellm: { release: policy.targets.litellm.release, enterprise: policy.targets.litellm.enterprise } },
  };
  return { plan, origins };
}
