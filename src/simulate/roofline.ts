/**
 * Service times of a vLLM engine from a roofline estimate: a step of the
 * engine takes the longer of reading what it must read from GPU memory and
 * doing the arithmetic it must do.
 * - decode step of a batch of b sequences: read the weights once (the per-GPU
 *   shard, so tensor parallelism divides it) plus the KV cache of every
 *   sequence; 2 x parameters FLOPs per sequence. Small batches are
 *   bandwidth-bound, which is why batching pays.
 * - prefill of n prompt tokens, in chunks of max-num-batched-tokens: per
 *   chunk, read the weights once and do 2 x parameters x chunk FLOPs
 *   (compute-bound for any real prompt).
 * Peaks come from the GPU table (src/capacity/gpu-bandwidth.ts), discounted
 * to what kernels reach in practice (MEMORY_EFFICIENCY, COMPUTE_EFFICIENCY).
 * Left out: attention FLOPs (small next to the weights below ~8K tokens),
 * prefill slowing the decode of others in the same step, tensor-parallel
 * communication, and prefix-cache hits (which would only shorten prefill).
 */
import { findModel } from '../capacity/catalog.ts';
import { QUANTIZED_BYTES_PER_PARAM } from '../capacity/dtypes.ts';
import { findGpu, type GpuSpec } from '../capacity/gpu-bandwidth.ts';
import { parameterCounts } from '../capacity/weights.ts';
import type { CompiledPlan, PlanPoolModel } from '../plan/types.ts';
import type { ServiceModel, ServiceTimes } from './engine.ts';
import type { GpuOverride } from './scenario.ts';

/** Share of peak bandwidth a decode step reaches (memory-bound kernels reach 70-90% of peak). */
const MEMORY_EFFICIENCY = 0.8;
/** Share of peak tensor throughput prefill reaches (model FLOPs utilisation of serving engines is typically 40-60%). */
const COMPUTE_EFFICIENCY = 0.5;

export interface EngineHardware {
  gpu: string;
  memoryBandwidthGBs: number;
  denseFp16Tflops: number;
}

export interface RooflineParams {
  weightBytesPerGpu: number;
  kvBytesPerTokenPerGpu: number;
  /** FLOPs per token per GPU: 2 x parameters / tensor-parallel size. */
  flopsPerTokenPerGpu: number;
  /** Bytes per ms and FLOPs per ms each GPU sustains. */
  bytesPerMs: number;
  flopsPerMs: number;
  chunkTokens: number;
}

export class GpuUnknownError extends Error {}

/**
 * The GPU an engine runs on: its home pool's (a model spanning pools runs at
 * the pace of the slowest GPU in its group). A scenario's `gpus` entry,
 * keyed by the name the policy uses, wins over the table.
 */
export function engineHardware(plan: CompiledPlan, poolId: string, m: PlanPoolModel, overrides: Record<string, GpuOverride> = {}): EngineHardware {
  const pools = [poolId, ...m.spansPools].map((id) => plan.pools[id]).filter((p) => p !== undefined);
  let slowest: EngineHardware | undefined;
  for (const p of pools) {
    const o = overrides[p.gpu.model];
    const spec: Pick<GpuSpec, 'memoryBandwidthGBs' | 'denseFp16Tflops'> | undefined = o ?? findGpu(p.gpu.model, p.gpu.vramGb);
    if (!spec)
      throw new GpuUnknownError(
        `GPU "${p.gpu.model}" of pool ${p.id} is not in the GPU table (src/capacity/gpu-bandwidth.ts); give its memoryBandwidthGBs and denseFp16Tflops under "gpus" in a scenario file`,
      );
    if (slowest === undefined || spec.memoryBandwidthGBs < slowest.memoryBandwidthGBs)
      slowest = { gpu: p.gpu.model, memoryBandwidthGBs: spec.memoryBandwidthGBs, denseFp16Tflops: spec.denseFp16Tflops };
  }
  if (!slowest) throw new GpuUnknownError(`pool ${poolId} is not in the plan`);
  return slowest;
}

/** Parameters of the model: from the catalog when it knows the model, else from the weight bytes the plan computed. */
export function parameterCount(m: PlanPoolModel): number {
  const arch = findModel(m.model);
  if (arch) return parameterCounts(arch).total;
  const bytesPerParam = m.quantization === null ? (m.dtype === 'float32' ? 4 : 2) : QUANTIZED_BYTES_PER_PARAM[m.quantization];
  return (m.capacity.weightsGbPerGpu * 1e9 * m.capacity.gpus) / bytesPerParam;
}

export function rooflineParams(m: PlanPoolModel, hw: EngineHardware): RooflineParams {
  return {
    weightBytesPerGpu: m.capacity.weightsGbPerGpu * 1e9,
    kvBytesPerTokenPerGpu: m.capacity.kvBytesPerTokenPerGpu,
    flopsPerTokenPerGpu: (2 * parameterCount(m)) / Math.max(1, m.capacity.gpus),
    bytesPerMs: (hw.memoryBandwidthGBs * 1e9 * MEMORY_EFFICIENCY) / 1000,
    flopsPerMs: (hw.denseFp16Tflops * 1e12 * COMPUTE_EFFICIENCY) / 1000,
    chunkTokens: Math.max(1, m.capacity.maxNumBatchedTokens),
  };
}

/** One decode step of `batch` sequences holding `contextTokens` of KV cache, in ms. */
export function decodeStepMs(p: RooflineParams, batch: number, contextTokens: number): number {
  const memory = (p.weightBytesPerGpu + contextTokens * p.kvBytesPerTokenPerGpu) / p.bytesPerMs;
  const compute = (p.flopsPerTokenPerGpu * batch) / p.flopsPerMs;
  return Math.max(memory, compute);
}

/** Prefill of `tokens` prompt tokens in chunks of max-num-batched-tokens, in ms. */
export function prefillMs(p: RooflineParams, tokens: number): number {
  const weights = p.weightBytesPerGpu / p.bytesPerMs;
  const full = Math.floor(tokens / p.chunkTokens);
  const rest = tokens - full * p.chunkTokens;
  const chunk = (n: number) => Math.max(weights, (p.flopsPerTokenPerGpu * n) / p.flopsPerMs);
  return full * chunk(p.chunkTokens) + (rest > 0 ? chunk(rest) : 0);
}

export function rooflineService(p: RooflineParams): ServiceModel {
  return {
    times(inputTokens: number, outputTokens: number, batch: number, contextTokens: number): ServiceTimes {
      return { prefillMs: prefillMs(p, inputTokens), decodeMs: outputTokens * decodeStepMs(p, batch, contextTokens) };
    },
  };
}
