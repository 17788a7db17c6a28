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
 *
 * How each run is reproduced: V0 engines profiled max_model_len tokens
 * (chunked prefill was off below 32K) with 256 sequences and captured CUDA
 * graphs after sizing the cache (`cudaGraphs: false`); V1 engines profile
 * max-num-batched-tokens with chunked prefill and we reserve CUDA-graph
 * memory as the plan does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { estimateEngine, findModel, GIB, kvTokensFor, type EngineConfig, type Quantization } from '../../src/capacity/index.ts';
import { SHARED_FIXTURES } from '../fixtures/shared.ts';
import { join } from 'node:path';

export const TOLERANCE = 0.15;
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

/** Every reproduced reference: the usable fixture entries, then the extra published runs. */
export function allReferences(): Reference[] {
  const fromShared = fixtureEntries()
    .filter((e) => e.usable_for_dense_gqa_estimator && !EXCLUDED[e.id])
    .map(fromFixture)
    .filter((r): r is Reference => r !== undefined);
  return [...fromShared, ...EXTRA];
}
