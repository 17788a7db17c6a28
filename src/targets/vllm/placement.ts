/**
 * Which GPUs of which host each vLLM engine runs on. vLLM takes every GPU it
 * can see from device 0 on, and gpu-memory-utilization is a share of a whole
 * GPU, so two engines on one host must be kept apart by CUDA_VISIBLE_DEVICES;
 * without it a second engine (or a Ray worker of a spanning one) starts on the
 * GPU the first already uses.
 *
 * The rule, deterministic: on each pool's host, the engines that need GPUs
 * there (its own, and the share tensorParallel / (1 + spansPools) of every
 * engine spanning into it) take consecutive device indices from 0, in engine
 * id order. The checks (gpu-overcommitted, uneven-tensor-parallel-span)
 * refuse a policy whose engines do not fit; an engine that still would not
 * fit here gets no placement, and so no launch file.
 */
import { compareStrings } from '../../plan/defaults.ts';
import type { CompiledPlan } from '../../plan/types.ts';
import type { VllmEngine } from './engine.ts';

/** The devices an engine uses on one pool's host (CUDA_VISIBLE_DEVICES indices). */
export interface HostGpus {
  pool: string;
  gpus: number[];
}

/** Per engine id: its home pool's devices first, then those of the pools it spans, in spansPools order. */
export type Placement = ReadonlyMap<string, HostGpus[]>;

export function placeEngines(plan: CompiledPlan, engines: readonly VllmEngine[]): Placement {
  const claims = new Map<string, { engine: string; count: number }[]>();
  const shares = new Map<string, { pool: string; count: number }[]>();
  for (const e of engines) {
    const pools = [e.pool.id, ...e.model.spansPools];
    const count = e.model.tensorParallel / pools.length;
    if (!Number.isInteger(count)) continue;
    shares.set(
      e.model.id,
      pools.map((pool) => ({ pool, count })),
    );
    for (const pool of pools) claims.set(pool, [...(claims.get(pool) ?? []), { engine: e.model.id, count }]);
  }
  const assigned = new Map<string, Map<string, number[]>>();
  for (const [pool, list] of claims) {
    const gpuCount = plan.pools[pool]?.gpu.count ?? 0;
    let next = 0;
    for (const c of [...list].sort((a, b) => compareStrings(a.engine, b.engine))) {
      const gpus = Array.from({ length: c.count }, (_, i) => next + i);
      next += c.count;
      if (next > gpuCount) break; // over-committed: the checks reported it; this engine and the rest get nothing here
      const byPool = assigned.get(c.engine) ?? new Map<string, number[]>();
      byPool.set(pool, gpus);
      assigned.set(c.engine, byPool);
    }
  }
  const out = new Map<string, HostGpus[]>();
  for (const [engine, wanted] of shares) {
    const got = assigned.get(engine);
    if (got === undefined || wanted.some((w) => !got.has(w.pool))) continue;
    out.set(
      engine,
      wanted.map((w) => ({ pool: w.pool, gpus: got.get(w.pool)! })),
    );
  }
  return out;
}
