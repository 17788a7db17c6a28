import { describe, expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { codesAt } from '../fixtures/policies.ts';
import { syntheticPolicy } from './synthetic-policy.ts';

describe('syntheticPolicy', () => {
  it('is deterministic', () => {
    expect(syntheticPolicy({ deployments: 100, groups: 10, tenants: 10 })).toEqual(syntheticPolicy({ deployments: 100, groups: 10, tenants: 10 }));
  });

  it('compiles the benchmark size (10k deployments, 1k groups, 1k tenants) with no diagnostics', () => {
    const r = compilePolicy(Policy.parse(syntheticPolicy({ deployments: 10_000, groups: 1_000, tenants: 1_000 })));
    expect(codesAt(r.diagnostics)).toEqual([]);
    expect(Object.keys(r.plan!.deployments)).toHaveLength(10_000);
    expect(Object.keys(r.plan!.groups)).toHaveLength(1_000);
    expect(Object.keys(r.plan!.tenants)).toHaveLength(1_000);
  });

  it('compiles small and uneven sizes too', () => {
    for (const size of [
      { deployments: 1, groups: 1, tenants: 0 },
      { deployments: 7, groups: 5, tenants: 3 },
    ]) {
      expect(codesAt(compilePolicy(Policy.parse(syntheticPolicy(size))).diagnostics)).toEqual([]);
    }
  });
});
