/**
 * A deterministic, valid, realistically shaped policy of any size, for the
 * compile benchmark: hosted groups spread over OpenAI, two Azure regions and
 * Anthropic, every fourth group on the local vLLM pools (with a context-window
 * fallback to the next hosted group), each group falling back to the next
 * two, tenants with limits allowed a few groups each.
 */
import { STRATEGIES } from '../../src/model/closed-sets.ts';
import type { DeploymentInput } from '../../src/model/deployment.ts';
import type { GpuPoolInput } from '../../src/model/gpu-pool.ts';
import type { ModelGroupInput } from '../../src/model/model-group.ts';
import type { PolicyInput } from '../../src/model/policy.ts';
import type { ProviderInput } from '../../src/model/provider.ts';
import type { TenantInput } from '../../src/model/tenant.ts';

const POOLS = 8;
const pad = (n: number) => String(n).padStart(5, '0');
const poolId = (p: number) => `pool-${pad(p)}`;

const HOSTED = [
  { provider: 'openai', model: 'gpt-4o', contextWindow: 128_000, pricing: { inputPer1M: 2.5, outputPer1M: 10 } },
  { provider: 'azure-eastus', model: 'gpt-4o', contextWindow: 128_000, pricing: { inputPer1M: 2.5, outputPer1M: 10 } },
  { provider: 'azure-westeurope', model: 'gpt-4o', contextWindow: 128_000, pricing: { inputPer1M: 2.5, outputPer1M: 10 } },
  { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', contextWindow: 200_000, pricing: { inputPer1M: 3, outputPer1M: 15 } },
] as const;
/** Every strategy but ordered, which needs a per-deployment order the generator does not assign. */
const SPREADING = STRATEGIES.filter((s) => s !== 'ordered');

function providers(): ProviderInput[] {
  const out: ProviderInput[] = [
    { id: 'openai', kind: 'openai', apiKey: 'vault:secret/switchyard/openai#key', region: 'us' },
    { id: 'azure-eastus', kind: 'azure_openai', apiBase: 'https://sy-eastus.openai.azure.com', apiVersion: '2024-10-21', apiKey: 'env:AZURE_EASTUS_API_KEY' },
    {
      id: 'azure-westeurope',
      kind: 'azure_openai',
      apiBase: 'https://sy-westeurope.openai.azure.com',
      apiVersion: '2024-10-21',
      apiKey: 'env:AZURE_WESTEUROPE_API_KEY',
    },
    { id: 'anthropic', kind: 'anthropic', apiKey: 'env:ANTHROPIC_API_KEY' },
  ];
  for (let p = 0; p < POOLS; p++)
    out.push({ id: `vllm-${poolId(p)}`, kind: 'vllm', apiBase: `http://${poolId(p)}.gpu.internal:8000/v1`, apiKey: 'env:VLLM_API_KEY' });
  return out;
}

/** Even pools are RTX 5090s with 32K context, odd ones RTX 3090s with 16K, like pools A/B and C of the reference. */
function pools(): GpuPoolInput[] {
  return Array.from({ length: POOLS }, (_, p) => ({
    id: poolId(p),
    gpu: p % 2 === 0 ? { model: 'RTX 5090', vramGb: 32, count: 1 } : { model: 'RTX 3090', vramGb: 24, count: 1 },
    maxContext: p % 2 === 0 ? 32_768 : 16_384,
    models: [{ model: 'meta-llama/Llama-3.1-8B-Instruct', dtype: 'bfloat16', port: 8000, expected: { promptTokens: 2_000, completionTokens: 400 } }],
  }));
}

const isLocal = (g: number) => g % 4 === 3;

export function syntheticPolicy(opts: { deployments: number; groups: number; tenants: number }): PolicyInput {
  const { deployments: n, groups: G, tenants: T } = opts;
  if (!(G >= 1 && n >= G)) throw new Error('syntheticPolicy needs at least one group and at least as many deployments as groups');

  // Deployment d belongs to group floor(d * G / n): contiguous, every group at least one deployment.
  const members: string[][] = Array.from({ length: G }, () => []);
  const deployments: DeploymentInput[] = [];
  for (let d = 0; d < n; d++) {
    const g = Math.floor((d * G) / n);
    let dep: DeploymentInput;
    if (isLocal(g)) {
      const p = d % POOLS;
      dep = {
        id: `d-${pad(d)}-local`,
        provider: `vllm-${poolId(p)}`,
        model: 'llama-3.1-8b-instruct',
        pool: poolId(p),
        contextWindow: p % 2 === 0 ? 32_768 : 16_384,
        pricing: { inputPer1M: 0.05, outputPer1M: 0.1 },
        weight: p % 2 === 0 ? 2 : 1,
        tags: ['local'],
      };
    } else {
      const h = HOSTED[d % HOSTED.length]!;
      dep = {
        id: `d-${pad(d)}-${h.provider}`,
        provider: h.provider,
        model: h.model,
        contextWindow: h.contextWindow,
        rpm: 1_000 + (d % 10) * 500,
        tpm: 200_000 + (d % 10) * 100_000,
        pricing: { ...h.pricing },
        weight: 1 + (d % 3),
        tags: ['interactive'],
      };
    }
    deployments.push(dep);
    members[g]!.push(dep.id);
  }

  const name = (g: number) => `group-${pad(g)}`;
  const modelGroups: ModelGroupInput[] = members.map((ids, g) => ({
    name: name(g),
    workload: isLocal(g) ? 'cost_sensitive' : 'interactive',
    strategy: SPREADING[g % SPREADING.length]!,
    deployments: ids,
    timeouts: { request: isLocal(g) ? '20s' : '600ms' },
    // Only to later groups, so the fallback graph is acyclic.
    fallbacks: [g + 1, g + 2].filter((x) => x < G).map(name),
    // A local group's window is at most 32K; the next group is hosted with 128K or more.
    contextWindowFallbacks: isLocal(g) && g + 1 < G ? [name(g + 1)] : [],
    traffic: { peakRpm: 100 + (g % 20) * 50, meanInputTokens: 1_200, meanOutputTokens: 350 },
  }));

  const tenants: TenantInput[] = Array.from({ length: T }, (_, t) => ({
    id: `tenant-${pad(t)}`,
    apiKeys: [`vault:secret/switchyard/tenants/tenant-${pad(t)}#api_key`],
    allowedGroups: [...new Set([t % G, (t * 7 + 1) % G, (t * 13 + 2) % G])].map(name),
    rpm: 100 + (t % 10) * 100,
    tpm: 100_000 + (t % 10) * 50_000,
    monthlyBudgetUsd: 1_000 + (t % 10) * 500,
  }));

  return {
    name: `synthetic-${n}`,
    description: `Synthetic policy: ${n} deployments, ${G} groups, ${T} tenants`,
    providers: providers(),
    deployments,
    modelGroups,
    circuitBreaker: { errorRateThreshold: 0.05, minRequests: 20, window: '60s', cooldown: '30s', halfOpenProbes: 3 },
    routerState: { kind: 'redis', url: 'env:SWITCHYARD_REDIS_URL', cluster: true },
    tenants,
    gpuPools: pools(),
    batchProfiles: ['document-extraction', 'invoice-processing', 'content-analysis', 'research'].map((id) => ({
      id,
      provider: 'openai',
      model: 'gpt-4o-mini',
      dataClasses: ['internal'],
      redaction: { enabled: true, rules: [{ name: 'email', pattern: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+', replacement: '[EMAIL]' }] },
      slaHours: 24,
      pricing: { inputPer1M: 0.075, outputPer1M: 0.3 },
    })),
    slos: {
      targets: [
        { id: 'router-overhead-p95', metric: 'router_overhead_p95_ms', objective: [{ op: '<', value: 150 }] },
        { id: 'error-rate', metric: 'error_rate', objective: [{ op: '<=', value: 0.01 }] },
      ],
      alerts: [{ id: 'router-error-rate-high', kind: 'router_error_rate', threshold: 0.01, for: '10m' }],
    },
  };
}
