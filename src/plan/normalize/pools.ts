import type { ModelCatalog } from '../../capacity/catalog.ts';
import { capacityFor, type PoolGpus } from '../capacity/engine.ts';
import type { GpuPool, PoolModel } from '../../model/gpu-pool.ts';
import { servedNameOf } from '../defaults.ts';
import { recordOrigin } from '../origins.ts';
import type { PlanOrigins, PlanPool, PlanPoolModel } from '../types.ts';
import { keyed, sortedStrings } from './keyed.ts';

function poolGpus(pool: GpuPool): PoolGpus {
  return { id: pool.id, gpu: { model: pool.gpu.model, vramGb: pool.gpu.vramGb, count: pool.gpu.count } };
}

function normalizePoolModel(pool: GpuPool, m: PoolModel, servedName: string, gpus: Readonly<Record<string, PoolGpus>>, catalog?: ModelCatalog): PlanPoolModel {
  const settings: Omit<PlanPoolModel, 'capacity'> = {
    id: `${pool.id}/${servedName}`,
    model: m.model,
    servedName,
    dtype: m.dtype,
    quantization: m.quantization ?? null,
    kvCacheDtype: m.kvCacheDtype,
    tensorParallel: m.tensorParallel,
    spansPools: sortedStrings(m.spansPools),
    gpuMemoryUtilization: m.gpuMemoryUtilization ?? null,
    // vLLM refuses a max_model_len above what the pool is sized for, so a larger request is capped.
    maxModelLen: Math.min(m.maxModelLen ?? pool.maxContext, pool.maxContext),
    port: m.port ?? null,
    expected: { promptTokens: m.expected.promptTokens, completionTokens: m.expected.completionTokens },
  };
  // Per-GPU memory, KV cache and batching knobs; gpuMemoryUtilization is resolved there (default 0.90).
  return { ...settings, capacity: capacityFor(poolGpus(pool), settings, gpus, catalog) };
}

/** The GPUs of every pool by id, built once per policy (normalizePool runs once per pool). */
const gpusByPolicy = new WeakMap<readonly GpuPool[], Record<string, PoolGpus>>();
function gpusOf(allPools: readonly GpuPool[]): Record<string, PoolGpus> {
  let gpus = gpusByPolicy.get(allPools);
  if (gpus === undefined) {
    gpus = {};
    for (const p of allPools) if (!Object.hasOwn(gpus, p.id)) gpus[p.id] = poolGpus(p);
    gpusByPolicy.set(allPools, gpus);
  }
  return gpus;
}

/** `allPools` resolves spansPools: a spanning model's GPUs are those of its pool and the pools it spans; `catalog` the models (built in and declared). */
export function normalizePool(pool: GpuPool, i: number, origins: PlanOrigins, allPools: readonly GpuPool[] = [pool], catalog?: ModelCatalog): PlanPool {
  const gpus = gpusOf(allPools);
  recordOrigin(origins, ['pools', pool.id], ['gpuPools', i]);
  const models = pool.models.map((m, j) => {
    const servedName = servedNameOf(m);
    recordOrigin(origins, ['pools', pool.id, 'models', servedName], ['gpuPools', i, 'models', j]);
    return [servedName, normalizePoolModel(pool, m, servedName, gpus, catalog)] as const;
  });
  return {
    id: pool.id,
    gpu: { model: pool.gpu.model, vramGb: pool.gpu.vramGb, count: pool.gpu.count },
    maxContext: pool.maxContext,
    host: pool.host,
    models: keyed(models),
  };
}
