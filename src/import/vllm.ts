/**
 * vLLM launch configs -> GPU pools and pool models. A launch config is a
 * `vllm serve --config` YAML (keys are the flags without `--`,
 * docs/configuration/serve_args.md in vllm-project/vllm), a JSON argument
 * list (what `switchyard compile` writes as *.args.json), or a command line
 * (`vllm serve MODEL --flag value ...`). What the GPU is cannot be read from
 * any of them, so it comes from `--gpu`.
 *
 * A config is tied to the LiteLLM deployments it serves by served model
 * name and port: `--vllm POOL=FILE` names the pool (and `POOL+OTHER=FILE`
 * the pools a tensor-parallel group spans); without a name, the pool is
 * the first label of the one api_base host that serves that name there.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';
import { findModel } from '../capacity/catalog.ts';
import { DTYPES, KV_CACHE_DTYPES, QUANTIZATIONS } from '../model/closed-sets.ts';
import type { GpuPoolInput, PoolModel } from '../model/gpu-pool.ts';
import { Id } from '../model/common.ts';
import { servedNameOf } from '../plan/defaults.ts';
import type { PolicyDraft } from './draft.ts';
import { Input, isObj, type Obj } from './input.ts';
import { hostOf, slug } from './model-list.ts';
import { asNumber, isPositiveInt } from './numbers.ts';
import { keepUnsupported } from './unsupported.ts';

export interface VllmSource {
  /** Pools named on the command line (home first), or none. */
  pools: string[];
  file: string;
  text: string;
}

export interface GpuSpec {
  /** The pool it is for; undefined: every pool without a spec of its own. */
  pool?: string;
  model: string;
  vramGb: number;
  count?: number;
}

/** `[POOL[+POOL...]=]FILE`. */
export function parseVllmSpec(spec: string): { pools: string[]; file: string } {
  const m = /^([a-z0-9][a-z0-9._-]*(?:\+[a-z0-9][a-z0-9._-]*)*)=(.+)$/.exec(spec);
  return m ? { pools: m[1]!.split('+'), file: m[2]! } : { pools: [], file: spec };
}

/** `[POOL=]MODEL:VRAM_GB[xCOUNT]`, e.g. `pool-a=RTX 5090:32x2`; an error message otherwise. */
export function parseGpuSpec(spec: string): GpuSpec | string {
  const m = /^(?:([a-z0-9][a-z0-9._-]*)=)?([^:=]{1,64}):(\d+(?:\.\d+)?)(?:x(\d+))?$/.exec(spec);
  if (!m) return `--gpu ${JSON.stringify(spec)}: expected [POOL=]MODEL:VRAM_GB[xCOUNT], e.g. pool-a="RTX 5090:32x2"`;
  const g: GpuSpec = { model: m[2]!.trim(), vramGb: Number(m[3]) };
  if (m[1]) g.pool = m[1];
  if (m[4]) g.count = Number(m[4]);
  if (!(g.vramGb > 0) || g.count === 0 || g.model === '') return `--gpu ${JSON.stringify(spec)}: VRAM and count must be positive`;
  return g;
}

/** Shell-like words of a command line: quotes, backslash escapes and continuations, `#` comments. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i]!;
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      cur ??= '';
    } else if (c === '\\') {
      if (text[i + 1] === '\n') i++;
      else if (i + 1 < text.length) cur = (cur ?? '') + text[++i]!;
    } else if (/\s/.test(c)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if (c === '#' && cur === null) {
      while (i < text.length && text[i] !== '\n') i++;
    } else cur = (cur ?? '') + c;
  }
  if (cur !== null) words.push(cur);
  return words;
}

/** Flags that take no value (store_true, or the --no- forms). */
const BOOLEAN_FLAGS = new Set([
  'enable-prefix-caching',
  'enable-chunked-prefill',
  'trust-remote-code',
  'enforce-eager',
  'disable-log-requests',
  'disable-log-stats',
]);
const SHORT: Readonly<Record<string, string>> = { tp: 'tensor-parallel-size', q: 'quantization', pp: 'pipeline-parallel-size' };

/** An argument list -> the keys a --config file would have. */
export function argvToConfig(argv: readonly string[]): Obj {
  const out: Obj = {};
  let i = 0;
  if (argv[0] === 'vllm' || argv[0]?.endsWith('/vllm')) i++;
  if (argv[i] === 'serve') i++;
  for (; i < argv.length; i++) {
    const w = argv[i]!;
    if (!w.startsWith('-')) {
      if (out.model === undefined) out.model = w;
      continue;
    }
    let key = w.replace(/^--?/, '');
    let value: unknown;
    const eq = key.indexOf('=');
    if (eq >= 0) {
      value = key.slice(eq + 1);
      key = key.slice(0, eq);
    }
    key = SHORT[key] ?? key;
    if (value === undefined) {
      if (key.startsWith('no-') || BOOLEAN_FLAGS.has(key) || argv[i + 1] === undefined || argv[i + 1]!.startsWith('--')) value = true;
      else if (key === 'served-model-name') {
        const names: string[] = [];
        while (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) names.push(argv[++i]!);
        value = names;
      } else value = argv[++i];
    }
    out[key] = value;
  }
  return out;
}

/** The launch config of one `--vllm` input as keys, located in its text. */
export function readVllmSource(src: VllmSource): Input | Diagnostic[] {
  const input = parseVllmSource(src);
  if (input instanceof Input) input.label = (path) => (path.length === 0 ? 'the launch config' : `--${String(path[0])}`);
  return input;
}

function parseVllmSource(src: VllmSource): Input | Diagnostic[] {
  if (/\.ya?ml$/i.test(src.file)) return Input.parse(src.text, src.file, 'yaml');
  let argv: unknown;
  if (/\.json$/i.test(src.file)) {
    const parsed = Input.parse(src.text, src.file, 'json');
    if (!(parsed instanceof Input)) return parsed;
    argv = parsed.value;
  } else argv = shellWords(src.text);
  const lines = src.text.split('\n');
  const locate = (path: Path) => {
    const key = String(path[0] ?? '');
    const line = key === '' ? -1 : lines.findIndex((l) => l.includes(`--${key}`) || l.includes(`"--${key}`));
    return { file: src.file, line: line < 0 ? 1 : line + 1, column: 1 };
  };
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) {
    const input = Input.fromValue({}, src.file, locate);
    input.report('error', 'import-invalid', [], 'a vLLM argument list must be a JSON array of strings or a `vllm serve` command line');
    return input;
  }
  return Input.fromValue(argvToConfig(argv), src.file, locate);
}

/** Keys a pool model takes; the batching knobs are computed by Switchyard from the GPU memory. */
const READ = new Set([
  'model',
  'served-model-name',
  'host',
  'port',
  'tensor-parallel-size',
  'dtype',
  'quantization',
  'kv-cache-dtype',
  'max-model-len',
  'gpu-memory-utilization',
]);
const COMPUTED = new Set([
  'max-num-seqs',
  'max-num-batched-tokens',
  'enable-prefix-caching',
  'no-enable-prefix-caching',
  'enable-chunked-prefill',
  'no-enable-chunked-prefill',
  'distributed-executor-backend',
]);
const DTYPE_ALIASES: Readonly<Record<string, string>> = { half: 'float16', float: 'float32' };
/** What a model is expected to see per request when nothing says; used for the capacity figures, never for routing. */
const DEFAULT_EXPECTED = { promptTokens: 1_000, completionTokens: 200 };

interface Engine {
  input: Input;
  pools: string[];
  model: PoolModel | Omit<PoolModel, 'dtype' | 'kvCacheDtype' | 'tensorParallel' | 'spansPools'>;
  maxLen: number;
  host?: string;
  notes: Array<[string, string]>;
}

/** A pool model from one launch config, or undefined (with errors reported). */
function readEngine(input: Input, draft: PolicyDraft): Omit<Engine, 'pools'> | undefined {
  const c = isObj(input.value) ? input.value : {};
  let ok = true;
  const bad = (key: string, message: string) => {
    input.report('error', 'import-invalid', [key], message);
    ok = false;
  };
  for (const k of Object.keys(c)) {
    if (READ.has(k)) continue;
    if (COMPUTED.has(k))
      input.report('info', 'import-computed', [k], `${k} is computed by Switchyard from the GPU memory budget (switchyard capacity shows it); not imported`);
    else if (k === 'api-key')
      input.report(
        'warning',
        'import-literal-secret',
        [k],
        'a literal vLLM API key: not imported; vLLM reads VLLM_API_KEY from its environment, which the generated config relies on',
      );
    else keepUnsupported(input, draft, 'gpu-pools.ts', [k], 'a vLLM flag Switchyard does not set');
  }
  if (typeof c.model !== 'string' || c.model === '') {
    input.report('error', 'import-invalid', c.model === undefined ? [] : ['model'], 'the launch config names no model');
    return undefined;
  }
  const m: Record<string, unknown> = { model: c.model };
  const notes: Array<[string, string]> = [];
  const served = c['served-model-name'];
  const servedName = Array.isArray(served) ? served[0] : served;
  if (Array.isArray(served) && served.length > 1) input.report('warning', 'import-changed', ['served-model-name'], 'only the first served-model-name is kept');
  if (served !== undefined) {
    if (typeof servedName === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(servedName)) {
      if (servedName !== servedNameOf({ model: c.model, servedName: undefined })) m.servedName = servedName;
    } else bad('served-model-name', 'served-model-name must be letters, digits, ".", "_" or "-"');
  } else {
    // vLLM serves a model under its full id when no name is given; a policy's served names have no "/" (yet).
    input.report(
      'error',
      'import-served-name',
      ['model'],
      `no served-model-name: vLLM serves this model as ${JSON.stringify(c.model)}, which is not a served name a Switchyard pool can have yet`,
      'add served-model-name to the launch config (and use that name after hosted_vllm/ in the LiteLLM config)',
    );
    ok = false;
  }
  const dtype = c.dtype === undefined ? undefined : (DTYPE_ALIASES[String(c.dtype)] ?? String(c.dtype));
  if (dtype !== undefined) (DTYPES as readonly string[]).includes(dtype) ? (m.dtype = dtype) : bad('dtype', `dtype must be one of ${DTYPES.join(', ')}`);
  if (c.quantization !== undefined)
    (QUANTIZATIONS as readonly string[]).includes(String(c.quantization))
      ? (m.quantization = c.quantization)
      : bad('quantization', `quantization ${JSON.stringify(c.quantization)} is not one whose size Switchyard knows (${QUANTIZATIONS.join(', ')})`);
  if (c['kv-cache-dtype'] !== undefined)
    (KV_CACHE_DTYPES as readonly string[]).includes(String(c['kv-cache-dtype']))
      ? (m.kvCacheDtype = c['kv-cache-dtype'])
      : bad('kv-cache-dtype', `kv-cache-dtype must be one of ${KV_CACHE_DTYPES.join(', ')}`);
  const int = (key: string, field: string) => {
    if (c[key] === undefined) return;
    const n = asNumber(c[key]);
    if (isPositiveInt(n)) m[field] = n;
    else bad(key, `${key} must be a positive whole number`);
  };
  int('tensor-parallel-size', 'tensorParallel');
  if (m.tensorParallel === 1) delete m.tensorParallel;
  int('port', 'port');
  if (c['gpu-memory-utilization'] !== undefined) {
    const u = asNumber(c['gpu-memory-utilization']);
    if (u !== undefined && u > 0 && u <= 1) m.gpuMemoryUtilization = u;
    else bad('gpu-memory-utilization', 'gpu-memory-utilization must be a fraction of the GPU');
  }
  int('max-model-len', 'maxModelLen');
  let maxLen = m.maxModelLen as number | undefined;
  if (maxLen === undefined) {
    const arch = findModel(c.model);
    if (arch === undefined) {
      input.report(
        'error',
        'import-invalid',
        ['model'],
        `no max-model-len, and ${JSON.stringify(c.model)} is not in Switchyard's model catalog to read its context length from`,
      );
      ok = false;
    } else {
      maxLen = arch.maxPositionEmbeddings;
      notes.push(['maxModelLen', `inferred: no max-model-len in ${input.file}, so vLLM uses the model's ${maxLen}`]);
    }
  }
  m.expected = DEFAULT_EXPECTED;
  notes.push(['expected', `defaulted: not in the vLLM config; set the typical prompt and completion lengths (they size max-num-seqs)`]);
  const host = typeof c.host === 'string' && c.host !== '0.0.0.0' ? c.host : undefined;
  return ok && maxLen !== undefined ? { input, model: m as Engine['model'], maxLen, ...(host ? { host } : {}), notes } : undefined;
}

export interface VllmDeployment {
  index: number;
  id: string;
  model: string;
  apiBase: string;
  path: Path;
}

/** Adds the pools of every launch config to the draft and points vllm deployments at them. */
export function readVllm(
  draft: PolicyDraft,
  sources: readonly VllmSource[],
  gpus: readonly GpuSpec[],
  deployments: readonly VllmDeployment[],
  litellm: Input,
): Input[] {
  const inputs: Input[] = [];
  const engines: Engine[] = [];
  for (const src of sources) {
    const input = readVllmSource(src);
    if (!(input instanceof Input)) {
      const holder = Input.fromValue({}, src.file);
      holder.diagnostics.push(...input);
      inputs.push(holder);
      continue;
    }
    inputs.push(input);
    const e = readEngine(input, draft);
    if (!e) continue;
    const served = servedNameOf(e.model as PoolModel);
    const port = String(e.model.port ?? 8000);
    const serving = deployments.filter((d) => d.model === served && hostOf(d.apiBase).port === port);
    const labels = [...new Set(serving.map((d) => hostOf(d.apiBase).label))];
    let pools = src.pools;
    if (pools.length === 0) {
      if (labels.length > 1) {
        input.report(
          'error',
          'import-ambiguous',
          [],
          `${labels.length} api_base hosts (${labels.join(', ')}) serve ${served} on port ${port}; name the pool: --vllm POOL=${src.file}`,
        );
        continue;
      }
      pools = [labels[0] ?? slug(served)];
      if (labels.length === 0)
        input.report(
          'warning',
          'import-unused',
          [],
          `no hosted_vllm deployment of the LiteLLM config serves ${served} on port ${port}; its pool gets no traffic`,
        );
    }
    for (const d of serving)
      if (labels.length === 1 || hostOf(d.apiBase).label === pools[0]) {
        const dep = draft.policy.deployments[d.index]!;
        dep.pool = pools[0]!;
        if (dep.contextWindow === undefined) {
          dep.contextWindow = e.maxLen;
          draft.comment(['deployments', d.index, 'contextWindow'], `inferred: max-model-len of ${input.file}`);
        }
      }
    if (pools.length > 1) (e.model as PoolModel).spansPools = pools.slice(1);
    engines.push({ ...e, pools });
  }

  const ids = [...new Set(engines.map((e) => e.pools[0]!))];
  for (const id of ids) {
    const mine = engines.filter((e) => e.pools[0] === id);
    const at = mine[0]!.input;
    if (!Id.safeParse(id).success) {
      at.report('error', 'import-invalid', [], `pool id ${JSON.stringify(id)} must be lowercase letters, digits, ".", "_" or "-"`);
      continue;
    }
    const gpu = gpus.find((g) => g.pool === id) ?? gpus.find((g) => g.pool === undefined);
    if (!gpu) {
      at.report(
        'error',
        'import-gpu-unknown',
        [],
        `a vLLM config says nothing of the GPU; pool ${id} needs one`,
        `pass --gpu ${id}="MODEL:VRAM_GB" (e.g. --gpu ${id}="RTX 4090:24"), or --gpu "MODEL:VRAM_GB" for every pool`,
      );
      continue;
    }
    // Each engine takes whole GPUs: its tensor-parallel group, split evenly over the pools it spans.
    const claimed = engines.reduce((n, e) => (e.pools.includes(id) ? n + ((e.model as PoolModel).tensorParallel ?? 1) / e.pools.length : n), 0);
    const maxContext = Math.max(...mine.map((e) => e.maxLen));
    const index = draft.policy.gpuPools.length;
    const hosts = [...new Set(mine.flatMap((e) => (e.host ? [e.host] : [])))];
    const pool: GpuPoolInput = {
      id,
      gpu: { model: gpu.model, vramGb: gpu.vramGb, count: gpu.count ?? Math.max(1, Math.ceil(claimed)) },
      maxContext,
      ...(hosts.length > 0 ? { host: hosts[0] } : {}),
      models: mine.map((e, j) => {
        const m = { ...e.model } as PoolModel;
        if (e.maxLen === maxContext) delete (m as Partial<PoolModel>).maxModelLen;
        else m.maxModelLen = e.maxLen;
        for (const [field, line] of e.notes)
          if (field !== 'maxModelLen' || m.maxModelLen !== undefined) draft.comment(['gpuPools', index, 'models', j, field], line);
        draft.origin(['gpuPools', index, 'models', j], e.input, []);
        return m;
      }),
    };
    if (gpu.count === undefined)
      draft.comment(['gpuPools', index, 'gpu', 'count'], `inferred: the GPUs its engines take (tensor-parallel sizes, split over spanned pools)`);
    draft.comment(['gpuPools', index, 'gpu'], `from --gpu; a vLLM config does not say which GPU it runs on`);
    draft.origin(['gpuPools', index], at, []);
    draft.policy.gpuPools.push(pool);
    if (hosts.length > 1)
      at.report('warning', 'import-conflict', ['host'], `the configs of pool ${id} bind different hosts (${hosts.join(', ')}); the pool keeps ${hosts[0]}`);
  }
  for (const g of gpus)
    if (g.pool !== undefined && !ids.includes(g.pool))
      litellm.report('warning', 'import-unused', [], `--gpu names pool ${g.pool}, which no --vllm config serves`);
  // A launch config that failed has said why its deployments have no pool.
  const failed = inputs.some((i) => i.diagnostics.some((d) => d.severity === 'error'));
  for (const d of deployments)
    if (draft.policy.deployments[d.index]!.pool === undefined && !failed)
      litellm.report(
        'error',
        'import-vllm-pool',
        [...d.path, 'litellm_params', 'model'],
        `hosted_vllm deployment ${JSON.stringify(d.id)} runs on a GPU pool that no vLLM launch config describes`,
        'pass the vLLM config of that server: --vllm [POOL=]FILE (vllm serve YAML, JSON argument list or command line) and --gpu',
      );
  return inputs;
}
