/**
 * One vLLM engine's per-GPU memory budget, in bytes:
 *
 *   budget  = device total (gpu-memory.ts) x gpu-memory-utilization
 *   KV      = budget - weights (weights.ts) - reserve (reserve.ts)
 *   tokens  = whole 16-token blocks of KV / KV bytes per token (kv-cache.ts)
 *
 * The device total is rounded down and the weights and the reserve up to
 * whole megabytes (10^6 B), so the plan's GB figures (3 decimals) add up
 * exactly: weights + reserve + tokens x bytes per token <= total x utilization.
 */
import type { ModelArchitecture } from './catalog.ts';
import { activationDtype, dtypeBytes, type Dtype, type KvCacheDtype, type Quantization } from './dtypes.ts';
import { visibleGpuBytes } from './gpu-memory.ts';
import { blocksFor, BLOCK_TOKENS, kvBlocks, kvBytesPerTokenPerGpu } from './kv-cache.ts';
import { reserveBytes, type Reserve } from './reserve.ts';
import { weightBytesPerGpu } from './weights.ts';

const MB = 1e6;

export interface EngineConfig {
  arch: ModelArchitecture;
  dtype: Dtype;
  quantization: Quantization | null;
  kvCacheDtype: KvCacheDtype;
  tensorParallel: number;
  /** Per-GPU memory as marketed (gpu-memory.ts). */
  vramGb: number;
  gpuMemoryUtilization: number;
  maxModelLen: number;
  /** Size of the profiled forward pass (max-num-batched-tokens). */
  maxNumBatchedTokens: number;
  /** Sequences of the profiled sampler run (max-num-seqs). */
  maxNumSeqs: number;
  /** Reserve CUDA-graph memory (default true; false reproduces vLLM versions that captured graphs after sizing the cache). */
  cudaGraphs?: boolean;
}

export interface EngineEstimate {
  /** Device total as vLLM sees it, rounded down to MB. */
  gpuBytes: number;
  budgetBytes: number;
  weightsBytes: number;
  reserve: Reserve;
  /** reserve.totalBytes rounded up to MB. */
  reserveBytes: number;
  kvBytesPerToken: number;
  /** May be negative: weights and reserve alone exceed the budget. */
  kvBytes: number;
  kvBlocks: number;
  kvTokens: number;
  /** One request of maxModelLen tokens fits in the cache (vLLM refuses to start otherwise). */
  fits: boolean;
  /** Bytes per GPU short of holding one maxModelLen request; 0 when it fits. */
  missingBytes: number;
}

export function estimateEngine(c: EngineConfig): EngineEstimate {
  const tp = c.tensorParallel;
  const gpuBytes = Math.floor(visibleGpuBytes(c.vramGb) / MB) * MB;
  const budgetBytes = gpuBytes * c.gpuMemoryUtilization;
  const weightsBytes = Math.ceil(weightBytesPerGpu(c.arch, c.dtype, c.quantization, tp) / MB) * MB;
  const reserve = reserveBytes({
    arch: c.arch,
    tp,
    activationBytes: dtypeBytes(activationDtype(c.dtype, c.quantization), c.arch),
    maxNumBatchedTokens: c.maxNumBatchedTokens,
    maxNumSeqs: c.maxNumSeqs,
    cudaGraphs: c.cudaGraphs ?? true,
  });
  const reserveRounded = Math.ceil(reserve.totalBytes / MB) * MB;
  const kvBytesPerToken = kvBytesPerTokenPerGpu(c.arch, c.kvCacheDtype, c.dtype, tp);
  const kvBytes = budgetBytes - weightsBytes - reserveRounded;
  const blocks = kvBlocks(kvBytes, kvBytesPerToken);
  const needed = blocksFor(c.maxModelLen);
  const fits = blocks >= needed;
  const missingBytes = fits ? 0 : needed * BLOCK_TOKENS * kvBytesPerToken - kvBytes;
  return {
    gpuBytes,
    budgetBytes,
    weightsBytes,
    reserve,
    reserveBytes: reserveRounded,
    kvBytesPerToken,
    kvBytes,
    kvBlocks: blocks,
    kvTokens: blocks * BLOCK_TOKENS,
    fits,
    missingBytes,
  };
}
