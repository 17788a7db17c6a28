import type { GpuPool, PoolModel } from '../../model/gpu-pool.ts';
import { servedNameOf } from '../defaults.ts';
import { recordOrigin } from '../origins.ts';
import type { PlanOrigins, PlanPool, PlanPoolModel } from '../types.ts';
import { keyed, sortedStrings } from './keyed.ts';

function normalizePoolModel(pool: GpuPool, m: PoolModel, servedName: string): PlanPoolModel {
  return {
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
}

export function normalizePool(pool: GpuPool, i: number, origins: PlanOrigins): PlanPool {
  recordOrigin(origins, ['pools', pool.id], ['gpuPools', i]);
  const models = pool.models.map((m, j) => {
    const servedName = servedNameOf(m);
    recordOrigin(origins, ['pools', pool.id, 'models', servedName], ['gpuPools', i, 'models', j]);
    return [servedName, normalizePoolModel(pool, m, servedName)] as const;
  });
  return {
    id: pool.id,
    gpu: { model: pool.gpu.model, vramGb: pool.gpu.vramGb, count: pool.gpu.count },
    maxContext: pool.maxContext,
    host: pool.host,
    models: keyed(models),
  };
}
