/**
 * A small plan for the analytics SQL tests: the reference architecture's
 * interactive chain (OpenAI -> Azure -> Anthropic -> local vLLM) with round
 * prices, three tenants and the SLO targets the views compare with. Built by
 * hand so the expected numbers in the tests do not move when policies/ does.
 */
import type { CompiledPlan, PlanDeployment, PlanGroup, ProviderKind, Workload } from '../../src/plan/types.ts';

function deployment(id: string, provider: string, providerKind: ProviderKind, model: string, inputPer1M: number, outputPer1M: number): PlanDeployment {
  return {
    id,
    provider,
    providerKind,
    model,
    contextWindow: 128_000,
    rpm: null,
    tpm: null,
    pricing: { inputPer1M, outputPer1M },
    weight: 1,
    order: null,
    pool: providerKind === 'vllm' ? 'pool-a' : null,
    timeoutMs: null,
    tags: [],
  };
}

function group(name: string, workload: Workload, deployments: string[], fallbacks: string[], monthlyRequests: number): PlanGroup {
  return {
    name,
    description: null,
    workload,
    strategy: 'usage_based',
    deployments,
    retries: { count: 2, backoff: { initialMs: 200, maxMs: 1000, multiplier: 2 }, retryOn: [429, 500, 502, 503, 504] },
    timeouts: { requestMs: 600, streamFirstTokenMs: null },
    fallbacks,
    contextWindowFallbacks: [],
    circuitBreaker: { errorRateThreshold: 0.05, minRequests: 20, windowMs: 60_000, cooldownMs: 30_000, halfOpenProbes: 3 },
    traffic: { peakRpm: 100, meanInputTokens: 1200, meanOutputTokens: 350, monthlyRequests },
    maxContextWindow: 128_000,
  };
}

const byId = <T extends { id: string }>(xs: T[]) => Object.fromEntries(xs.map((x) => [x.id, x]));
const byName = (xs: PlanGroup[]) => Object.fromEntries(xs.map((x) => [x.name, x]));

export function analyticsPlan(): CompiledPlan {
  const provider = (id: string, kind: ProviderKind) => ({
    id,
    kind,
    apiBase: null,
    apiBaseEnv: null,
    apiVersion: null,
    apiVersionEnv: null,
    region: null,
    apiKey: null,
    openaiCompatible: null,
    passthrough: null,
  });
  return {
    schemaVersion: 1,
    name: "analytics-test's plan",
    description: null,
    hash: 'sha256:0000000000000000000000000000000000000000000000000000000000000abc',
    providers: byId([provider('anthropic', 'anthropic'), provider('azure', 'azure_openai'), provider('openai', 'openai'), provider('vllm-a', 'vllm')]),
    deployments: byId([
      deployment('anthropic-sonnet', 'anthropic', 'anthropic', 'claude-3-5-sonnet', 3, 15),
      deployment('azure-gpt-4o', 'azure', 'azure_openai', 'gpt-4o', 2.5, 10),
      deployment('local-llama', 'vllm-a', 'vllm', 'llama-3.1-8b-instruct', 0.05, 0.1),
      deployment('openai-gpt-4o', 'openai', 'openai', 'gpt-4o', 2.5, 10),
    ]),
    groups: byName([
      group('chat', 'interactive', ['openai-gpt-4o'], ['chat-azure', 'chat-anthropic', 'local'], 1_000_000),
      group('chat-anthropic', 'interactive', ['anthropic-sonnet'], ['local'], 100_000),
      group('chat-azure', 'interactive', ['azure-gpt-4o'], ['chat-anthropic', 'local'], 200_000),
      group('local', 'cost_sensitive', ['local-llama'], [], 500_000),
    ]),
    routerState: { kind: 'memory' },
    tenants: byId([
      { id: 'docs', description: null, apiKeys: [], allowedGroups: ['local'], rpm: null, tpm: null, monthlyBudgetUsd: 0.05 },
      { id: 'lab', description: null, apiKeys: [], allowedGroups: ['chat'], rpm: null, tpm: null, monthlyBudgetUsd: null },
      { id: 'support', description: null, apiKeys: [], allowedGroups: ['chat', 'local'], rpm: null, tpm: null, monthlyBudgetUsd: 10 },
    ]),
    pools: {},
    batchProfiles: {},
    slos: {
      targets: {
        'cost-reduction': {
          id: 'cost-reduction',
          metric: 'cost_reduction_vs_baseline',
          description: null,
          objective: [
            { op: '>=', value: 0.4 },
            { op: '<=', value: 0.6 },
          ],
          windowMs: 1_800_000,
        },
        'fallback-success-rate': {
          id: 'fallback-success-rate',
          metric: 'fallback_success_rate',
          description: null,
          objective: [{ op: '>=', value: 0.95 }],
          windowMs: 1_800_000,
        },
        'interactive-latency-p95': {
          id: 'interactive-latency-p95',
          metric: 'interactive_latency_p95_ms',
          description: null,
          objective: [{ op: '<', value: 2000 }],
          windowMs: 1_800_000,
        },
      },
      alerts: {},
    },
  };
}
