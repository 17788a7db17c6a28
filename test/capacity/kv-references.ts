/**
 * The published vLLM start-up figures our KV-cache estimate is checked
 * against (test/capacity/accuracy.test.ts asserts within 15%;
 * `npm run bench capacity` prints the table).
 *
 * Sources (GPU memory as the policy would state it: marketed GB):
 * 1. /work/shared/fixtures/vllm/kv_cache_references.json, every entry with
 *    `usable_for_dense_gqa_estimator` whose GPU memory is known:
 *    - vllm-10517-rtx3090-llama31-8b-20k: https://github.com/vllm-project/vllm/issues/10517
 *      (comment of 2024-12-02): RTX 3090 24 GB, Llama-3.1-8B-Instruct 16-bit,
 *      gpu_memory_utilization 0.90, max_model_len 20,000, V0 engine:
 *      "# GPU blocks: 1952" = 31,232 tokens.
 *    Excluded: gh-file-62757639325-llama8b-finetune-v0.15.1 — its GPU is not
 *    stated (the fixture only infers "roughly a 48 GB card") and the model is
 *    a fine-tuned checkpoint outside the catalog, so there is no device total
 *    to start from. Its logged "Available KV cache memory: 26.43 GiB" ->
 *    "GPU KV cache size: 216,496 tokens" still checks the bytes-per-token
 *    arithmetic below.
 * 2. The same comment of vllm-project/vllm#10517 with max_model_len 29,000:
 *    "# GPU blocks: 1478" = 23,648 tokens (also in its error message).
 * 3. https://github.com/vllm-project/vllm/pull/10511 (comment of 2024-12-14):
 *    `vllm serve meta-llama/Meta-Llama-3-8B` on an 80 GB H100 (79.22 GiB),
 *    utilization 0.90, max_model_len 8,192 (the model's), V0-style profile:
 *    available_kv_cache_memory 53.29 GiB. Tokens derived: 53.29 GiB / 131,072 B.
 *    Same architecture as Llama 3.1 8B.
 * 4. GitHub file "vLLM Empirical Test Results Analysis" (search-index id
 *    28022205292; repository not reported by the index): vllm/vllm-openai:latest
 *    (V1) on H100 80 GB (79.18 GiB), utilization 0.90, max-model-len 16,000,
 *    vLLM's H100 defaults (max-num-batched-tokens 8,192, max-num-seqs 1,024):
 *    - meta-llama/Llama-3.1-8B-Instruct: "Available KV cache memory: 51.38 GiB";
 *    - RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic, tensor-parallel-size 2:
 *      32.0 GiB per GPU.
 *    Tokens derived from GiB: the file quotes memory, not token counts.
 *    The same file's dense models outside the built-in catalog, declared the
 *    way a policy declares them (inline architecture, src/plan/capacity/catalog.ts)
 *    from their published config.json figures:
 *    - Qwen/Qwen3-0.6B at max-model-len 16,000 and 32,000: 64.45 GiB both;
 *    - Qwen/Qwen3-32B, tensor-parallel-size 1: 4.45 GiB; tensor-parallel-size 2: 34.49 GiB.
 *    Its gpt-oss models are mixture-of-experts, which the estimate refuses.
 * 5. https://github.com/vllm-project/vllm/issues/13061 (2025-02-11): two
 *    RTX 4090 (24 GB), tensor-parallel-size 2, gpu_memory_utilization 0.98,
 *    deepseek-ai/DeepSeek-R1-Distill-Qwen-14B (the Qwen2.5-14B architecture)
 *    at its default max_model_len 131,072, V0 engine: "the maximum number of
 *    tokens that can be stored in KV cache (81536)". Chunked prefill is on by
 *    default above 32K tokens in V0, so the profile ran 2,048 batched tokens.
 *
 * How each run is reproduced: V0 engines profiled max_model_len tokens
 * (chunked prefill was off below 32K) with 256 sequences and captured CUDA
 * graphs after sizing the cache (`cudaGraphs: false`); V1 engines profile
 * max-num-batched-tokens with chunked prefill and we reserve CUDA-graph
 * memory as the plan does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { estimateEngine, findModel, GIB, kvTokensFor, type EngineConfig, type ModelArchitecture, type Quantization } from '../../src/capacity/index.ts';
import { declaredArchitecture } from '../../src/plan/capacity/catalog.ts';
import { SHARED_FIXTURES } from '../fixtures/shared.ts';
import { join } from 'node:path';

export const TOLERANCE = 0.15;
/**
 * Where the cache is small, a fixed error (the CUDA-graph memory we reserve
 * and newer vLLM measures as negative, our 0.7% low device total on an H100)
 * is a large share of it: an under-estimate also passes when it is within
 * this much KV memory. An over-estimate never does: an engine sized by it
 * would not start.
 */
export const ABSOLUTE_TOLERANCE_BYTES = 1.5 * 2 ** 30;
const FIXTURE = join(SHARED_FIXTURES, 'vllm/kv_cache_references.json');

export interface Reference {
  id: string;
  source: string;
  config: EngineConfig;
  /** Tokens vLLM reported, or derived from the KV memory it reported. */
  reportedTokens: number;
}

const arch = (id: string) => {
  const m = findModel(id);
  if (!m) throw new Error(`not in the catalog: ${id}`);
  return m;
};
export const L8 = arch('meta-llama/Llama-3.1-8B-Instruct');
const L70 = arch('meta-llama/Llama-3.3-70B-Instruct');
const Q14 = arch('Qwen/Qwen2.5-14B-Instruct');
/** Published config.json figures, declared as a policy would (models[].architecture). */
const declared = (id: string, a: Parameters<typeof declaredArchitecture>[0]['architecture']): ModelArchitecture =>
  declaredArchitecture({ id, architecture: a })!;
const QWEN3_06B = declared('Qwen/Qwen3-0.6B', {
  layers: 28,
  attentionHeads: 16,
  kvHeads: 8,
  headDim: 128,
  hiddenSize: 1024,
  intermediateSize: 3072,
  vocabSize: 151_936,
  maxPositionEmbeddings: 40_960,
  dtype: 'bfloat16',
  tiedEmbeddings: true,
});
const QWEN3_32B = declared('Qwen/Qwen3-32B', {
  layers: 64,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  hiddenSize: 5120,
  intermediateSize: 25_600,
  vocabSize: 151_936,
  maxPositionEmbeddings: 40_960,
  dtype: 'bfloat16',
  tiedEmbeddings: false,
});
const tokensOf = (gib: number, bytesPerToken: number) => kvTokensFor(gib * GIB, bytesPerToken);

export const v0 = (c: Omit<EngineConfig, 'maxNumBatchedTokens' | 'maxNumSeqs' | 'cudaGraphs'>): EngineConfig => ({
  ...c,
  maxNumBatchedTokens: Math.max(c.maxModelLen, 2048),
  maxNumSeqs: 256,
  cudaGraphs: false,
});
const v1H100 = (c: Omit<EngineConfig, 'maxNumBatchedTokens' | 'maxNumSeqs' | 'cudaGraphs'>): EngineConfig => ({
  ...c,
  maxNumBatchedTokens: 8192,
  maxNumSeqs: 1024,
});
export const common = { dtype: 'auto', quantization: null, kvCacheDtype: 'auto', tensorParallel: 1, gpuMemoryUtilization: 0.9 } as const;

export const EXTRA: readonly Reference[] = [
  {
    id: 'vllm-10517-rtx3090-llama31-8b-29k',
    source: 'https://github.com/vllm-project/vllm/issues/10517',
    config: v0({ ...common, arch: L8, vramGb: 24, maxModelLen: 29_000 }),
    reportedTokens: 1478 * 16,
  },
  {
    id: 'vllm-pr-10511-h100-llama3-8b',
    source: 'https://github.com/vllm-project/vllm/pull/10511',
    config: v0({ ...common, arch: L8, vramGb: 80, maxModelLen: 8192 }),
    reportedTokens: tokensOf(53.29, 131_072),
  },
  {
    id: 'gh-file-28022205292-h100-llama31-8b',
    source: 'GitHub file "vLLM Empirical Test Results Analysis" (search-index id 28022205292)',
    config: v1H100({ ...common, arch: L8, vramGb: 80, maxModelLen: 16_000 }),
    reportedTokens: tokensOf(51.38, 131_072),
  },
  {
    id: 'gh-file-28022205292-h100-qwen3-0.6b-16k',
    source: 'GitHub file "vLLM Empirical Test Results Analysis" (search-index id 28022205292)',
    config: v1H100({ ...common, arch: QWEN3_06B, vramGb: 80, maxModelLen: 16_000 }),
    reportedTokens: tokensOf(64.45, 114_688),
  },
  {
    id: 'gh-file-28022205292-h100-qwen3-0.6b-32k',
    source: 'GitHub file "vLLM Empirical Test Results Analysis" (search-index id 28022205292)',
    config: v1H100({ ...common, arch: QWEN3_06B, vramGb: 80, maxModelLen: 32_000 }),
    reportedTokens: tokensOf(64.45, 114_688),
  },
  {
    id: 'gh-file-28022205292-h100-qwen3-32b',
    source: 'GitHub file "vLLM Empirical Test Results Analysis" (search-index id 28022205292)',
    config: v1H100({ ...common, arch: QWEN3_32B, vramGb: 80, maxModelLen: 16_000 }),
    reportedTokens: tokensOf(4.45, 262_144),
  },
  {
    id: 'gh-file-28022205292-h100-qwen3-32b-tp2',
    source: 'GitHub file "vLLM Empirical Test Results Analysis" (search-index id 28022205292)',
    config: v1H100({ ...common, arch: QWEN3_32B, tensorParallel: 2, vramGb: 80, maxModelLen: 16_000 }),
    reportedTokens: tokensOf(34.49, 131_072),
  },
  {
    id: 'vllm-13061-2x-rtx4090-qwen25-14b-tp2',
    source: 'https://github.com/vllm-project/vllm/issues/13061',
    // V0 with chunked prefill: the profile ran max-num-batched-tokens (2,048) with 256 sequences; CUDA graphs came after sizing.
    config: {
      ...common,
      arch: Q14,
      tensorParallel: 2,
      vramGb: 24,
      gpuMemoryUtilization: 0.98,
      maxModelLen: 131_072,
      maxNumBatchedTokens: 2048,
      maxNumSeqs: 256,
      cudaGraphs: false,
    },
    reportedTokens: 81_536,
  },
  {
    id: 'gh-file-28022205292-h100-llama33-70b-fp8-tp2',
    source: 'GitHub file "vLLM Empirical Test Results Analysis" (search-index id 28022205292)',
    config: v1H100({ ...common, arch: L70, quantization: 'fp8', tensorParallel: 2, vramGb: 80, maxModelLen: 16_000 }),
    reportedTokens: tokensOf(32.0, 163_840),
  },
];

/** Entries of the shared fixture we cannot reproduce, and why. */
export const EXCLUDED: Readonly<Record<string, string>> = {
  'gh-file-62757639325-llama8b-finetune-v0.15.1': 'GPU not stated (vram_gb null), fine-tuned model outside the catalog',
};

export interface FixtureEntry {
  id: string;
  model: string;
  vram_gb: number | null;
  gpu_memory_utilization: number;
  max_model_len: number;
  dtype: string;
  quantization: string | null;
  kv_cache_dtype: string;
  tensor_parallel_size: number;
  reported: Record<string, unknown>;
  derived?: Record<string, unknown>;
  usable_for_dense_gqa_estimator: boolean;
}

export const fixtureEntries = (): FixtureEntry[] =>
  existsSync(FIXTURE) ? (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { entries: FixtureEntry[] }).entries : [];

/** A fixture entry as an engine run: the rules in the header comment, read off its log format. */
export function fromFixture(e: FixtureEntry): Reference | undefined {
  const m = findModel(e.model);
  if (!m || e.vram_gb === null) return undefined;
  const r = e.reported;
  const blocks = typeof r.num_gpu_blocks === 'number' ? r.num_gpu_blocks * (typeof r.block_size === 'number' ? r.block_size : 16) : undefined;
  const reportedTokens = (r.gpu_kv_cache_size_tokens as number | undefined) ?? blocks ?? (e.derived?.kv_tokens as number | undefined);
  if (reportedTokens === undefined) return undefined;
  const isV0 = typeof r.num_gpu_blocks === 'number' && r.gpu_kv_cache_size_tokens === undefined;
  const big = e.vram_gb >= 70;
  const base = {
    arch: m,
    dtype: e.dtype.startsWith('float16') ? 'float16' : e.dtype.startsWith('bfloat16') ? 'bfloat16' : 'auto',
    quantization: (e.quantization as Quantization | null) ?? null,
    kvCacheDtype: e.kv_cache_dtype.includes('fp8') ? 'fp8' : 'auto',
    tensorParallel: e.tensor_parallel_size,
    vramGb: e.vram_gb,
    gpuMemoryUtilization: e.gpu_memory_utilization,
    maxModelLen: e.max_model_len,
  } as const;
  const config: EngineConfig = isV0
    ? v0(base)
    : {
        ...base,
        maxNumBatchedTokens: (r.max_num_batched_tokens_default_logged as number | undefined) ?? (big ? 8192 : 2048),
        maxNumSeqs: big ? 1024 : 256,
      };
  return { id: e.id, source: FIXTURE, config, reportedTokens };
}

/** Relative error of our KV-token estimate against what vLLM reported. */
export const kvError = (ref: Reference) => estimateEngine(ref.config).kvTokens / ref.reportedTokens - 1;

/** The same error in bytes of KV cache per GPU (negative: we under-estimate). */
export const kvErrorBytes = (ref: Reference) => {
  const e = estimateEngine(ref.config);
  return (e.kvTokens - ref.reportedTokens) * e.kvBytesPerToken;
};

/** Within 15%, or an under-estimate within ABSOLUTE_TOLERANCE_BYTES of KV memory. */
export const withinTolerance = (ref: Reference) => Math.abs(kvError(ref)) < TOLERANCE || (kvError(ref) < 0 && -kvErrorBytes(ref) <= ABSOLUTE_TOLERANCE_BYTES);

/** Every reproduced reference: the usable fixture entries, then the extra published runs. */
export function allReferences(): Reference[] {
  const fromShared = fixtureEntries()
    .filter((e) => e.usable_for_dense_gqa_estimator && !EXCLUDED[e.id])
    .map(fromFixture)
    .filter((r): r is Reference => r !== undefined);
  return [...fromShared, ...EXTRA];
}
