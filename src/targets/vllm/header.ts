/**
 * The comment block at the top of each vLLM config: where the file comes
 * from, how to launch it on its GPUs, where the API key comes from, and (for
 * a model spanning pools) how the tensor-parallel group is formed.
 */
import { compareStrings } from '../../plan/defaults.ts';
import type { CompiledPlan, PlanProvider, PlanSecretRef } from '../../plan/types.ts';
import { DEFAULT_PORT, type VllmEngine } from './engine.ts';
import { launchScriptPath, workerScriptPath } from './launch.ts';
import type { HostGpus } from './placement.ts';

/** The variable vLLM's API server reads its key from when `--api-key` is absent. */
const VLLM_KEY_ENV = 'VLLM_API_KEY';

const argsPath = (engine: VllmEngine) => engine.path.replace(/\.yaml$/, '.args.json');

/** Plain decimal, at most 3 places: the header is for people. */
const num = (x: number) => String(Number(x.toFixed(3)));

const refText = (ref: PlanSecretRef) => (ref.scheme === 'env' ? `environment variable ${ref.name}` : ref.ref);

/** Providers whose deployments send requests to this server (same pool, same served name). */
function providersOf(plan: CompiledPlan, engine: VllmEngine): PlanProvider[] {
  const ids = new Set<string>();
  for (const d of Object.values(plan.deployments))
    if (d.providerKind === 'vllm' && d.pool === engine.pool.id && d.model === engine.model.servedName) ids.add(d.provider);
  return [...ids]
    .sort(compareStrings)
    .map((id) => plan.providers[id])
    .filter((p): p is PlanProvider => p !== undefined);
}

function portOf(apiBase: string): number | null {
  try {
    const u = new URL(apiBase);
    return u.port !== '' ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
  } catch {
    return null;
  }
}

/*
 * vLLM's `--api-key` takes the key itself, so it never goes into a generated
 * file. The server falls back to the VLLM_API_KEY environment variable:
 * vllm-project/vllm vllm/envs.py @001f69f8b52e0803c910525974d17010814947ad
 * ("API key for vLLM API server": `"VLLM_API_KEY": lambda: os.environ.get("VLLM_API_KEY", None)`),
 * read in build_app of vllm/entrypoints/openai/api_server.py
 * @0001948bc76939369ca855c90b36d81256477e85 ("Ensure --api-key option from CLI
 * takes precedence over VLLM_API_KEY": tokens = args.api_key or [envs.VLLM_API_KEY]).
 */
function apiKeyLines(plan: CompiledPlan, engine: VllmEngine, port: number): string[] {
  const lines = [
    `API key: not in this file. vLLM reads it from the ${VLLM_KEY_ENV} environment variable when`,
    `--api-key is not given (vllm/envs.py); without it the server accepts every request.`,
  ];
  const providers = providersOf(plan, engine);
  if (providers.length === 0) {
    lines.push(`No provider of the plan routes to this server.`);
    return lines;
  }
  for (const p of providers) {
    const target = portOf(p.apiBase ?? '');
    const base = p.apiBase !== null ? ` (${p.apiBase})` : p.apiBaseEnv !== null ? ` (base URL from ${p.apiBaseEnv})` : '';
    const mismatch = target !== null && target !== port ? `; its port ${target} is not this server's port ${port}` : '';
    if (p.apiKey === null) lines.push(`Provider ${p.id}${base} sends no key${mismatch}.`);
    else if (p.apiKey.scheme === 'env' && p.apiKey.name === VLLM_KEY_ENV)
      lines.push(`Provider ${p.id}${base} sends the key from ${VLLM_KEY_ENV}: export ${VLLM_KEY_ENV} with that value on this host${mismatch}.`);
    else lines.push(`Provider ${p.id}${base} sends the key from ${refText(p.apiKey)}: export that value as ${VLLM_KEY_ENV}${mismatch}.`);
  }
  const refs = new Set(providers.map((p) => p.apiKey?.ref ?? ''));
  if (refs.size > 1) lines.push(`${VLLM_KEY_ENV} holds one key: the references above must resolve to the same secret.`);
  return lines;
}

const gpuList = (h: HostGpus) => `${h.pool} ${h.gpus.length === 1 ? 'GPU' : 'GPUs'} ${h.gpus.join(',')}`;

function placementLines(plan: CompiledPlan, engine: VllmEngine, hosts: HostGpus[] | undefined): string[] {
  const script = launchScriptPath(engine);
  if (hosts === undefined) return ['No GPUs could be placed for this engine (its pools are over-committed): it has no launch script.'];
  const [home, ...others] = hosts as [HostGpus, ...HostGpus[]];
  const lines = [
    'Launch, from the compile output directory (generated/ by default), with its GPUs pinned:',
    `  sh ${script}`,
    `It runs vllm serve --config ${engine.path} with CUDA_VISIBLE_DEVICES=${home.gpus.join(',')}: vLLM uses every GPU it`,
    'can see, so without the pinning it would start on the GPUs other engines on this host use.',
    `The same settings as arguments: vllm serve $(jq -r '.[]' ${argsPath(engine)}).`,
    '',
    `GPUs: ${hosts.map(gpuList).join('; ')}.`,
  ];
  if (others.length > 0) {
    const describe = (id: string) => {
      const p = plan.pools[id];
      return p === undefined ? id : `${id} (${p.gpu.count}x ${p.gpu.model})`;
    };
    lines.push(
      `Tensor parallelism: ${engine.model.tensorParallel} GPUs over pools ${hosts.map((h) => describe(h.pool)).join(' + ')}; this file belongs to ${engine.pool.id}, the home pool.`,
      'GPUs on other hosts join a vLLM engine only through a Ray cluster, hence distributed-executor-backend: ray. The launch',
      `script starts the cluster's head; on ${others.map((h) => `${h.pool}'s host run sh ${workerScriptPath(engine, h.pool)}`).join(', ')}.`,
    );
  }
  return lines;
}

/**
 * Other engines of the plan on this engine's pools. vLLM's
 * gpu-memory-utilization is a share of the whole GPU per engine; the launch
 * scripts keep engines on separate GPUs, and the file names who shares the
 * pools, saying so outright where a single-GPU pool is over-committed.
 */
function sharingLines(plan: CompiledPlan, engine: VllmEngine): string[] {
  const shared: string[] = [];
  const over: string[] = [];
  for (const poolId of [engine.pool.id, ...engine.model.spansPools]) {
    const pool = plan.pools[poolId];
    if (pool === undefined) continue;
    const others: string[] = [];
    let total = engine.model.capacity.gpuMemoryUtilization;
    for (const p of Object.keys(plan.pools)
      .sort(compareStrings)
      .map((id) => plan.pools[id]!))
      for (const name of Object.keys(p.models).sort(compareStrings)) {
        const m = p.models[name]!;
        if (m === engine.model || !(p.id === poolId || m.spansPools.includes(poolId))) continue;
        const util = m.capacity?.gpuMemoryUtilization ?? 0;
        total += util;
        others.push(`${m.id} (${num(util)})`);
      }
    if (others.length === 0) continue;
    shared.push(`${poolId}: ${others.join(', ')}`);
    if (pool.gpu.count === 1 && total > 1) over.push(`${poolId}'s single GPU: ${num(total)}`);
  }
  if (shared.length === 0) return [];
  const lines = [
    '',
    `Other engines on the same pools (gpu-memory-utilization): ${shared.join('; ')}.`,
    `gpu-memory-utilization is each engine's share of a whole GPU: engines placed on one GPU must sum to at most 1.`,
  ];
  if (over.length > 0) lines.push(`Over-committed, these engines cannot all run at once: ${over.join('; ')}.`);
  return lines;
}

export function headerComment(plan: CompiledPlan, engine: VllmEngine, hosts: HostGpus[] | undefined): string {
  const { pool, model } = engine;
  const port = model.port ?? DEFAULT_PORT;
  const negated = engine.flags.filter((f) => f.name.startsWith('no-'));
  const lines = [
    `Generated by switchyard from policies/ (policy ${plan.name}); do not edit: change the policy and run \`switchyard compile\`.`,
    `Plan ${plan.hash}`,
    `vLLM engine for ${model.model}, served as ${model.servedName} on pool ${pool.id} (${pool.gpu.count}x ${pool.gpu.model}, ${pool.gpu.vramGb} GB).`,
    '',
    ...placementLines(plan, engine, hosts),
    '',
    ...apiKeyLines(plan, engine, port),
    ...sharingLines(plan, engine),
  ];
  if (negated.length > 0) lines.push('', `Features turned off are written as no-<flag>: true, because vLLM ignores <flag>: false in a --config file.`);
  const c = model.capacity;
  lines.push(
    '',
    `Capacity per GPU, in GB of 10^9 bytes: ${num(c.vramGbPerGpu)} GB VRAM at utilization ${num(c.gpuMemoryUtilization)}, weights ${num(c.weightsGbPerGpu)} GB, ` +
      `reserve ${num(c.reserveGbPerGpu)} GB, KV cache ${num(c.kvGbPerGpu)} GB = ${c.kvTokens} tokens ` +
      `(${num(c.maxConcurrencyAtFullContext)} requests at full context).`,
  );
  return `${lines.map((l) => (l === '' ? '#' : `# ${l}`)).join('\n')}\n\n`;
}
