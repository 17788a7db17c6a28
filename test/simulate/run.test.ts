/**
 * The built-in scenarios on the reference plan, over short windows: each
 * does what its name says (checked on the figures it must move), the same
 * seed gives the same report byte for byte, and the plan's own limits,
 * breakers and SLOs show up in the report.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/plan/read.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import type { ScenarioReport } from '../../src/simulate/report.ts';
import { simulateScenario } from '../../src/simulate/run.ts';
import { allBuiltins, BASELINE, builtinScenario, type Scenario } from '../../src/simulate/scenario.ts';
import { simulate } from '../../src/simulate/simulate.ts';
import { compiled } from './fixtures.ts';

const plan: CompiledPlan = parsePlan(readFileSync(new URL('../../generated/plan.json', import.meta.url), 'utf8'));
const MINUTES = 60_000;
const run = (s: Scenario | string, durationMs = 2 * MINUTES, seed = 1) =>
  simulateScenario(plan, typeof s === 'string' ? builtinScenario(s, plan) : s, { durationMs, seed });

let baseline: ScenarioReport;
beforeAll(async () => {
  baseline = await run(BASELINE);
});

describe('simulate: reports', () => {
  it('one seed, one report, byte for byte; another seed, other numbers', async () => {
    const scenarios = allBuiltins(plan);
    const a = JSON.stringify(await simulate(plan, scenarios, { durationMs: MINUTES, seed: 42 }));
    const b = JSON.stringify(await simulate(plan, scenarios, { durationMs: MINUTES, seed: 42 }));
    expect(a).toBe(b);
    const c = JSON.stringify(await simulate(plan, scenarios, { durationMs: MINUTES, seed: 43 }));
    expect(c).not.toBe(a);
  });

  it("the plan's traffic arrives at its peak rpm, every group, every request accounted for", () => {
    for (const [name, g] of Object.entries(plan.groups)) {
      const r = baseline.groups[name]!;
      const expected = (g.traffic?.peakRpm ?? 0) * 2;
      // Poisson: within 5 standard deviations of the mean.
      expect(Math.abs(r.requests - expected)).toBeLessThanOrEqual(5 * Math.sqrt(expected) + 1);
      expect(r.succeeded + r.errors + r.shed).toBe(r.requests);
    }
    expect(baseline.totals.requests).toBe(Object.values(baseline.groups).reduce((n, g) => n + g.requests, 0));
  });

  it('measures every SLO of the plan, marking those it cannot model n/a', () => {
    expect(baseline.slos.map((s) => s.id)).toEqual(Object.keys(plan.slos.targets).sort());
    const byMetric = Object.fromEntries(baseline.slos.map((s) => [s.metric, s]));
    expect(byMetric.router_overhead_p95_ms!.status).toBe('n/a');
    expect(byMetric.kv_cache_hit_rate!.status).toBe('n/a');
    const errorRate = byMetric.error_rate!;
    expect(errorRate.value).toBeCloseTo((baseline.totals.errors + baseline.totals.shed) / baseline.totals.requests, 3);
    expect(errorRate.status).toBe(errorRate.value! <= 0.01 ? 'pass' : 'fail');
    expect(byMetric.cost_reduction_vs_baseline!.value).toBeGreaterThan(0);
    expect(byMetric.vllm_batch_utilization!.value).toBeGreaterThan(0);
    expect(byMetric.vllm_batch_utilization!.value).toBeLessThanOrEqual(1);
  });

  it('costs the month from the monthly volume, against the baseline deployment the SQL views use', () => {
    expect(baseline.cost.baselineDeployment).toBe('openai-gpt-4o');
    // chat-local is served by vLLM at cents per million tokens: its tokens at gpt-4o prices cost many times more.
    const local = baseline.groups['chat-local']!;
    expect(local.baselineMonthlyCostUsd).toBeGreaterThan(5 * local.monthlyCostUsd);
    // chat-anthropic is served by a dearer model than the baseline, when it is served by its own group.
    const anthropic = baseline.deployments['anthropic-claude-sonnet']!;
    expect(anthropic.served).toBeGreaterThan(0);
    expect(baseline.cost.monthlyUsd).toBeCloseTo(
      Object.values(baseline.groups).reduce((s, g) => s + g.monthlyCostUsd, 0),
      0,
    );
    expect(baseline.cost.reductionVsBaseline).toBeCloseTo(1 - baseline.cost.monthlyUsd / baseline.cost.baselineMonthlyUsd, 3);
  });
});

describe('simulate: built-in scenarios', () => {
  it('provider-down: no call to the provider succeeds, its breakers open, its groups fall back', async () => {
    const r = await run('provider-down:anthropic');
    const d = r.deployments['anthropic-claude-sonnet']!;
    expect(d.calls).toBeGreaterThan(0);
    expect(d.served).toBe(0);
    expect(d.errors).toBe(d.calls);
    expect(d.breakerTrips).toBeGreaterThan(0);
    const g = r.groups['chat-anthropic']!;
    // The group's own deployment tripped, and the totals count every deployment's trips.
    expect(g.breakerTrips).toBe(d.breakerTrips);
    expect(r.totals.breakerTrips).toBe(Object.values(r.deployments).reduce((n, x) => n + x.breakerTrips, 0));
    // Nothing is served by its own group; what succeeds came from chat-local's fallback chain.
    expect(g.fallbackRate).toBe(1);
    expect(baseline.deployments['anthropic-claude-sonnet']!.served).toBeGreaterThan(0);
  });

  it('pool-down: the engines on the pool (spanning ones too) start nothing', async () => {
    const r = await run('pool-down:pool-b');
    // pool-b runs its own 8B engine and half of the 70B that spans pool-a and pool-b.
    expect(r.engines['pool-b/llama-3.1-8b-instruct']!.started).toBe(0);
    expect(r.engines['pool-a/llama-3.1-70b-instruct']!.started).toBe(0);
    expect(r.engines['pool-a/llama-3.1-8b-instruct']!.started).toBeGreaterThan(0);
    expect(r.deployments['vllm-b-llama-8b']!.served).toBe(0);
    expect(r.engines['pool-b/llama-3.1-8b-instruct']!.utilization).toBe(0);
  });

  it('traffic:x2 doubles the arrivals', async () => {
    const r = await run('traffic:x2');
    expect(r.totals.requests / baseline.totals.requests).toBeGreaterThan(1.95);
    expect(r.totals.requests / baseline.totals.requests).toBeLessThan(2.05);
  });

  it('state-store-down: replicas enforce limits each on their own, so providers answer 429 where the shared state kept under their limits', async () => {
    // chat asks for half again what OpenAI's token limit allows (at peak it stays under it): the limits now have to bind.
    const chat = plan.groups.chat!.traffic!;
    const tokensPerMinute = chat.peakRpm * (chat.meanInputTokens + chat.meanOutputTokens);
    const multiplier = (1.5 * plan.deployments['openai-gpt-4o']!.tpm!) / tokensPerMinute;
    expect(multiplier).toBeGreaterThan(1);
    const surge = { kind: 'traffic', group: 'chat', multiplier, fromMs: 0, toMs: Infinity } as const;
    const over = (s: Scenario): Scenario => ({ ...s, events: [...s.events, surge] });
    const shared = await run(over(BASELINE));
    const down = await run(over(builtinScenario('state-store-down', plan)));
    expect(down.replicas).toBe(3);
    expect(down.sharedState).toBe(false);
    expect(shared.sharedState).toBe(true);
    expect(baseline.totals.http429).toBe(0);
    // Shared: the router keeps OpenAI under its limit and sends the rest down the fallback chain, before the provider says no.
    expect(shared.totals.http429).toBe(0);
    expect(shared.groups.chat!.fallbackRate).toBeGreaterThan(0.1);
    // Each replica alone believes it has the whole limit: together they overshoot it and OpenAI answers 429.
    expect(down.deployments['openai-gpt-4o']!.http429).toBeGreaterThan(0);
    expect(down.totals.http429).toBeGreaterThanOrEqual(down.deployments['openai-gpt-4o']!.http429);
    // Three breakers per deployment instead of one.
    expect(down.breakerTrips).toBeGreaterThan(shared.breakerTrips);
  });

  it('state-store-down is refused for a plan without shared state', () => {
    const memory = compiled(() => {});
    expect(memory.routerState.kind).toBe('memory');
    expect(() => builtinScenario('state-store-down', memory)).toThrow(/keeps router state in memory/);
    expect(allBuiltins(memory).map((s) => s.name)).not.toContain('state-store-down');
  });

  it('refuses, before running, a scenario that would simulate more requests than the cap (a plan from a pull request could ask for billions)', async () => {
    const huge = structuredClone(plan);
    huge.groups.chat!.traffic!.peakRpm = 1_000_000_000;
    await expect(simulateScenario(huge, BASELINE, { durationMs: MINUTES, seed: 1 })).rejects.toThrow(
      /^scenario baseline would simulate about 1,000,00[0-9,]+ requests, more than 20,000,000: simulate a shorter window$/,
    );
  });

  it('unknown scenarios and ids are refused with what there is', () => {
    expect(() => builtinScenario('provider-down:opena', plan)).toThrow(/unknown provider "opena".*providers: anthropic, azure-eastus/);
    expect(() => builtinScenario('pool-down:pool-z', plan)).toThrow(/pools: pool-a, pool-b, pool-c/);
    expect(() => builtinScenario('traffic:x0', plan)).toThrow(/multiplier above 0/);
    expect(() => builtinScenario('traffic:double', plan)).toThrow(/traffic:x<multiplier>/);
    expect(() => builtinScenario('meteor', plan)).toThrow(/unknown scenario "meteor"/);
    expect(builtinScenario('traffic:x1.5', plan).name).toBe('traffic:x1.5');
  });
});

describe('simulate: timed events', () => {
  it('an outage window affects only calls that start inside it', async () => {
    const window: Scenario = {
      name: 'openai-blip',
      kind: 'file',
      target: null,
      description: 'openai 503s from 60s to 90s',
      events: [{ kind: 'outage', target: { provider: 'openai' }, mode: 'error', fromMs: 60_000, toMs: 90_000 }],
    };
    const blip = await run(window);
    const whole = await run('provider-down:openai');
    const served = (r: ScenarioReport) => r.deployments['openai-gpt-4o']!.served;
    expect(served(blip)).toBeGreaterThan(0);
    expect(served(blip)).toBeLessThan(served(baseline));
    expect(served(whole)).toBe(0);
  });

  it('a timeout outage ends every attempt at the timeout', async () => {
    const r = await run({
      name: 'azure-hangs',
      kind: 'file',
      target: null,
      description: 'azure never answers',
      events: [{ kind: 'outage', target: { provider: 'azure-eastus' }, mode: 'timeout', fromMs: 0, toMs: Infinity }],
    });
    const d = r.deployments['azure-eastus-gpt-4o']!;
    expect(d.calls).toBeGreaterThan(0);
    expect(d.timeouts).toBe(d.calls);
  });

  it('latency: a slower provider is slower, up to the timeout', async () => {
    const slow = await run({
      name: 'openai-slow',
      kind: 'file',
      target: null,
      description: 'openai p50 500 ms',
      events: [{ kind: 'latency', target: { provider: 'openai' }, multiplier: null, p50Ms: 500, p95Ms: 580, fromMs: 0, toMs: Infinity }],
    });
    expect(slow.groups['chat-mini']!.latencyMs!.p50).toBeGreaterThan(480);
    expect(baseline.groups['chat-mini']!.latencyMs!.p50).toBeLessThan(320);
    const faster = await run({
      name: 'openai-fast',
      kind: 'file',
      target: null,
      description: 'openai twice as fast',
      events: [{ kind: 'latency', target: { provider: 'openai' }, multiplier: 0.5, p50Ms: null, p95Ms: null, fromMs: 0, toMs: Infinity }],
    });
    expect(faster.groups['chat-mini']!.latencyMs!.p50).toBeLessThan(0.6 * baseline.groups['chat-mini']!.latencyMs!.p50);
  });

  it('error-rate: a deployment failing 30% of calls fails about 30% of its calls', async () => {
    const r = await run({
      name: 'mini-flaky',
      kind: 'file',
      target: null,
      description: 'gpt-4o-mini fails 30%',
      events: [{ kind: 'error-rate', target: { deployment: 'openai-gpt-4o-mini' }, rate: 0.3, fromMs: 0, toMs: Infinity }],
    });
    const d = r.deployments['openai-gpt-4o-mini']!;
    expect(d.errors / d.calls).toBeGreaterThan(0.2);
    expect(d.errors / d.calls).toBeLessThan(0.4);
  });

  it('a traffic multiplier for one group moves only that group', async () => {
    const r = await run({
      name: 'premium-x3',
      kind: 'file',
      target: null,
      description: 'premium triples for the second minute',
      events: [{ kind: 'traffic', group: 'premium', multiplier: 3, fromMs: 60_000, toMs: 120_000 }],
    });
    expect(r.groups.premium!.requests).toBeGreaterThan(baseline.groups.premium!.requests * 1.5);
    expect(r.groups.chat!.requests).toBe(baseline.groups.chat!.requests);
  });
});

describe("simulate: the plan's retries, backoff and timeouts", () => {
  /**
   * chat on one OpenAI deployment, falling back to one Azure deployment;
   * hosted answers take exactly 50 ms, and the breaker never opens, so every
   * request's time is the plan's retry arithmetic and nothing else.
   */
  const retryPlan = (retries: { count: number; retryOn?: number[] }) =>
    compiled((p) => {
      p.modelGroups = [
        {
          name: 'chat',
          strategy: 'ordered',
          deployments: ['openai-gpt-4o'],
          fallbacks: ['chat-azure'],
          retries: { ...retries, backoff: { initial: '100ms', max: '1s', multiplier: 2 } },
          timeouts: { request: '300ms' },
          circuitBreaker: { minRequests: 1_000_000 },
          traffic: { peakRpm: 120, meanInputTokens: 100, meanOutputTokens: 10 },
        },
        { name: 'chat-azure', strategy: 'ordered', deployments: ['azure-gpt-4o'], retries: { count: 0 }, circuitBreaker: { minRequests: 1_000_000 } },
        { name: 'local', workload: 'cost_sensitive', deployments: ['local-llama'] },
      ];
      p.tenants = [];
      p.slos = { targets: [], alerts: [] };
    });
  const openaiDown = (mode: 'error' | 'timeout'): Scenario => ({
    name: `openai-${mode}`,
    kind: 'file',
    target: null,
    description: `openai ${mode} for the whole run`,
    events: [{ kind: 'outage', target: { deployment: 'openai-gpt-4o' }, mode, fromMs: 0, toMs: Infinity }],
    providers: { openai: { p50Ms: 50, p95Ms: 50, errorRate: 0 }, azure: { p50Ms: 50, p95Ms: 50, errorRate: 0 } },
  });
  /** What every chat request saw: calls to OpenAI per request, and its time to the fallback's answer (p50 = p99: every request alike). */
  async function chatUnder(retries: { count: number; retryOn?: number[] }, mode: 'error' | 'timeout') {
    const r = await simulateScenario(retryPlan(retries), openaiDown(mode), { durationMs: MINUTES, seed: 5 });
    const g = r.groups.chat!;
    const d = r.deployments['openai-gpt-4o']!;
    expect(g.requests).toBeGreaterThan(60);
    // Every request failed on OpenAI and was answered by Azure.
    expect(d.served).toBe(0);
    expect(g.succeeded).toBe(g.requests);
    expect(g.fallbackSuccessRate).toBe(1);
    expect(r.deployments['azure-gpt-4o']!.served).toBe(g.requests);
    expect(r.totals.breakerTrips).toBe(0);
    expect(g.latencyMs!.p99).toBe(g.latencyMs!.p50);
    return { callsPerRequest: d.calls / g.requests, timeouts: d.timeouts / d.calls, ms: g.latencyMs!.p50 };
  }

  it('503s: 1 + count calls, each 50 ms, with the backoff doubling from 100 ms between them, then the fallback', async () => {
    // 50 + 100 + 50 + 200 + 50, then Azure's 50.
    expect(await chatUnder({ count: 2 }, 'error')).toEqual({ callsPerRequest: 3, timeouts: 0, ms: 500 });
    // 50 + 100 + 50 + 200 + 50 + 400 + 50, then 50.
    expect(await chatUnder({ count: 3 }, 'error')).toEqual({ callsPerRequest: 4, timeouts: 0, ms: 950 });
    expect(await chatUnder({ count: 0 }, 'error')).toEqual({ callsPerRequest: 1, timeouts: 0, ms: 100 });
    // 503 not in retryOn: no retry.
    expect(await chatUnder({ count: 2, retryOn: [500] }, 'error')).toEqual({ callsPerRequest: 1, timeouts: 0, ms: 100 });
  });

  it("the breaker opens after the plan's minRequests failures, and lets one probe through per cooldown", async () => {
    /** OpenAI answering 503 (or failing `rate` of its calls) for 2 minutes at 2 requests a second, no retries. */
    const breaker = async (b: { minRequests: number; cooldown: string; errorRateThreshold?: number }, rate: number | null = null) => {
      const plan = compiled((p) => {
        p.modelGroups = [
          {
            name: 'chat',
            strategy: 'ordered',
            deployments: ['openai-gpt-4o'],
            fallbacks: ['chat-azure'],
            retries: { count: 0 },
            circuitBreaker: { errorRateThreshold: 0.5, window: '60s', halfOpenProbes: 3, ...b },
            traffic: { peakRpm: 120, meanInputTokens: 100, meanOutputTokens: 10 },
          },
          { name: 'chat-azure', strategy: 'ordered', deployments: ['azure-gpt-4o'], retries: { count: 0 } },
          { name: 'local', workload: 'cost_sensitive', deployments: ['local-llama'] },
        ];
        p.tenants = [];
        p.slos = { targets: [], alerts: [] };
      });
      const scenario = openaiDown('error');
      if (rate !== null) scenario.events = [{ kind: 'error-rate', target: { deployment: 'openai-gpt-4o' }, rate, fromMs: 0, toMs: Infinity }];
      const r = await simulateScenario(plan, scenario, { durationMs: 2 * MINUTES, seed: 5 });
      const d = r.deployments['openai-gpt-4o']!;
      return { calls: d.calls, trips: d.breakerTrips };
    };
    /**
     * The minRequests-th failure (in the first 10 s) opens it; after each cooldown one probe fails and opens it
     * again. Calls already on their way when it opened (arrivals less than 50 ms apart) add at most a couple.
     */
    const opensAt = async (minRequests: number, cooldown: string, probes: number) => {
      const r = await breaker({ minRequests, cooldown });
      expect(r.trips).toBe(1 + probes);
      expect(r.calls).toBeGreaterThanOrEqual(minRequests + probes);
      expect(r.calls).toBeLessThanOrEqual(minRequests + probes + 2);
    };
    await opensAt(10, '30s', 3);
    await opensAt(20, '30s', 3);
    // A 50 s cooldown leaves room for two probes in the 2 minutes.
    await opensAt(10, '50s', 2);
    // 30% of calls failing stays under a 50% threshold, and passes a 20% one.
    const under = await breaker({ minRequests: 10, cooldown: '30s' }, 0.3);
    expect(under.trips).toBe(0);
    expect(under.calls).toBeGreaterThan(200);
    expect((await breaker({ minRequests: 10, cooldown: '30s', errorRateThreshold: 0.2 }, 0.3)).trips).toBeGreaterThan(0);
  });

  it('no answer: each attempt ends at the 300 ms request timeout, and timeouts are retried whatever retryOn says', async () => {
    // 300 + 100 + 300 + 200 + 300, then 50.
    expect(await chatUnder({ count: 2, retryOn: [500] }, 'timeout')).toEqual({ callsPerRequest: 3, timeouts: 1, ms: 1_250 });
  });
});
