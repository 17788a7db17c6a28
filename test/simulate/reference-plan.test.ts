/**
 * The reference policies, compiled from policies/ and simulated over the
 * SLOs' own 30-minute window: at peak with every provider up they meet
 * every SLO the simulator can measure (on more than one seed, so a lucky
 * draw cannot pass them), and the outages the N-1 simulation exists for
 * still show as misses, with figures in the range the capacity arithmetic
 * says (losing OpenAI takes gpt-4o and gpt-4o-mini; losing pool C is
 * absorbed by pools A and B).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/load/scenario-file.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import type { ScenarioReport, SloResult } from '../../src/simulate/report.ts';
import { simulateScenario } from '../../src/simulate/run.ts';
import { BASELINE, builtinScenario, type Scenario } from '../../src/simulate/scenario.ts';
import { type ScenarioFile, scenarioFromFile } from '../../src/simulate/scenario-file.ts';
import { referencePolicy } from '../fixtures/policies.ts';

const SLO_WINDOW = 30 * 60_000;
const EXAMPLE = fileURLToPath(new URL('../../policies/scenarios/openai-outage-at-peak.yaml', import.meta.url));

let plan: CompiledPlan;
beforeAll(async () => {
  const r = compilePolicy(await referencePolicy());
  if (!r.plan) throw new Error(`the reference policies do not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  plan = r.plan;
});

const run = (s: Scenario, seed = 1, durationMs = SLO_WINDOW) => simulateScenario(plan, s, { durationMs, seed });
const slo = (r: ScenarioReport, id: string): SloResult => {
  const s = r.slos.find((x) => x.id === id);
  if (!s) throw new Error(`no SLO ${id} in ${r.name}`);
  return s;
};
const value = (r: ScenarioReport, id: string): number => {
  const v = slo(r, id).value;
  if (v === null) throw new Error(`SLO ${id} of ${r.name} has no value: ${slo(r, id).note}`);
  return v;
};

describe('the reference plan in the simulator', () => {
  it.each([1, 2, 3])('meets every SLO it can measure at peak with every provider up (seed %i)', async (seed) => {
    const r = await run(BASELINE, seed);
    // Every SLO of the plan is judged; only the two the simulator cannot model are n/a, and none fails.
    expect(r.slos.map((s) => s.id).sort()).toEqual(Object.keys(plan.slos.targets).sort());
    expect(r.slos.filter((s) => s.status === 'n/a').map((s) => s.id)).toEqual(['kv-cache-hit-rate', 'router-overhead-p95']);
    expect(r.slos.filter((s) => s.status === 'fail')).toEqual([]);

    expect(value(r, 'error-rate')).toBeGreaterThanOrEqual(0);
    expect(value(r, 'error-rate')).toBeLessThanOrEqual(0.01);
    // Some requests do need a fallback (Anthropic's breaker trips now and then on timeouts), and they are served.
    expect(r.totals.requests - r.totals.succeeded).toBeLessThan(r.totals.requests * 0.01);
    expect(value(r, 'fallback-success-rate')).toBeGreaterThanOrEqual(0.95);
    expect(value(r, 'fallback-success-rate')).toBeLessThanOrEqual(1);
    // Interactive p95: above a hosted provider's own median (a real figure), under the 2 s objective.
    expect(value(r, 'interactive-latency-p95')).toBeGreaterThan(280);
    expect(value(r, 'interactive-latency-p95')).toBeLessThan(2_000);
    expect(value(r, 'vllm-batch-utilization')).toBeGreaterThanOrEqual(0.65);
    expect(value(r, 'vllm-batch-utilization')).toBeLessThan(0.95);
    expect(value(r, 'cost-reduction')).toBeGreaterThanOrEqual(0.4);
    expect(value(r, 'cost-reduction')).toBeLessThanOrEqual(0.6);

    // No group is sacrificed to the totals, and the provider limits hold without 429s.
    for (const [name, g] of Object.entries(r.groups)) expect(g.successRate, name).toBeGreaterThan(0.99);
    expect(r.totals.http429).toBe(0);
    // Engines queue, but rarely up to their timeout (chat-local's is 20 s, premium's 60 s).
    for (const [id, e] of Object.entries(r.engines)) {
      expect(e.started, id).toBeGreaterThan(0);
      expect(e.abortedWaiting + e.abortedRunning, id).toBeLessThanOrEqual(e.started * 0.005);
      expect(e.queueWaitMs!.p95, id).toBeLessThan(10_000);
    }
  });

  it('provider-down:openai is more than the fallbacks can take: error rate, fallback success and interactive latency miss', async () => {
    const r = await run(builtinScenario('provider-down:openai', plan));
    expect(slo(r, 'error-rate').status).toBe('fail');
    expect(value(r, 'error-rate')).toBeGreaterThan(0.1);
    expect(value(r, 'error-rate')).toBeLessThan(0.5);
    expect(slo(r, 'fallback-success-rate').status).toBe('fail');
    expect(value(r, 'fallback-success-rate')).toBeGreaterThan(0.4);
    expect(value(r, 'fallback-success-rate')).toBeLessThan(0.9);
    expect(slo(r, 'interactive-latency-p95').status).toBe('fail');
    expect(value(r, 'interactive-latency-p95')).toBeGreaterThan(2_000);
    // gpt-4o-mini is on OpenAI too and chat-mini has no fallback: all of it is lost.
    expect(r.groups['chat-mini']!.successRate).toBe(0);
    // chat itself mostly survives on Azure and Anthropic.
    expect(r.groups.chat!.successRate).toBeGreaterThan(0.8);
    expect(r.deployments['openai-gpt-4o']!.served).toBe(0);
    expect(r.deployments['azure-eastus-gpt-4o']!.served).toBeGreaterThan(0);
  }, 60_000);

  it('pool-down:pool-c is absorbed: error rate and fallback success hold', async () => {
    const r = await run(builtinScenario('pool-down:pool-c', plan));
    expect(r.engines['pool-c/llama-3.1-8b-instruct']!.started).toBe(0);
    expect(slo(r, 'error-rate').status).toBe('pass');
    expect(value(r, 'error-rate')).toBeLessThanOrEqual(0.01);
    expect(slo(r, 'fallback-success-rate').status).toBe('pass');
    expect(value(r, 'fallback-success-rate')).toBeGreaterThanOrEqual(0.95);
    expect(slo(r, 'interactive-latency-p95').status).toBe('pass');
  }, 60_000);

  it('the example scenario file (OpenAI down for the middle 30 minutes of an hour) misses the error rate, by about half what losing it all hour does', async () => {
    const loaded = loadScenarioFile(EXAMPLE);
    expect(loaded.diagnostics).toEqual([]);
    const checked = scenarioFromFile(loaded.value as ScenarioFile, plan, SLO_WINDOW);
    expect(checked.diagnostics).toEqual([]);
    const r = await run(checked.scenario!, 1);
    expect(r.durationMs).toBe(2 * SLO_WINDOW);
    const allHour = await run(builtinScenario('provider-down:openai', plan), 1, 2 * SLO_WINDOW);
    expect(slo(r, 'error-rate').status).toBe('fail');
    const ratio = value(r, 'error-rate') / value(allHour, 'error-rate');
    expect(ratio).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(0.9);
    expect(slo(r, 'interactive-latency-p95').status).toBe('fail');
    // OpenAI served the half hour it was up.
    const served = r.deployments['openai-gpt-4o']!.served / r.groups.chat!.requests;
    expect(served).toBeGreaterThan(0.35);
    expect(served).toBeLessThan(0.65);
  }, 120_000);
});
