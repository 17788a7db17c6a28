/**
 * vLLM deployments are served by GPU pools: the router sends a vllm
 * deployment's requests to the model its pool serves, and a pool's
 * tensor-parallel group cannot use more GPUs than it (and the pools it spans)
 * has.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/path.ts';
import type { Policy } from '../../model/policy.ts';
import { servedNameOf } from '../defaults.ts';
import { indexById, q } from './index-by-id.ts';

export function checkDeploymentPools(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const kindOf = new Map<string, string>();
  for (const p of policy.providers) if (!kindOf.has(p.id)) kindOf.set(p.id, p.kind);
  const served = new Map<string, Set<string>>();
  for (const p of policy.gpuPools) if (!served.has(p.id)) served.set(p.id, new Set(p.models.map(servedNameOf)));

  policy.deployments.forEach((d, i) => {
    const kind = kindOf.get(d.provider);
    if (kind === undefined) return; // unknown-provider says it
    if (d.baseModel !== undefined && kind !== 'azure_openai')
      out.push(
        diagnostic(
          'error',
          'base-model-on-non-azure-deployment',
          `deployment ${q(d.id)} has baseModel ${q(d.baseModel)} but its provider ${q(d.provider)} is ${kind}: only an Azure deployment name stands for another model`,
          formatPath(['deployments', i, 'baseModel']),
          { hint: 'remove baseModel; model already names the model' },
        ),
      );
    if (kind !== 'vllm') {
      if (d.pool !== undefined)
        out.push(
          diagnostic(
            'error',
            'pool-on-non-vllm-deployment',
            `deployment ${q(d.id)} has pool ${q(d.pool)} but its provider ${q(d.provider)} is ${kind}, not vllm`,
            formatPath(['deployments', i, 'pool']),
          ),
        );
      return;
    }
    if (d.pool === undefined) {
      out.push(
        diagnostic('error', 'vllm-deployment-without-pool', `vllm deployment ${q(d.id)} names no GPU pool`, formatPath(['deployments', i]), {
          hint: 'set pool to the GPU pool that serves this model',
        }),
      );
      return;
    }
    const names = served.get(d.pool);
    if (names !== undefined && !names.has(d.model))
      out.push(
        diagnostic(
          'error',
          'pool-does-not-serve-model',
          `vllm deployment ${q(d.id)} asks for model ${q(d.model)}, which pool ${q(d.pool)} does not serve (it serves ${[...names].sort().map(q).join(', ')})`,
          formatPath(['deployments', i, 'model']),
          { hint: "a vllm deployment's model is the servedName of a model of its pool" },
        ),
      );
  });
  return out;
}

export function checkTensorParallel(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byId = indexById(policy.gpuPools, (p) => p.id);
  policy.gpuPools.forEach((pool, p) => {
    pool.models.forEach((m, j) => {
      let gpus = pool.gpu.count;
      const counted = new Set<string>([pool.id]);
      m.spansPools.forEach((ref, k) => {
        if (ref === pool.id) {
          out.push(
            diagnostic(
              'error',
              'span-own-pool',
              `model ${q(servedNameOf(m))} of pool ${q(pool.id)} lists its own pool in spansPools`,
              formatPath(['gpuPools', p, 'models', j, 'spansPools', k]),
            ),
          );
          return;
        }
        const other = byId.get(ref);
        if (other === undefined || counted.has(ref)) return;
        counted.add(ref);
        gpus += policy.gpuPools[other]!.gpu.count;
      });
      if (m.tensorParallel > gpus)
        out.push(
          diagnostic(
            'error',
            'tensor-parallel-exceeds-gpus',
            `model ${q(servedNameOf(m))} of pool ${q(pool.id)} has tensorParallel ${m.tensorParallel} but only ${gpus} GPU(s) in ${[...counted].map(q).join(' + ')}`,
            formatPath(['gpuPools', p, 'models', j, 'tensorParallel']),
            { hint: 'lower tensorParallel or add the pools whose GPUs join it to spansPools' },
          ),
        );
    });
  });
  return out;
}

/**
 * Every vLLM engine gets GPUs of its own: vLLM's gpu-memory-utilization is
 * a share of a whole GPU per engine, and two engines that each size their
 * KV cache from 90% of one GPU cannot both start. A model spanning pools
 * takes an equal share of its tensor-parallel group from each pool.
 */
export function checkGpuPlacement(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byId = indexById(policy.gpuPools, (p) => p.id);
  // Keyed by pool index, so a duplicated pool id (reported elsewhere) does not double-count.
  const claims = new Map<number, Array<{ engine: string; gpus: number }>>();
  policy.gpuPools.forEach((pool, p) => {
    pool.models.forEach((m, j) => {
      const spans = [...new Set(m.spansPools)].filter((id) => id !== pool.id && byId.has(id)).map((id) => byId.get(id)!);
      const pools = [p, ...spans];
      const engine = `${pool.id}/${servedNameOf(m)}`;
      const available = pools.reduce((a, idx) => a + policy.gpuPools[idx]!.gpu.count, 0);
      if (m.tensorParallel > available) return; // tensor-parallel-exceeds-gpus says it
      if (m.tensorParallel % pools.length !== 0) {
        out.push(
          diagnostic(
            'error',
            'uneven-tensor-parallel-span',
            `model ${q(servedNameOf(m))} of pool ${q(pool.id)} spreads tensorParallel ${m.tensorParallel} over ${pools.length} pools, which does not divide evenly`,
            formatPath(['gpuPools', p, 'models', j, 'tensorParallel']),
            { hint: `use a tensorParallel that is a multiple of ${pools.length}` },
          ),
        );
        return;
      }
      for (const idx of pools) {
        const list = claims.get(idx) ?? [];
        list.push({ engine, gpus: m.tensorParallel / pools.length });
        claims.set(idx, list);
      }
    });
  });
  policy.gpuPools.forEach((pool, p) => {
    const list = claims.get(p) ?? [];
    const used = list.reduce((a, c) => a + c.gpus, 0);
    if (used > pool.gpu.count)
      out.push(
        diagnostic(
          'error',
          'gpu-overcommitted',
          `pool ${q(pool.id)} has ${pool.gpu.count} GPU(s) but its engines need ${used}: ${list.map((c) => `${c.engine} (${c.gpus})`).join(', ')}`,
          formatPath(['gpuPools', p, 'gpu', 'count']),
          { hint: 'each vLLM engine needs GPUs of its own: add GPUs to the pool, move a model to another pool, or lower tensorParallel' },
        ),
      );
  });
  return out;
}

/**
 * A declared model with a configFile gets its architecture from the loader,
 * which reads the file; a policy compiled without the loader (a library
 * caller) has not read it, and its capacity cannot be computed.
 */
export function checkModelDeclarations(policy: Policy): Diagnostic[] {
  return policy.models.flatMap((m, i) =>
    m.architecture === undefined
      ? [
          diagnostic(
            'error',
            'model-config-not-read',
            `model ${q(m.id)} points to configFile ${q(m.configFile ?? '')}, which was not read: load the policy with loadPolicy (the CLI does) or give its architecture inline`,
            formatPath(['models', i, 'configFile']),
          ),
        ]
      : [],
  );
}
