import fc from 'fast-check';
import { expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { diffPlans, isEmptyDiff } from '../../src/diff/plan-diff.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';

const plans = arbitraryPolicy.map((input) => {
  const r = compilePolicy(Policy.parse(input));
  if (!r.plan) throw new Error(`arbitrary policy did not compile: ${JSON.stringify(r.diagnostics)}`);
  return r.plan;
});

const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

it('diff(a, a) is empty', () => {
  fc.assert(
    fc.property(plans, (plan) => {
      expect(isEmptyDiff(diffPlans(plan, plan))).toBe(true);
    }),
    { numRuns: 100 },
  );
});

it('the traffic shares of every group sum to 100% on both sides', () => {
  fc.assert(
    fc.property(plans, plans, (a: CompiledPlan, b: CompiledPlan) => {
      const d = diffPlans(a, b);
      for (const g of Object.values(d.groups)) {
        for (const side of [g.deploymentShare.before, g.deploymentShare.after, g.providerShare.before, g.providerShare.after]) {
          if (Object.keys(side).length > 0) expect(Math.abs(sum(side) - 100)).toBeLessThan(1e-9);
        }
      }
    }),
    { numRuns: 100 },
  );
});
