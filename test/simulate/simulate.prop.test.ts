/**
 * Properties of the simulator over arbitrary valid plans and scenarios:
 * - conservation: every request that arrives ends exactly once, as a
 *   success, an error or shed, and the report's counts add up;
 * - removing a fallback never raises the fallback success rate, when
 *   deployments are up or down for the whole run (no limits, budgets or
 *   queues couple one request's fate to another's, so only the fallback
 *   chain differs between the two runs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import type { Outcome } from '../../src/simulate/collect.ts';
import { simulateScenario } from '../../src/simulate/run.ts';
import { builtinScenario, OUTAGE_MODES, type Scenario, type ScenarioEvent, type Target } from '../../src/simulate/scenario.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { arbitraryPlan } from '../runtime/harness.ts';
import { compiled } from './fixtures.ts';

/** Peak traffic low enough that a run has tens of requests per group, not thousands. */
function calm(plan: CompiledPlan, maxRpm: number): CompiledPlan {
  const p = structuredClone(plan);
  for (const g of Object.values(p.groups)) if (g.traffic) g.traffic = { ...g.traffic, peakRpm: Math.min(g.traffic.peakRpm, maxRpm) };
  return p;
}

const ids = (o: Record<string, unknown>) => Object.keys(o).sort();

/** Events over the plan's own ids: outages of every kind, latency and error-rate changes, traffic spikes, store outages. */
function arbitraryEvents(plan: CompiledPlan, durationMs: number): fc.Arbitrary<ScenarioEvent[]> {
  const targets: Target[] = [
    ...ids(plan.providers).map((provider) => ({ provider })),
    ...ids(plan.deployments).map((deployment) => ({ deployment })),
    ...ids(plan.pools).map((pool) => ({ pool })),
  ];
  const window = fc
    .tuple(fc.integer({ min: 0, max: durationMs - 1 }), fc.option(fc.integer({ min: 1, max: durationMs }), { nil: null }))
    .map(([fromMs, len]) => ({
      fromMs,
      toMs: len === null ? Infinity : fromMs + len,
    }));
  const target = fc.constantFrom(...targets);
  const groups = [null, ...ids(plan.groups)];
  const event: fc.Arbitrary<ScenarioEvent> = fc.oneof(
    fc.tuple(window, target, fc.constantFrom(...OUTAGE_MODES)).map(([w, t, mode]) => ({ kind: 'outage' as const, target: t, mode, ...w })),
    fc
      .tuple(window, target, fc.double({ min: 0.1, max: 20, noNaN: true }))
      .map(([w, t, m]) => ({ kind: 'latency' as const, target: t, multiplier: m, p50Ms: null, p95Ms: null, ...w })),
    fc.tuple(window, target, fc.double({ min: 0, max: 1, noNaN: true })).map(([w, t, rate]) => ({ kind: 'error-rate' as const, target: t, rate, ...w })),
    fc
      .tuple(window, fc.constantFrom(...groups), fc.double({ min: 0, max: 4, noNaN: true }))
      .map(([w, group, multiplier]) => ({ kind: 'traffic' as const, group, multiplier, ...w })),
    window.map((w) => ({ kind: 'state-store-down' as const, ...w })),
  );
  return targets.length ? fc.array(event, { maxLength: 5 }) : fc.constant([]);
}

describe('simulator properties', () => {
  it('conservation: every request ends exactly once, as success, error or shed', async () => {
    const durationMs = 20_000;
    const input = arbitraryPlan.chain((plan) =>
      fc.record({
        plan: fc.constant(calm(plan, 240)),
        events: arbitraryEvents(plan, durationMs),
        seed: fc.nat(),
        replicas: fc.integer({ min: 1, max: 3 }),
      }),
    );
    const seen = { runs: 0, requests: 0, success: 0, error: 0, shed: 0 };
    await fc.assert(
      fc.asyncProperty(input, async ({ plan, events, seed, replicas }) => {
        const scenario: Scenario = { name: 'arbitrary', kind: 'file', target: null, description: 'arbitrary events', events };
        const ended = new Map<number, number>();
        const outcomes: Record<Outcome, number> = { success: 0, error: 0, shed: 0 };
        const r = await simulateScenario(plan, scenario, {
          durationMs,
          seed,
          replicas,
          onRequestEnd: (id, _group, outcome) => {
            ended.set(id, (ended.get(id) ?? 0) + 1);
            outcomes[outcome]++;
          },
        });
        expect([...ended.values()].every((n) => n === 1)).toBe(true);
        expect(ended.size).toBe(r.totals.requests);
        // Ids are 0..n-1: none was issued without ending.
        expect(Math.max(-1, ...ended.keys())).toBe(r.totals.requests - 1);
        expect(outcomes).toEqual({ success: r.totals.succeeded, error: r.totals.errors, shed: r.totals.shed });
        expect(r.totals.succeeded + r.totals.errors + r.totals.shed).toBe(r.totals.requests);
        let sum = 0;
        for (const g of Object.values(r.groups)) {
          expect(g.succeeded + g.errors + g.shed).toBe(g.requests);
          sum += g.requests;
        }
        expect(sum).toBe(r.totals.requests);
        seen.runs += r.totals.requests > 0 ? 1 : 0;
        seen.requests += r.totals.requests;
        for (const k of ['success', 'error', 'shed'] as const) seen[k] += outcomes[k];
      }),
      { numRuns: 30 },
    );
    // The property was exercised: most runs had traffic, and every way of ending occurred.
    expect(seen.runs).toBeGreaterThan(15);
    expect(Math.min(seen.success, seen.error, seen.shed)).toBeGreaterThan(0);
  }, 300_000);

  it('removing a fallback never raises the fallback success rate', async () => {
    const durationMs = 30_000;
    const plans = arbitraryPolicy
      .map((input) => compilePolicy(Policy.parse(input)).plan)
      .filter((p): p is CompiledPlan => p !== undefined && Object.values(p.groups).some((g) => g.fallbacks.length > 0 && g.traffic !== null));
    const input = plans.chain((raw) => {
      // Up or down for the whole run, and nothing that makes one request's outcome depend on another's.
      const plan = calm(raw, 300);
      for (const d of Object.values(plan.deployments)) Object.assign(d, { rpm: null, tpm: null });
      for (const t of Object.values(plan.tenants)) Object.assign(t, { rpm: null, tpm: null, monthlyBudgetUsd: null });
      // Every strategy but ordered draws from a stream or a history that fallback traffic also moves (weighted and cost
      // ties draw from the router's random stream, latency and usage read what other requests did), and breakers open
      // on other requests' failures: with those, a removed fallback changes where unrelated requests go.
      for (const g of Object.values(plan.groups)) Object.assign(g, { strategy: 'ordered', circuitBreaker: { ...g.circuitBreaker, errorRateThreshold: 1 } });
      const withFallbacks = ids(plan.groups).filter((g) => plan.groups[g]!.fallbacks.length > 0);
      return fc.record({
        plan: fc.constant(plan),
        down: fc.subarray(ids(plan.deployments), { minLength: 1 }),
        group: fc.constantFrom(...withFallbacks),
        drop: fc.nat(),
        seed: fc.nat(),
      });
    });
    const seen = { runs: 0 };
    await fc.assert(
      fc.asyncProperty(input, async ({ plan, down, group, drop, seed }) => {
        const scenario: Scenario = {
          name: 'static',
          kind: 'file',
          target: null,
          description: 'some deployments down for the whole run',
          events: down.map((deployment) => ({ kind: 'outage' as const, target: { deployment }, mode: 'connection' as const, fromMs: 0, toMs: Infinity })),
          // Hosted answers take a fixed 50 ms and never fail on their own; engines answer at once.
          providers: Object.fromEntries(ids(plan.providers).map((p) => [p, { p50Ms: 50, p95Ms: 50, errorRate: 0 }])),
        };
        const opts = { durationMs, seed, engineService: () => ({ times: () => ({ prefillMs: 0, decodeMs: 0 }) }) };
        const fewer = structuredClone(plan);
        const chain = fewer.groups[group]!.fallbacks;
        chain.splice(drop % chain.length, 1);
        const before = await simulateScenario(plan, scenario, opts);
        const after = await simulateScenario(fewer, scenario, opts);
        // The same requests arrive and need a fallback on both sides: only where they can go differs.
        expect(after.totals.requests).toBe(before.totals.requests);
        expect(after.totals.fallbackRate).toBe(before.totals.fallbackRate);
        if (before.totals.fallbackSuccessRate !== null) expect(after.totals.fallbackSuccessRate!).toBeLessThanOrEqual(before.totals.fallbackSuccessRate);
        expect(after.totals.succeeded).toBeLessThanOrEqual(before.totals.succeeded);
        if (before.totals.fallbackSuccessRate !== null) seen.runs++;
      }),
      { numRuns: 50 },
    );
    // Most runs had requests needing a fallback (the example below shows the rate does fall when the fallback mattered).
    expect(seen.runs).toBeGreaterThan(20);
  }, 300_000);

  it('and it does fall when the removed fallback was the one that saved the requests', async () => {
    const plan = compiled((p) => {
      p.modelGroups[0]!.fallbacks = ['chat-azure'];
      p.modelGroups[0]!.traffic = { peakRpm: 120, meanInputTokens: 500, meanOutputTokens: 100 };
      // The fixture's tenants may not use chat-azure: without them, every request may fall back to it.
      p.tenants = [];
    });
    const scenario = builtinScenario('provider-down:openai', plan);
    const before = await simulateScenario(plan, scenario, { durationMs: 60_000, seed: 3 });
    const fewer = structuredClone(plan);
    fewer.groups.chat!.fallbacks = [];
    const after = await simulateScenario(fewer, scenario, { durationMs: 60_000, seed: 3 });
    expect(before.totals.fallbackRate).toBe(1);
    expect(after.totals.fallbackRate).toBe(1);
    expect(before.totals.fallbackSuccessRate).toBeGreaterThan(0.99);
    expect(after.totals.fallbackSuccessRate).toBe(0);
  });
});
