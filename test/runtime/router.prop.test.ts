import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock, seededRandom } from '../../src/runtime/clock.ts';
import { createRouter } from '../../src/runtime/router.ts';
import { memoryStore } from '../../src/runtime/stores/memory.ts';
import { STRATEGIES } from '../../src/model/closed-sets.ts';
import type { CompiledPlan, Strategy } from '../../src/plan/types.ts';
import { dryRunTransport } from '../../src/runtime/dry-run.ts';
import { arbitraryPlan, commands, runModel } from './harness.ts';
import { fixedPlan } from './plans.ts';

describe('router against the reference model (memory store)', () => {
  it('holds every routing property over arbitrary plans and command sequences', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryPlan, commands(60), fc.nat(), async (plan, cmds, seed) => {
        await runModel({ plan, stores: [memoryStore()] }, cmds, seed);
      }),
      { numRuns: 120 },
    );
  });
});

/** Pearson's chi-square statistic of observed counts against expected proportions. */
function chiSquare(observed: number[], weights: number[]): number {
  const n = observed.reduce((a, b) => a + b, 0);
  const total = weights.reduce((a, b) => a + b, 0);
  return observed.reduce((s, o, i) => {
    const e = (n * weights[i]!) / total;
    return s + ((o - e) * (o - e)) / e;
  }, 0);
}

// 99.9% quantiles of chi-square for 1..5 degrees of freedom.
const CHI2_999 = [10.83, 13.82, 16.27, 18.47, 20.52];

async function frequencies(plan: CompiledPlan, group: string, n: number, seed: number): Promise<Map<string, number>> {
  const router = createRouter(plan, { clock: manualClock(), random: seededRandom(seed), transport: dryRunTransport() });
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = await router.route({ group, estimatedInputTokens: 100 });
    counts.set(r.deployment!, (counts.get(r.deployment!) ?? 0) + 1);
  }
  return counts;
}

describe('selection frequencies converge to the weights', () => {
  // Usage-based over deployments without limits ties on headroom, so the weights decide there too;
  // ordered never spreads traffic, so it has no frequencies to converge. A new strategy is tested here by default.
  for (const strategy of STRATEGIES.filter((s): s is Exclude<Strategy, 'ordered'> => s !== 'ordered')) {
    it(`${strategy}: chi-square within the 99.9% bound over 20k requests (fixed seeds)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 5 }), async (weights) => {
          const plan = fixedPlan({ strategy, weights, limits: false });
          const counts = await frequencies(plan, 'g', 20_000, 7);
          const ids = weights.map((_, i) => `d${i}`);
          expect(
            chiSquare(
              ids.map((id) => counts.get(id) ?? 0),
              weights,
            ),
          ).toBeLessThan(CHI2_999[weights.length - 2]!);
        }),
        { numRuns: 8, seed: 42 },
      );
    });
  }
});
