/**
 * vLLM launch configs: per (pool, model), `vllm/<pool>/<servedName>.yaml` for
 * `vllm serve --config FILE` and the same settings as an argv list,
 * `vllm/<pool>/<servedName>.args.json`, for `vllm serve <args>`.
 *
 * A model spanning pools is emitted once, under its home pool. A model whose
 * capacity says it does not fit gets no config at all (see vllmEngine).
 * Beside each YAML, launch scripts pin the engine to its GPUs (vllm/launch.ts):
 * `<servedName>.sh` on the home pool's host, and for a model spanning pools
 * `<servedName>.ray-worker.sh` under each other pool.
 */
import { Document, visit } from 'yaml';
import { stableStringify } from '../plan/canonical-json.ts';
import { compareStrings } from '../plan/defaults.ts';
import type { Artifact, CompiledPlan } from '../plan/types.ts';
import { argv, configObject, vllmEngine, type VllmEngine } from './vllm/engine.ts';
import { headerComment } from './vllm/header.ts';
import { launchArtifacts } from './vllm/launch.ts';
import { placeEngines, type HostGpus } from './vllm/placement.ts';
import type { Target } from './target.ts';

export { booleanFlag, MAX_GPU_MEMORY_UTILIZATION } from './vllm/engine.ts';
export type { FlagValue, VllmEngine, VllmFlag } from './vllm/engine.ts';

/**
 * vLLM reads the file with PyYAML (YAML 1.1), where plain `on`, `no` or
 * `1.10` are not strings: every string value is double-quoted so a served
 * name or host can never turn into a boolean or a number. Lists are written
 * inline, as in vLLM's own examples.
 */
function renderYaml(plan: CompiledPlan, engine: VllmEngine, hosts: HostGpus[] | undefined): string {
  const doc = new Document(configObject(engine));
  visit(doc, {
    Seq(_, node) {
      node.flow = true;
    },
  });
  const body = doc.toString({ defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0, flowCollectionPadding: false });
  return headerComment(plan, engine, hosts) + body;
}

/** Every vLLM engine of the plan that may be launched, in pool then served-name order. */
export function vllmEngines(plan: CompiledPlan): VllmEngine[] {
  const out: VllmEngine[] = [];
  for (const poolId of Object.keys(plan.pools).sort(compareStrings)) {
    const pool = plan.pools[poolId]!;
    for (const name of Object.keys(pool.models).sort(compareStrings)) {
      const engine = vllmEngine(pool, pool.models[name]!);
      if (engine !== null) out.push(engine);
    }
  }
  return out;
}

export function emitVllm(plan: CompiledPlan): Artifact[] {
  const engines = vllmEngines(plan);
  const placement = placeEngines(plan, engines);
  return [
    ...engines.flatMap((engine) => [
      { path: engine.path, content: renderYaml(plan, engine, placement.get(engine.model.id)), mediaType: 'application/yaml' },
      { path: engine.path.replace(/\.yaml$/, '.args.json'), content: stableStringify(argv(engine)), mediaType: 'application/json' },
    ]),
    ...launchArtifacts(plan, engines, placement),
  ];
}

export const vllmTarget: Target = { id: 'vllm', emit: emitVllm };
