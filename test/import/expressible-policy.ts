/**
 * fast-check arbitrary of policies in the LiteLLM-expressible subset: what
 * a LiteLLM config says completely, so that importing the config gives the
 * policy back up to what the config never carries (descriptions, traffic,
 * tags, regions, backoff, half-open probes, the breaker's exact threshold
 * and window, workloads beyond "interactive or not").
 *
 * The subset, and why each limit is LiteLLM's:
 * - one routing strategy for every group that is not `ordered` (LiteLLM
 *   has one routing_strategy for the proxy);
 * - one breaker for every group (allowed_fails and cooldown_time are the
 *   proxy's), retried codes that are whole LiteLLM error classes plus the
 *   server errors (LiteLLM retries those no class covers anyway);
 * - no deployment timeouts of their own (a group whose every deployment
 *   overrides its timeout never shows the group's own);
 * - a deployment in at most one `ordered` group (LiteLLM's `order` is a
 *   rank per model_list entry, a policy's `order` one per deployment);
 * - no tenants or SLOs (LiteLLM keeps them in its database, Switchyard in
 *   Prometheus), no vLLM deployments (their pools come from vLLM configs;
 *   the reference round trip covers them), Redis with the default key prefix.
 * Drawn otherwise freely: both LiteLLM release ranges, with and without
 * LiteLLM Enterprise (Vault references read by LiteLLM, or filled into the
 * environment by the deployment), providers of each hosted kind with env or Vault
 * keys, shared deployments, weights, orders, prices down to 1e-8 USD per
 * token, fallbacks and context-window fallbacks, every workload, retry
 * counts and timeouts per group.
 */
import { literalSecretDiagnostics } from '../../src/load/literal-secrets.ts';
import fc from 'fast-check';
import { LITELLM_RELEASES, PROVIDER_KINDS, STRATEGIES, WORKLOADS } from '../../src/model/closed-sets.ts';
import type { DeploymentInput } from '../../src/model/deployment.ts';
import type { ModelGroupInput } from '../../src/model/model-group.ts';
import type { PolicyInput } from '../../src/model/policy.ts';
import type { ProviderInput, ProviderKind } from '../../src/model/provider.ts';
import { groupName } from '../fixtures/group-names.ts';

/** Every provider kind but vllm (no vLLM deployments, see above), from the tuple so a new kind is drawn too. */
const KINDS = PROVIDER_KINDS.filter((k): k is Exclude<ProviderKind, 'vllm'> => k !== 'vllm');
/** OpenAI-compatible services as a policy writes them: hosted with a key, local with a base URL (and without a key for a generic server). */
const SERVICES = ['groq', 'openrouter', 'ollama', 'generic', 'together_ai'] as const;
/** Whole LiteLLM retry classes as status codes (RETRY_CLASSES in src/targets/litellm/router.ts). */
const CLASS_CODES = [[400, 422], [401], [429], [500, 502, 503], [408, 504]] as const;

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const durationMs = fc.oneof(
  fc.integer({ min: 1, max: 900 }).map((n) => `${n}00ms`),
  fc.integer({ min: 1, max: 120 }).map((n) => `${n}s`),
);
const price = fc.oneof(
  fc.integer({ min: 0, max: 5_000 }).map((c) => c / 100),
  fc.integer({ min: 1, max: 99 }).map((c) => c / 100),
);
const choose = <T>(items: readonly T[], raw: readonly number[]): T[] =>
  items.length === 0 ? [] : [...new Set(raw.map((r) => r % items.length))].map((i) => items[i]!);

const genome = fc.record({
  providers: fc.array(
    fc.record({ kind: fc.constantFrom(...KINDS), vault: fc.boolean(), base: fc.boolean(), service: fc.constantFrom(...SERVICES), quirks: fc.boolean() }),
    { minLength: 1, maxLength: 4 },
  ),
  /**
   * Model group names as clients send them, taken as drawn: any GROUP_NAME_PATTERN name up to its 128 characters, and
   * names YAML 1.1 would read as something else (`yes`, `012`, `1:30`), which a suffix would hide from the importer.
   */
  names: fc.uniqueArray(groupName, { minLength: 5, maxLength: 5 }),
  deployments: fc.array(
    fc.record({
      provider: fc.nat(),
      model: fc.nat({ max: 2 }),
      contextWindow: fc.constantFrom(8_192, 16_384, 32_768, 128_000, 200_000),
      weight: fc.oneof(
        fc.constant(1),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 1_000 }).map((w) => w / 100),
      ),
      order: maybe(fc.integer({ min: 0, max: 5 })),
      rpm: maybe(fc.integer({ min: 1, max: 10_000 })),
      tpm: maybe(fc.integer({ min: 1, max: 5_000_000 })),
      input: price,
      output: price,
    }),
    { minLength: 1, maxLength: 8 },
  ),
  strategy: fc.constantFrom(...STRATEGIES.filter((s) => s !== 'ordered')),
  groups: fc.array(
    fc.record({
      deployments: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
      ordered: fc.boolean(),
      workload: fc.constantFrom(...WORKLOADS),
      count: maybe(fc.integer({ min: 0, max: 4 })),
      request: maybe(durationMs),
      stream: maybe(durationMs),
      fallbacks: fc.array(fc.nat(), { maxLength: 3 }),
      cwf: fc.array(fc.nat(), { maxLength: 2 }),
      peakRpm: maybe(fc.integer({ min: 1, max: 5_000 })),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  retryClasses: maybe(fc.subarray([0, 1, 2, 3, 4], { minLength: 1 })),
  breaker: maybe(
    fc.record({
      errorRateThreshold: fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
      minRequests: fc.integer({ min: 1, max: 100 }),
      window: fc.constantFrom('30s', '60s', '2m'),
      cooldown: fc.oneof(
        fc.integer({ min: 1, max: 600 }).map((n) => `${n}s`),
        fc.constant('1500ms'),
      ),
    }),
  ),
  redis: fc.boolean(),
  release: fc.constantFrom(...LITELLM_RELEASES),
  enterprise: fc.boolean(),
});

type Genome = typeof genome extends fc.Arbitrary<infer G> ? G : never;

function build(g: Genome): PolicyInput {
  const providers: ProviderInput[] = g.providers.map((p, i) => {
    const id = `${p.kind.replace('_', '-')}-${i}`;
    const apiKey = p.vault ? `vault:secret/providers/${id}#key` : `env:KEY_${i}`;
    switch (p.kind) {
      case 'azure_openai':
        // An endpoint per environment: read where LiteLLM runs.
        return p.base
          ? { id, kind: p.kind, apiBase: `https://${id}.openai.azure.com`, apiVersion: '2024-10-21', apiKey, region: 'eastus' }
          : { id, kind: p.kind, apiBase: `env:AZURE_BASE_${i}`, apiVersion: `env:AZURE_VERSION_${i}`, apiKey };
      case 'openai_compatible': {
        const local = p.service === 'ollama' || p.service === 'generic';
        return {
          id,
          kind: p.kind,
          service: p.service,
          ...(local ? { apiBase: p.base ? `http://box-${i}.internal:8080` : `env:LOCAL_BASE_${i}` } : {}),
          // `openai/` with a key reads back as OpenAI's own kind: a generic server is the keyless one.
          ...(p.service === 'generic' ? {} : { apiKey }),
          ...(p.quirks && p.service === 'openrouter' ? { compat: { headers: { 'X-Title': 'switchyard' }, n: false, streamOptions: false } } : {}),
        };
      }
      case 'passthrough': {
        const bedrock: ProviderInput = {
          id,
          kind: p.kind,
          litellm: { provider: 'bedrock', params: { aws_region_name: `eu-west-${i}` }, secrets: { aws_secret_access_key: `env:AWS_SECRET_${i}` } },
        };
        return p.base ? bedrock : { id, kind: p.kind, apiKey, litellm: { provider: 'gemini' } };
      }
      default:
        return { id, kind: p.kind, apiKey, ...(p.base ? { apiBase: `https://api-${i}.example.com/v1` } : {}) };
    }
  });
  const deployments: DeploymentInput[] = g.deployments.map((d, i) => ({
    id: `dep-${i}`,
    provider: providers[d.provider % providers.length]!.id,
    model: `model-${d.model}`,
    contextWindow: d.contextWindow,
    rpm: d.rpm,
    tpm: d.tpm,
    pricing: { inputPer1M: d.input, outputPer1M: d.output },
    weight: d.weight,
    order: d.order,
    tags: ['drawn'],
  }));
  const names = g.groups.map((_, i) => g.names[i]!);
  const members = g.groups.map((gr) => choose(deployments, gr.deployments));
  const maxWindow = members.map((ds) => Math.max(...ds.map((d) => d.contextWindow)));
  const inOrdered = new Set<string>();
  // Server errors are always listed: LiteLLM retries those no class covers whatever the policy says.
  const retryOn = g.retryClasses && [...new Set([...g.retryClasses.flatMap((c) => CLASS_CODES[c]!), 500, 502, 503])].sort((a, b) => a - b);
  const modelGroups: ModelGroupInput[] = g.groups.map((gr, i) => {
    const ids = members[i]!.map((d) => d.id);
    const ordered = gr.ordered && ids.every((id) => !inOrdered.has(id));
    if (ordered) for (const id of ids) inOrdered.add(id);
    return {
      name: names[i]!,
      description: 'drawn by fast-check',
      workload: gr.workload,
      strategy: ordered ? 'ordered' : g.strategy,
      deployments: ids,
      retries: { ...(gr.count !== undefined ? { count: gr.count } : {}), ...(retryOn ? { retryOn } : {}), backoff: { initial: '100ms' } },
      timeouts: { ...(gr.request ? { request: gr.request } : {}), ...(gr.stream ? { streamFirstToken: gr.stream } : {}) },
      fallbacks: choose(names.slice(i + 1), gr.fallbacks),
      contextWindowFallbacks: choose(
        names.filter((_, j) => maxWindow[j]! > maxWindow[i]!),
        gr.cwf,
      ),
      traffic: gr.peakRpm ? { peakRpm: gr.peakRpm, meanInputTokens: 1_000, meanOutputTokens: 200 } : undefined,
    };
  });
  return {
    name: 'expressible',
    providers,
    deployments,
    modelGroups,
    circuitBreaker: g.breaker,
    routerState: g.redis ? { kind: 'redis', url: 'env:REDIS_URL' } : { kind: 'memory' },
    targets: { litellm: { release: g.release, enterprise: g.enterprise } },
  };
}

/**
 * Only policies a policy file could hold: the loader refuses any value that reads as a credential (a drawn group
 * name such as `a://::@-1` is "a password in a URL"), and the imported policy goes through the loader.
 */
export const expressiblePolicy: fc.Arbitrary<PolicyInput> = genome.map(build).filter((p) => literalSecretDiagnostics(p).length === 0);
