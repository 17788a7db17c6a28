/**
 * The `vllm serve` settings of one (pool, model): an ordered list of flags,
 * written once and rendered twice (the --config YAML and the argv list), so
 * the two forms cannot drift apart.
 *
 * Every flag name and value here must be accepted by vLLM's CLI as listed in
 * the reference fixture (test/targets/vllm-flags.test.ts walks the emitted
 * files and checks each key against it).
 */
import type { PlanPool, PlanPoolModel } from '../../plan/types.ts';

/** A flag's value as it appears in the YAML: `true` is a bare switch, an array is an nargs='+' list. */
export type FlagValue = string | number | true | readonly string[];

/** One flag, named without the leading `--`. */
export interface VllmFlag {
  name: string;
  value: FlagValue;
}

export interface VllmEngine {
  pool: PlanPool;
  model: PlanPoolModel;
  /** Path of the YAML artifact; the argv list sits beside it as `.args.json`. */
  path: string;
  flags: VllmFlag[];
}

/** `vllm serve` listens here when the policy names no port (FrontendArgs.port default). */
export const DEFAULT_PORT = 8000;

/**
 * Above this fraction of VRAM an engine has no headroom for the CUDA context
 * and allocator fragmentation and dies with out-of-memory at start-up or under
 * load; an emitted config never asks for more (the same cap the capacity
 * check enforces on the policy, src/plan/checks/capacity.ts).
 */
export const MAX_GPU_MEMORY_UTILIZATION = 0.98;

/**
 * Boolean features vLLM turns on by default "where the model supports them",
 * a default that moved between versions, so the file states each one.
 * Chunked prefill must be on whenever max-num-batched-tokens is below
 * max-model-len (vLLM refuses the combination otherwise), which the capacity
 * arithmetic allows; prefix caching serves the shared system prompts of
 * routed chat traffic from cache.
 */
const FEATURES = { 'enable-prefix-caching': true, 'enable-chunked-prefill': true } as const;

/**
 * A boolean flag in the form a --config file honours: `name: true` when on,
 * `no-name: true` when off. vLLM drops `name: false` under `vllm serve`
 * because the `--no-name` lookup runs on the top-level parser, which does not
 * know the serve flags (fixtures/vllm/config_file_format.md, "Pitfall").
 */
export function booleanFlag(name: string, on: boolean): VllmFlag {
  return on ? { name, value: true } : { name: `no-${name}`, value: true };
}

const wholePositive = (n: number) => Number.isFinite(n) && n >= 1;

/**
 * The engine of one pool model, or null when it must not be launched: the
 * model does not fit its GPUs (capacity.fits), a budget figure is out of
 * range, or a name starts with `-` (vLLM's argparse would take it for a flag). Compilation already fails on an infeasible pool; this check keeps
 * the emitter from ever writing values over the VRAM budget on its own.
 */
export function vllmEngine(pool: PlanPool, model: PlanPoolModel): VllmEngine | null {
  // A plan from before capacity existed proves no budget, so it gets no config.
  const cap = model.capacity as PlanPoolModel['capacity'] | undefined;
  if (cap === undefined) return null;
  // vLLM refuses a max-model-len above the context the pool is sized for; the plan caps it already.
  const maxModelLen = Math.min(model.maxModelLen, pool.maxContext);
  const util = cap.gpuMemoryUtilization;
  if (!cap.fits || !wholePositive(maxModelLen) || !(cap.kvTokens >= maxModelLen)) return null;
  if (!(util > 0 && util <= MAX_GPU_MEMORY_UTILIZATION)) return null;
  // A step never schedules more tokens than the KV cache holds, and vLLM requires max-num-seqs <= max-num-batched-tokens.
  const maxNumBatchedTokens = Math.floor(Math.min(cap.maxNumBatchedTokens, cap.kvTokens));
  const maxNumSeqs = Math.floor(Math.min(cap.maxNumSeqs, maxNumBatchedTokens));
  if (!wholePositive(maxNumBatchedTokens) || !wholePositive(maxNumSeqs)) return null;

  const flags: VllmFlag[] = [
    { name: 'served-model-name', value: [model.servedName] },
    { name: 'host', value: pool.host },
    { name: 'port', value: model.port ?? DEFAULT_PORT },
    { name: 'tensor-parallel-size', value: model.tensorParallel },
  ];
  // GPUs of other pools sit on other hosts: vLLM reaches them only through a Ray cluster.
  if (model.spansPools.length > 0) flags.push({ name: 'distributed-executor-backend', value: 'ray' });
  flags.push({ name: 'dtype', value: model.dtype });
  if (model.quantization !== null) flags.push({ name: 'quantization', value: model.quantization });
  flags.push(
    { name: 'kv-cache-dtype', value: model.kvCacheDtype },
    { name: 'max-model-len', value: maxModelLen },
    // Always explicit: vLLM's default moved from 0.90 to 0.92, and the capacity arithmetic assumed this value.
    { name: 'gpu-memory-utilization', value: util },
    { name: 'max-num-seqs', value: maxNumSeqs },
    { name: 'max-num-batched-tokens', value: maxNumBatchedTokens },
  );
  for (const [name, on] of Object.entries(FEATURES)) flags.push(booleanFlag(name, on));
  // argparse reads a token that starts with `-` as an option, so such a value cannot be passed in either form.
  const values = [model.model, ...flags.flatMap((f) => (Array.isArray(f.value) ? f.value : [f.value]))];
  if (values.some((v) => typeof v === 'string' && v.startsWith('-'))) return null;
  return { pool, model, path: `vllm/${pool.id}/${model.servedName}.yaml`, flags };
}

/** The `--config` YAML mapping: `model` first (so `vllm serve --config FILE` needs nothing else), then the flags in order. */
export function configObject(engine: VllmEngine): Record<string, FlagValue> {
  const out: Record<string, FlagValue> = { model: engine.model.model };
  for (const f of engine.flags) out[f.name] = f.value;
  return out;
}

/**
 * The argv after `vllm serve`: the model positionally (vLLM moves a `--model`
 * given on the command line there, with a deprecation warning), then each
 * flag as `load_config_file` would expand it: a switch alone, a list as one
 * flag followed by its items, anything else as flag and value.
 */
export function argv(engine: VllmEngine): string[] {
  const out = [engine.model.model];
  for (const f of engine.flags) {
    out.push(`--${f.name}`);
    if (f.value === true) continue;
    if (Array.isArray(f.value)) out.push(...(f.value as readonly string[]));
    else out.push(String(f.value));
  }
  return out;
}
