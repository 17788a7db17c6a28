import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Policy, type PolicyInput } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { parsePlan } from '../../src/plan/read.ts';
import { emitAll } from '../../src/targets/index.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';

const RUNS = { numRuns: 200 };

const compile = (input: PolicyInput) => compilePolicy(Policy.parse(input));

/** A seeded permutation, so fast-check can shrink the seed and replay it. */
function shuffled<T>(xs: readonly T[] | undefined, seed: number): T[] | undefined {
  if (!xs) return xs;
  const out = [...xs];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = (s >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('compilePolicy on arbitrary valid policies', () => {
  it('produces a plan and no error diagnostics', () => {
    fc.assert(
      fc.property(arbitraryPolicy, (input) => {
        const r = compile(input);
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        expect(r.plan).toBeDefined();
      }),
      RUNS,
    );
  });

  it('is deterministic: compiling twice gives byte-identical artifacts', () => {
    fc.assert(
      fc.property(arbitraryPolicy, (input) => {
        const a = emitAll(compile(input).plan!);
        const b = emitAll(compile(structuredClone(input)).plan!);
        expect(b).toEqual(a);
      }),
      RUNS,
    );
  });

  it('round-trips through plan.json with the same hash and content', () => {
    fc.assert(
      fc.property(arbitraryPolicy, (input) => {
        const plan = compile(input).plan!;
        const file = emitAll(plan).find((a) => a.path === 'plan.json')!;
        const back = parsePlan(file.content);
        expect(back.hash).toBe(plan.hash);
        expect(back).toEqual(plan);
      }),
      RUNS,
    );
  });

  it('does not depend on the order of top-level lists', () => {
    fc.assert(
      fc.property(arbitraryPolicy, fc.integer(), (input, seed) => {
        const moved: PolicyInput = {
          ...input,
          providers: shuffled(input.providers, seed),
          deployments: shuffled(input.deployments, seed + 1),
          modelGroups: shuffled(input.modelGroups, seed + 2),
          tenants: shuffled(input.tenants, seed + 3),
          gpuPools: shuffled(input.gpuPools, seed + 4),
          batchProfiles: shuffled(input.batchProfiles, seed + 5),
          slos: { targets: shuffled(input.slos?.targets, seed + 6), alerts: shuffled(input.slos?.alerts, seed + 7) },
        };
        const a = compile(input).plan!;
        const b = compile(moved).plan!;
        expect(b.hash).toBe(a.hash);
        expect(b).toEqual(a);
      }),
      RUNS,
    );
  });
});
