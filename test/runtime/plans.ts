/** Small hand-made plans for unit tests of the router, built directly as CompiledPlan data. */
import type { CompiledPlan, PlanBreaker, PlanDeployment, PlanGroup, Strategy } from '../../src/plan/types.ts';

export const BREAKER: PlanBreaker = { errorRateThreshold: 0.5, minRequests: 2, windowMs: 60_000, cooldownMs: 10_000, halfOpenProbes: 2 };

export function deployment(id: string, over: Partial<PlanDeployment> = {}): PlanDeployment {
  return {
    id,
    provider: 'p',
    providerKind: 'openai',
    model: 'm',
    contextWindow: 128_000,
    rpm: null,
    tpm: null,
    pricing: { inputPer1M: 1, outputPer1M: 2 },
    weight: 1,
    order: null,
    pool: null,
    timeoutMs: null,
    tags: [],
    ...over,
  };
}

export function group(name: string, deployments: string[], over: Partial<PlanGroup> = {}): PlanGroup {
  return {
    name,
    description: null,
    workload: 'interactive',
    strategy: 'weighted',
    deployments,
    retries: { count: 2, backoff: { initialMs: 100, maxMs: 1_000, multiplier: 2 }, retryOn: [429, 500, 502, 503, 504] },
    timeouts: { requestMs: 1_000, streamFirstTokenMs: null },
    fallbacks: [],
    contextWindowFallbacks: [],
    circuitBreaker: BREAKER,
    traffic: null,
    maxContextWindow: 128_000,
    ...over,
  };
}

export function plan(deployments: PlanDeployment[], groups: PlanGroup[], tenants: CompiledPlan['tenants'] = {}): CompiledPlan {
  for (const g of groups) g.maxContextWindow = Math.max(...g.deployments.map((id) => deployments.find((d) => d.id === id)!.contextWindow));
  return {
    schemaVersion: 1,
    name: 'test',
    description: null,
    hash: `sha256:${'0'.repeat(64)}`,
    providers: {},
    deployments: Object.fromEntries(deployments.map((d) => [d.id, d])),
    groups: Object.fromEntries(groups.map((g) => [g.name, g])),
    routerState: { kind: 'memory' },
    tenants,
    pools: {},
    batchProfiles: {},
    slos: { targets: {}, alerts: {} },
  };
}

/** One group "g" of deployments d0..dn with the given weights (equal prices, so cost ties too). */
export function fixedPlan(o: { strategy: Strategy; weights: number[]; limits: boolean }): CompiledPlan {
  const ds = o.weights.map((w, i) => deployment(`d${i}`, { weight: w, ...(o.limits ? { rpm: 100, tpm: 100_000 } : {}) }));
  return plan(ds, [
    group(
      'g',
      ds.map((d) => d.id),
      { strategy: o.strategy },
    ),
  ]);
}
