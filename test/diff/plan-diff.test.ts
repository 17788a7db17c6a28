import { beforeAll, describe, expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { diffPlans, isEmptyDiff } from '../../src/diff/plan-diff.ts';
import { deploymentShares, providerShares } from '../../src/diff/traffic.ts';
import { basePolicy } from '../fixtures/policies.ts';

type Input = ReturnType<typeof basePolicy>;

/** The base policy plus traffic, tenant limits and a two-deployment group, which the diff needs to show anything. */
function fuller(): Input {
  const p = basePolicy();
  p.deployments.push({ ...p.deployments[1]!, id: 'azure-gpt-4o-eu', weight: 1 });
  p.modelGroups[1]!.deployments = ['azure-gpt-4o', 'azure-gpt-4o-eu'];
  p.modelGroups[1]!.strategy = 'weighted';
  p.modelGroups[0]!.traffic = { peakRpm: 100, meanInputTokens: 1000, meanOutputTokens: 200 };
  p.modelGroups[1]!.traffic = { peakRpm: 50, meanInputTokens: 1000, meanOutputTokens: 200 };
  for (const t of p.tenants) t.rpm = 100;
  return p;
}

function compile(edit: (p: Input) => void = () => {}): CompiledPlan {
  const p = fuller();
  edit(p);
  const r = compilePolicy(Policy.parse(p));
  if (!r.plan) throw new Error(JSON.stringify(r.diagnostics));
  return r.plan;
}

let base: CompiledPlan;
beforeAll(() => {
  base = compile();
});

describe('diffPlans', () => {
  it('finds nothing between a plan and itself', () => {
    const d = diffPlans(base, base);
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.cost.changePercent).toBe(0);
    expect(d.cost.monthlyBeforeUsd).toBeGreaterThan(0);
  });

  it('reports a removed fallback with before and after chains', () => {
    const head = compile((p) => void (p.modelGroups[0]!.fallbacks = ['local']));
    const g = diffPlans(base, head).groups.chat!;
    expect(g.status).toBe('changed');
    expect(g.fallbacks).toMatchObject({ before: ['chat-azure', 'local'], after: ['local'], removed: ['chat-azure'], added: [] });
  });

  it('tells loosened from tightened breaker and retry settings', () => {
    const head = compile((p) => {
      p.modelGroups[0]!.circuitBreaker = { errorRateThreshold: 0.2, cooldown: '5s' };
      p.modelGroups[1]!.retries = { count: 0 };
    });
    const d = diffPlans(base, head);
    expect(d.groups.chat!.circuitBreaker.loosened).toEqual(['cooldownMs', 'errorRateThreshold']);
    expect(d.groups['chat-azure']!.retries).toEqual({ loosened: [], tightened: ['count'] });
  });

  it('reports tenant limit changes', () => {
    const head = compile((p) => void (p.tenants[0]!.rpm = 300));
    const [id, t] = Object.entries(diffPlans(base, head).tenants)[0]!;
    expect(id).toBe(basePolicy().tenants[0]!.id);
    expect(t.rpm.after).toBe(t.rpm.before! * 3);
  });

  it('moves traffic share when weights change, and each side sums to 100', () => {
    const head = compile((p) => void (p.deployments.find((d) => d.id === 'azure-gpt-4o')!.weight = 9));
    const azure = diffPlans(base, head).groups['chat-azure']!;
    expect(azure.deploymentShare).toEqual({ before: { 'azure-gpt-4o': 50, 'azure-gpt-4o-eu': 50 }, after: { 'azure-gpt-4o': 90, 'azure-gpt-4o-eu': 10 } });
    for (const [, g] of Object.entries(diffPlans(base, head).groups)) {
      for (const side of [g.deploymentShare.before, g.deploymentShare.after, g.providerShare.after]) {
        const sum = Object.values(side).reduce((a, b) => a + b, 0);
        if (Object.keys(side).length) expect(sum).toBeCloseTo(100, 9);
      }
    }
  });

  it('lists changed deployment fields', () => {
    const head = compile((p) => void (p.deployments.find((d) => d.id === 'azure-gpt-4o')!.weight = 9));
    expect(diffPlans(base, head).deployments).toEqual({ 'azure-gpt-4o': { status: 'changed', changes: [{ field: 'weight', before: 1, after: 9 }] } });
  });

  it('projects monthly cost before and after a price change', () => {
    const head = compile((p) => {
      for (const d of p.deployments) d.pricing = { inputPer1M: d.pricing.inputPer1M * 2, outputPer1M: d.pricing.outputPer1M * 2 };
    });
    const d = diffPlans(base, head);
    expect(d.cost.changePercent).toBe(100);
  });
});

describe('traffic shares', () => {
  it('ordered sends everything to the first deployment; weighted follows weights', () => {
    const plan = compile((p) => void (p.modelGroups[1]!.strategy = 'ordered'));
    expect(deploymentShares(plan, plan.groups['chat-azure']!)).toEqual({ 'azure-gpt-4o': 100, 'azure-gpt-4o-eu': 0 });
    for (const g of Object.values(plan.groups)) {
      const shares = deploymentShares(plan, g);
      const sum = Object.values(shares).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(100, 9);
      expect(Object.values(providerShares(plan, g)).reduce((a, b) => a + b, 0)).toBeCloseTo(100, 9);
    }
  });
});
