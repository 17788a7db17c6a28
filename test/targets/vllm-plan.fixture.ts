/**
 * Hand-built CompiledPlans for the vLLM emitter tests: the reference pools
 * (two single-5090 pools with a 70B spanning both, one 3090 pool) with
 * plausible capacity figures, and a builder of arbitrary pool plans with
 * random capacity values for the property test.
 */
import fc from 'fast-check';
import {
  PLAN_SCHEMA_VERSION,
  type CompiledPlan,
  type PlanCapacity,
  type PlanDeployment,
  type PlanPool,
  type PlanPoolModel,
  type PlanProvider,
} from '../../src/plan/types.ts';

export function capacity(over: Partial<PlanCapacity> = {}): PlanCapacity {
  return {
    gpuMemoryUtilization: 0.9,
    gpus: 1,
    vramGbPerGpu: 32,
    weightsGbPerGpu: 16.06,
    reserveGbPerGpu: 2.5,
    kvBytesPerTokenPerGpu: 131_072,
    kvGbPerGpu: 10.24,
    kvTokens: 78_112,
    maxConcurrencyAtFullContext: 2.383,
    maxNumSeqs: 64,
    maxNumBatchedTokens: 8_192,
    fits: true,
    ...over,
  };
}

export function poolModel(pool: string, over: Partial<PlanPoolModel> & Pick<PlanPoolModel, 'model' | 'servedName'>): PlanPoolModel {
  return {
    id: `${pool}/${over.servedName}`,
    dtype: 'bfloat16',
    quantization: null,
    kvCacheDtype: 'auto',
    tensorParallel: 1,
    spansPools: [],
    gpuMemoryUtilization: null,
    maxModelLen: 32_768,
    port: 8000,
    expected: { promptTokens: 2_000, completionTokens: 400 },
    capacity: capacity(),
    ...over,
  };
}

const provider = (id: string, apiBase: string, apiKey: PlanProvider['apiKey']): PlanProvider => ({
  id,
  kind: 'vllm',
  apiBase,
  apiBaseEnv: null,
  apiVersion: null,
  apiVersionEnv: null,
  region: null,
  apiKey,
  openaiCompatible: null,
  passthrough: null,
});
const envKey = (name: string) => ({ ref: `env:${name}`, scheme: 'env' as const, name });

function deployment(id: string, provider: string, pool: string, model: string): PlanDeployment {
  return {
    id,
    provider,
    providerKind: 'vllm',
    model,
    contextWindow: 32_768,
    rpm: null,
    tpm: null,
    pricing: { inputPer1M: 0, outputPer1M: 0 },
    weight: 1,
    order: null,
    pool,
    timeoutMs: null,
    tags: [],
  };
}

const LLAMA_8B = { model: 'meta-llama/Llama-3.1-8B-Instruct', servedName: 'llama-3.1-8b-instruct' };

export function basePlan(pools: Record<string, PlanPool>, extra: Partial<CompiledPlan> = {}): CompiledPlan {
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    name: 'vllm-fixture',
    description: null,
    hash: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    providers: {},
    deployments: {},
    groups: {},
    routerState: { kind: 'memory' },
    tenants: {},
    pools,
    batchProfiles: {},
    slos: { targets: {}, alerts: {} },
    ...extra,
  };
}

/** The reference pools, with the 70B's key coming from a provider-specific variable. */
export function referenceLikePlan(): CompiledPlan {
  const pools: Record<string, PlanPool> = {
    'pool-a': {
      id: 'pool-a',
      gpu: { model: 'RTX 5090', vramGb: 32, count: 1 },
      maxContext: 32_768,
      host: '0.0.0.0',
      models: {
        'llama-3.1-8b-instruct': poolModel('pool-a', LLAMA_8B),
        'llama-3.1-70b-instruct': poolModel('pool-a', {
          model: 'meta-llama/Llama-3.1-70B-Instruct',
          servedName: 'llama-3.1-70b-instruct',
          dtype: 'float16',
          quantization: 'awq',
          tensorParallel: 2,
          spansPools: ['pool-b'],
          port: 8001,
          expected: { promptTokens: 3_000, completionTokens: 800 },
          capacity: capacity({
            gpus: 2,
            weightsGbPerGpu: 19.8,
            kvBytesPerTokenPerGpu: 163_840,
            kvGbPerGpu: 6.5,
            kvTokens: 39_664,
            maxConcurrencyAtFullContext: 1.21,
            maxNumSeqs: 16,
            maxNumBatchedTokens: 4_096,
          }),
        }),
      },
    },
    'pool-b': {
      id: 'pool-b',
      gpu: { model: 'RTX 5090', vramGb: 32, count: 1 },
      maxContext: 32_768,
      host: '10.0.0.12',
      models: { 'llama-3.1-8b-instruct': poolModel('pool-b', LLAMA_8B) },
    },
    'pool-c': {
      id: 'pool-c',
      gpu: { model: 'RTX 3090', vramGb: 24, count: 1 },
      maxContext: 16_384,
      host: '0.0.0.0',
      models: {
        'llama-3.1-8b-instruct': poolModel('pool-c', {
          ...LLAMA_8B,
          maxModelLen: 16_384,
          kvCacheDtype: 'fp8',
          capacity: capacity({
            vramGbPerGpu: 24,
            kvGbPerGpu: 3.3,
            kvTokens: 25_168,
            maxConcurrencyAtFullContext: 1.536,
            maxNumSeqs: 32,
            maxNumBatchedTokens: 4_096,
          }),
        }),
      },
    },
  };
  return basePlan(pools, {
    providers: {
      'vllm-pool-a': provider('vllm-pool-a', 'http://pool-a.gpu.internal:8000/v1', envKey('VLLM_API_KEY')),
      'vllm-pool-ab-70b': provider('vllm-pool-ab-70b', 'http://pool-a.gpu.internal:8001/v1', envKey('POOL_AB_70B_KEY')),
      'vllm-pool-b': provider('vllm-pool-b', 'http://pool-b.gpu.internal:8000/v1', {
        ref: 'vault:secret/vllm#key',
        scheme: 'vault',
        path: 'secret/vllm',
        field: 'key',
      }),
      'vllm-pool-c': provider('vllm-pool-c', 'http://pool-c.gpu.internal:8000/v1', null),
    },
    deployments: {
      'local-a': deployment('local-a', 'vllm-pool-a', 'pool-a', 'llama-3.1-8b-instruct'),
      'local-70b': deployment('local-70b', 'vllm-pool-ab-70b', 'pool-a', 'llama-3.1-70b-instruct'),
      'local-b': deployment('local-b', 'vllm-pool-b', 'pool-b', 'llama-3.1-8b-instruct'),
      'local-c': deployment('local-c', 'vllm-pool-c', 'pool-c', 'llama-3.1-8b-instruct'),
    },
  });
}

/**
 * Arbitrary pool plans with random capacity figures, including ones that
 * contradict each other (batched tokens above the KV cache, utilization above
 * the cap, `fits` false): the emitter must stay inside the budget regardless.
 */
const arbitraryCapacity: fc.Arbitrary<PlanCapacity> = fc.record({
  gpuMemoryUtilization: fc.oneof(
    fc.integer({ min: 1, max: 98 }).map((x) => x / 100),
    fc.double({ min: 0, max: 1, noNaN: true }),
  ),
  gpus: fc.integer({ min: 1, max: 8 }),
  vramGbPerGpu: fc.constantFrom(16, 24, 32, 48, 80),
  weightsGbPerGpu: fc.double({ min: 0, max: 100, noNaN: true }),
  reserveGbPerGpu: fc.double({ min: 0, max: 8, noNaN: true }),
  kvBytesPerTokenPerGpu: fc.integer({ min: 1, max: 1_000_000 }),
  kvGbPerGpu: fc.double({ min: -50, max: 60, noNaN: true }),
  kvTokens: fc.integer({ min: 0, max: 2_000_000 }),
  maxConcurrencyAtFullContext: fc.double({ min: 0, max: 500, noNaN: true }),
  maxNumSeqs: fc.integer({ min: 0, max: 2_048 }),
  maxNumBatchedTokens: fc.integer({ min: 0, max: 65_536 }),
  fits: fc.boolean(),
});

const servedName = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);

export const arbitraryPoolPlan: fc.Arbitrary<CompiledPlan> = fc
  .array(
    fc.record({
      maxContext: fc.constantFrom(4_096, 8_192, 16_384, 32_768, 131_072),
      host: fc.constantFrom('0.0.0.0', '10.0.0.1', 'gpu.internal', 'on', 'yes'),
      models: fc.uniqueArray(
        fc.record({
          servedName,
          maxModelLen: fc.integer({ min: 1, max: 200_000 }),
          dtype: fc.constantFrom('auto', 'bfloat16', 'float16', 'float32'),
          quantization: fc.constantFrom(null, 'awq', 'gptq', 'fp8', 'bitsandbytes'),
          kvCacheDtype: fc.constantFrom('auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2'),
          tensorParallel: fc.integer({ min: 1, max: 4 }),
          span: fc.boolean(),
          port: fc.option(fc.integer({ min: 1, max: 65_535 }), { nil: null }),
          capacity: arbitraryCapacity,
        }),
        { minLength: 1, maxLength: 3, selector: (m) => m.servedName },
      ),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((genes) => {
    const ids = genes.map((_, i) => `pool-${i}`);
    const pools: Record<string, PlanPool> = {};
    genes.forEach((g, i) => {
      const id = ids[i]!;
      const models: Record<string, PlanPoolModel> = {};
      for (const m of g.models) {
        const others = ids.filter((x) => x !== id);
        models[m.servedName] = poolModel(id, {
          model: `org/${m.servedName}`,
          servedName: m.servedName,
          dtype: m.dtype as PlanPoolModel['dtype'],
          quantization: m.quantization as PlanPoolModel['quantization'],
          kvCacheDtype: m.kvCacheDtype as PlanPoolModel['kvCacheDtype'],
          tensorParallel: m.tensorParallel,
          spansPools: m.span ? others : [],
          // The plan caps maxModelLen at the pool's context; the emitter must hold even if it did not.
          maxModelLen: m.maxModelLen,
          port: m.port,
          capacity: m.capacity,
        });
      }
      pools[id] = { id, gpu: { model: 'GPU', vramGb: 32, count: 4 }, maxContext: g.maxContext, host: g.host, models };
    });
    return basePlan(pools);
  });

/**
 * What vLLM's `load_config_file` makes of a --config mapping
 * (fixtures/vllm/config_file_format.md §2-3): `model` goes to the positional
 * slot, `true` becomes a bare `--key`, a list `--key item...`, anything else
 * `--key str(value)`. A `false` is returned as an error: vLLM would drop it.
 */
export function configToArgv(config: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof config.model === 'string') out.push(config.model);
  for (const [key, value] of Object.entries(config)) {
    if (key === 'model') continue;
    if (value === false) throw new Error(`${key}: false would be ignored by vllm serve --config`);
    out.push(`--${key}`);
    if (value === true) continue;
    if (Array.isArray(value)) out.push(...value.map(String));
    else out.push(String(value));
  }
  return out;
}
