/**
 * PlanCapacity for one pool model of a plan: the engine's GPUs, its memory
 * budget and the batching knobs, with GB (10^9 bytes) to 3 decimals.
 */
import type { PlanCapacity, PlanPool, PlanPoolModel } from '../types.ts';
import { modelCatalog, type ModelCatalog } from '../../capacity/catalog.ts';
import { estimateEngine, type EngineConfig, type EngineEstimate } from '../../capacity/estimate.ts';
import { visibleGpuBytes } from '../../capacity/gpu-memory.ts';
import { chooseMaxNumBatchedTokens, chooseMaxNumSeqs, MAX_NUM_SEQS, profiledBatchedTokens } from '../../capacity/sizing.ts';

const BUILT_IN = modelCatalog();

/** vLLM's long-standing default (later versions moved to 0.92): the plan always states the value it assumed. */
const DEFAULT_GPU_MEMORY_UTILIZATION = 0.9;

/** The pool fields capacity needs: the plan's pools, or a policy's, fit. */
export type PoolGpus = Pick<PlanPool, 'id' | 'gpu'>;
/** A pool model as normalized, before its capacity is known. */
export type PoolModelSettings = Omit<PlanPoolModel, 'capacity'>;

export interface EngineGpus {
  /** Smallest per-GPU memory (marketed GB) among the pool and the pools the model spans: tensor parallelism splits evenly, so the smallest GPU bounds them all. */
  vramGb: number;
  /** The GPU model with that memory. */
  gpuModel: string;
  /** GPUs of the pool and its spanned pools: the largest tensor-parallel group possible. */
  available: number;
  pools: string[];
}

export function engineGpus(pool: PoolGpus, model: Pick<PoolModelSettings, 'spansPools'>, pools: Readonly<Record<string, PoolGpus>>): EngineGpus {
  let vramGb = pool.gpu.vramGb;
  let gpuModel = pool.gpu.model;
  let available = pool.gpu.count;
  const ids = [pool.id];
  for (const id of model.spansPools) {
    const other = pools[id];
    if (other === undefined || ids.includes(id)) continue;
    ids.push(id);
    available += other.gpu.count;
    if (other.gpu.vramGb < vramGb) {
      vramGb = other.gpu.vramGb;
      gpuModel = other.gpu.model;
    }
  }
  return { vramGb, gpuModel, available, pools: ids };
}

/**
 * What the engine's start-up profile runs with: max-num-batched-tokens from
 * the expected prompt and the max-num-seqs ceiling. The knobs finally chosen
 * are never larger, so the reserve computed here is an upper bound, and the
 * KV cache depends on nothing that grows with the GPU (more memory never
 * means fewer tokens).
 */
export function engineConfigFor(
  pool: PoolGpus,
  model: PoolModelSettings,
  pools: Readonly<Record<string, PoolGpus>>,
  catalog: ModelCatalog = BUILT_IN,
): EngineConfig | undefined {
  const arch = catalog.find(model.model);
  if (arch === undefined) return undefined;
  return {
    arch,
    dtype: model.dtype,
    quantization: model.quantization,
    kvCacheDtype: model.kvCacheDtype,
    tensorParallel: model.tensorParallel,
    vramGb: engineGpus(pool, model, pools).vramGb,
    gpuMemoryUtilization: model.gpuMemoryUtilization ?? DEFAULT_GPU_MEMORY_UTILIZATION,
    maxModelLen: model.maxModelLen,
    maxNumBatchedTokens: profiledBatchedTokens(model.expected.promptTokens),
    maxNumSeqs: MAX_NUM_SEQS,
  };
}

const gb = (bytes: number) => Math.round(bytes / 1e6) / 1000;
const gbFloor = (bytes: number) => Math.floor(bytes / 1e6) / 1000;

function toPlanCapacity(c: EngineConfig, e: EngineEstimate, expected: PoolModelSettings['expected']): PlanCapacity {
  const maxNumSeqs = chooseMaxNumSeqs(e.kvBlocks, expected);
  return {
    gpuMemoryUtilization: c.gpuMemoryUtilization,
    gpus: c.tensorParallel,
    vramGbPerGpu: gb(e.gpuBytes),
    weightsGbPerGpu: gb(e.weightsBytes),
    reserveGbPerGpu: gb(e.reserveBytes),
    kvBytesPerTokenPerGpu: e.kvBytesPerToken,
    kvGbPerGpu: gbFloor(e.kvBytes),
    kvTokens: e.kvTokens,
    maxConcurrencyAtFullContext: Math.floor((e.kvTokens / c.maxModelLen) * 100) / 100,
    maxNumSeqs,
    maxNumBatchedTokens: chooseMaxNumBatchedTokens(c.maxNumBatchedTokens, e.kvTokens, maxNumSeqs),
    fits: e.fits,
  };
}

/**
 * The capacity of `model` served on `pool` (`pools` resolves spansPools,
 * `catalog` the model: built in or declared by the policy). A
 * model missing from the catalog gets an empty capacity that does not fit;
 * the feasibility check reports it as unknown-model, so no plan carries it.
 */
export function capacityFor(
  pool: PoolGpus,
  model: PoolModelSettings,
  pools: Readonly<Record<string, PoolGpus>>,
  catalog: ModelCatalog = BUILT_IN,
): PlanCapacity {
  const config = engineConfigFor(pool, model, pools, catalog);
  if (config === undefined) {
    const gpus = engineGpus(pool, model, pools);
    return {
      gpuMemoryUtilization: model.gpuMemoryUtilization ?? DEFAULT_GPU_MEMORY_UTILIZATION,
      gpus: model.tensorParallel,
      vramGbPerGpu: gbFloor(visibleGpuBytes(gpus.vramGb)),
      weightsGbPerGpu: 0,
      reserveGbPerGpu: 0,
      kvBytesPerTokenPerGpu: 0,
      kvGbPerGpu: 0,
      kvTokens: 0,
      maxConcurrencyAtFullContext: 0,
      maxNumSeqs: 1,
      maxNumBatchedTokens: profiledBatchedTokens(model.expected.promptTokens),
      fits: false,
    };
  }
  return toPlanCapacity(config, estimateEngine(config), model.expected);
}
