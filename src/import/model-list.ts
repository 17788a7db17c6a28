/**
 * `model_list` -> providers, deployments and the entries of each model
 * group. Each entry is one (group, deployment) pair, as the emitter writes
 * them (src/targets/litellm.ts): `model_name` is the group, the provider is
 * (kind, api_base, api_version, api_key), and `model_info.id` is
 * `<group>/<deployment>` when Switchyard wrote the config (any other id, or
 * none, gives a generated deployment id). Group-level settings that LiteLLM
 * keeps per entry (timeout, stream_timeout, num_retries, order, weight) are
 * collected here and resolved by groups.ts.
 */
import type { Path } from '../diagnostics/path.ts';
import { GroupName, Id } from '../model/common.ts';
import { GROUP_NAME_RULE } from '../model/group-name.ts';
import type { DeploymentInput } from '../model/deployment.ts';
import { EMITTED_PARAMS } from '../model/provider.ts';
import type { PolicyDraft } from './draft.ts';
import { type Input, isObj, type Obj } from './input.ts';
import { asNumber, isPositiveInt, perMillion, secondsToMs } from './numbers.ts';
import { parseModelRef } from './provider-prefix.ts';
import { type ProviderRead, readProvider } from './providers.ts';
import type { SecretImporter } from './secrets.ts';
import { keepUnsupported } from './unsupported.ts';

export interface GroupEntry {
  path: Path;
  deployment: string;
  timeoutMs?: number;
  streamTimeoutMs?: number;
  numRetries?: number;
  order?: number;
  weighted: boolean;
}

export interface ModelList {
  /** Group name -> its entries, groups in first-appearance order. */
  groups: Map<string, GroupEntry[]>;
  /** Deployment id -> the input path of its first entry. */
  deploymentAt: Map<string, Path>;
  /** vllm deployments whose context window comes from their pool, by id. */
  contextFromPool: Set<string>;
  /** Every model_name of the list, including entries that could not be imported (their error is reported once, there). */
  allNames: Set<string>;
}

const ENTRY_KEYS = new Set(['model_name', 'litellm_params', 'model_info']);
const INFO_KEYS = new Set(['id', 'max_input_tokens', 'input_cost_per_token', 'output_cost_per_token']);
/** When an entry names no context window: small enough never to promise more than the model takes. */
const DEFAULT_CONTEXT = 8_192;
const NOT_A_DEPLOYMENT_SETTING = 'not a deployment setting of a Switchyard policy';

export const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[-._]+$/g, '')
    .slice(0, 63)
    .replace(/[-._]+$/g, '');

/** First DNS label of a URL's host (`pool-a` of `http://pool-a.gpu.internal:8000/v1`), and its port. */
export function hostOf(url: string): { label: string; port: string } {
  try {
    const u = new URL(url);
    return { label: slug(u.hostname.split('.')[0] ?? '') || 'host', port: u.port || (u.protocol === 'https:' ? '443' : '80') };
  } catch {
    return { label: 'host', port: '' };
  }
}

interface ProviderDraft extends ProviderRead {
  key: string;
  path: Path;
}

function unique(base: string, taken: Set<string>): string {
  let id = base || 'deployment';
  for (let n = 2; taken.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
  taken.add(id);
  return id;
}

export function readModelList(input: Input, draft: PolicyDraft, secrets: SecretImporter): ModelList {
  const list = input.get(['model_list']);
  const out: ModelList = { groups: new Map(), deploymentAt: new Map(), contextFromPool: new Set(), allNames: new Set() };
  if (!Array.isArray(list) || list.length === 0) {
    input.report('error', 'import-invalid', list === undefined ? [] : ['model_list'], 'the config has no model_list entries: there is nothing to import');
    return out;
  }
  const providers: ProviderDraft[] = [];
  const providerOf = new Map<string, ProviderDraft>();
  const deployments = new Map<
    string,
    { d: DeploymentInput; sig: string; providerKey: string; path: Path; groups: string[]; notes: Array<[string, string]>; weighted: boolean }
  >();
  const takenIds = new Set<string>();
  // Explicit ids first, so a generated id never takes one an entry names later.
  const explicitIds = list.map((e, i) => explicitId(input, e, i));
  for (const id of explicitIds) if (id !== undefined) takenIds.add(id);
  const claimed = new Set<string>();

  list.forEach((entry, i) => {
    const at: Path = ['model_list', i];
    if (isObj(entry) && typeof entry.model_name === 'string') out.allNames.add(entry.model_name);
    if (!isObj(entry) || typeof entry.model_name !== 'string' || !isObj(entry.litellm_params) || typeof entry.litellm_params.model !== 'string') {
      input.report('error', 'import-invalid', at, 'a model_list entry needs model_name and litellm_params.model (strings)');
      return;
    }
    const group = entry.model_name;
    if (!GroupName.safeParse(group).success) {
      input.report('error', 'import-group-name', [...at, 'model_name'], `model group name ${JSON.stringify(group)} ${GROUP_NAME_RULE}`);
      return;
    }
    const params = entry.litellm_params;
    const info: Obj = isObj(entry.model_info) ? entry.model_info : {};
    const ref = parseModelRef(params.model as string);
    const modelAt = [...at, 'litellm_params', 'model'];
    const provider =
      ref.kind === null
        ? input.report(
            'error',
            'import-unsupported-provider',
            modelAt,
            `${JSON.stringify(params.model)} is served by ${ref.reason}; this deployment cannot be imported`,
          )
        : readProvider(input, secrets, ref, params, at);
    for (const k of Object.keys(entry)) if (!ENTRY_KEYS.has(k)) keepUnsupported(input, draft, 'routing.ts', [...at, k], NOT_A_DEPLOYMENT_SETTING);
    for (const k of Object.keys(params))
      if (!EMITTED_PARAMS.has(k) && !provider?.consumed.has(k))
        keepUnsupported(input, draft, 'routing.ts', [...at, 'litellm_params', k], NOT_A_DEPLOYMENT_SETTING);
    // An Azure deployment's base_model is the OpenAI model behind its deployment name.
    const azureBase = provider?.provider.kind === 'azure_openai' && typeof info.base_model === 'string';
    for (const k of Object.keys(info))
      if (!INFO_KEYS.has(k) && !(k === 'base_model' && azureBase))
        keepUnsupported(input, draft, 'routing.ts', [...at, 'model_info', k], NOT_A_DEPLOYMENT_SETTING);
    if (ref.kind === null || provider === undefined) return;
    const kind = provider.provider.kind;
    const pkey = JSON.stringify(provider.provider);
    let p = providerOf.get(pkey);
    if (!p) {
      p = { ...provider, key: pkey, path: at };
      providerOf.set(pkey, p);
      providers.push(p);
    }
    if (ref.inferred && !p.notes.some(([f]) => f === 'kind'))
      p.notes.push(['kind', `inferred from the model name ${JSON.stringify(params.model)} (written without a provider prefix) at ${input.where(modelAt)}`]);

    const read = readDeployment(input, params, info, at, ref.model);
    if (read === undefined) return;
    const { d, notes } = read;
    if (azureBase) {
      const base = (info.base_model as string).replace(/^azure\//, '');
      if (base !== d.model) d.baseModel = base;
    }
    if (d.contextWindow === undefined && kind !== 'vllm') {
      d.contextWindow = DEFAULT_CONTEXT;
      input.report(
        'warning',
        'import-defaulted',
        [...at, 'model_info'],
        `no model_info.max_input_tokens: the context window defaults to ${DEFAULT_CONTEXT} tokens`,
      );
      notes.push(['contextWindow', `defaulted: ${input.where(at)} gives no model_info.max_input_tokens; set the model's context window`]);
    }
    let id = explicitIds[i];
    if (id === undefined) id = unique(slug(`${provider.slug}-${ref.model}`), takenIds);
    // The weight is left out: entries of groups whose strategy ignores weights do not carry it.
    const { weight, ...rest } = d;
    const sig = JSON.stringify([pkey, rest]);
    const seen = deployments.get(id);
    if (seen) {
      if (seen.groups.includes(group)) {
        input.report(
          'error',
          'import-duplicate',
          [...at, 'model_info', 'id'],
          `deployment ${JSON.stringify(id)} is listed twice in model group ${JSON.stringify(group)}`,
        );
        return;
      }
      const weightClash = params.weight !== undefined && seen.weighted && (seen.d.weight ?? 1) !== (weight ?? 1);
      if (seen.sig !== sig || weightClash) {
        input.report(
          'error',
          'import-ambiguous',
          [...at, 'model_info', 'id'],
          `model_info.id names deployment ${JSON.stringify(id)}, which ${input.where(seen.path)} also names with different settings; give the two entries different ids`,
        );
        return;
      }
      seen.groups.push(group);
      if (params.weight !== undefined && !seen.weighted) {
        seen.weighted = true;
        if (weight !== undefined) seen.d.weight = weight;
      }
    } else {
      deployments.set(id, {
        d: { ...d, id } as DeploymentInput,
        sig,
        providerKey: pkey,
        path: at,
        groups: [group],
        notes,
        weighted: params.weight !== undefined,
      });
      if (kind === 'vllm' && d.contextWindow === undefined) out.contextFromPool.add(id);
    }
    claimed.add(id);
    const e: GroupEntry = { path: at, deployment: id, weighted: params.weight !== undefined };
    const seconds = (key: string): number | undefined => {
      if (params[key] === undefined) return undefined;
      const s = asNumber(params[key]);
      const ms = s === undefined ? undefined : secondsToMs(s);
      if (ms === undefined)
        input.report('error', 'import-invalid', [...at, 'litellm_params', key], `${key} must be a positive number of seconds (whole milliseconds)`);
      return ms;
    };
    const timeout = seconds('timeout');
    if (timeout !== undefined) e.timeoutMs = timeout;
    const stream = seconds('stream_timeout');
    if (stream !== undefined) e.streamTimeoutMs = stream;
    if (params.num_retries !== undefined) {
      if (typeof params.num_retries === 'number' && Number.isInteger(params.num_retries) && params.num_retries >= 0 && params.num_retries <= 10)
        e.numRetries = params.num_retries;
      else input.report('error', 'import-invalid', [...at, 'litellm_params', 'num_retries'], 'num_retries must be a whole number from 0 to 10');
    }
    if (params.order !== undefined) {
      if (typeof params.order === 'number' && Number.isInteger(params.order) && params.order >= 0) e.order = params.order;
      else input.report('error', 'import-invalid', [...at, 'litellm_params', 'order'], 'order must be a whole number');
    }
    out.groups.set(group, [...(out.groups.get(group) ?? []), e]);
  });

  // Provider ids: the kind (service, LiteLLM provider), then the host (and port) where two need telling apart.
  const bases = providers.map((p) => slug(p.slug));
  const labels = providers.map((p) => (p.provider.apiBase && !p.provider.apiBase.startsWith('env:') ? hostOf(p.provider.apiBase) : { label: '', port: '' }));
  const taken = new Set<string>();
  const ids = providers.map((_, i) => {
    const sameKind = bases.filter((b) => b === bases[i]).length > 1;
    if (!sameKind) return unique(bases[i]!, taken);
    const sameHost = providers.filter((_, j) => bases[j] === bases[i] && labels[j]!.label === labels[i]!.label).length > 1;
    return unique(slug([bases[i], labels[i]!.label, sameHost ? labels[i]!.port : ''].filter(Boolean).join('-')), taken);
  });
  providers.forEach((p, i) => {
    const index = draft.policy.providers.length;
    draft.policy.providers.push({ id: ids[i]!, ...p.provider });
    draft.origin(['providers', index], input, p.path);
    for (const [field, line] of p.notes) draft.comment(['providers', index, field], line);
  });
  const idOf = new Map(providers.map((p, i) => [p.key, ids[i]!]));
  for (const [id, { d, providerKey, path, notes }] of deployments) {
    const index = draft.policy.deployments.length;
    draft.policy.deployments.push({ ...d, id, provider: idOf.get(providerKey)! });
    draft.origin(['deployments', index], input, path);
    out.deploymentAt.set(id, path);
    for (const [field, line] of notes) draft.comment(['deployments', index, field], line);
  }
  return out;
}

/** `model_info.id` when it names a deployment: `<group>/<id>` as Switchyard writes it, or an id on its own. */
function explicitId(input: Input, entry: unknown, i: number): string | undefined {
  if (!isObj(entry) || !isObj(entry.model_info) || entry.model_info.id === undefined) return undefined;
  const raw = String(entry.model_info.id);
  const group = typeof entry.model_name === 'string' ? entry.model_name : '';
  const candidate = raw.startsWith(`${group}/`) ? raw.slice(group.length + 1) : raw;
  if (Id.safeParse(candidate).success) return candidate;
  input.report(
    'info',
    'import-generated-id',
    ['model_list', i, 'model_info', 'id'],
    `model_info.id ${JSON.stringify(raw)} is not a Switchyard id; the deployment gets a generated one`,
  );
  return undefined;
}

type DeploymentDraft = Omit<DeploymentInput, 'id' | 'provider' | 'contextWindow'> & { contextWindow?: number };

function readDeployment(input: Input, params: Obj, info: Obj, at: Path, model: string): { d: DeploymentDraft; notes: Array<[string, string]> } | undefined {
  let ok = true;
  const notes: Array<[string, string]> = [];
  const d: DeploymentDraft = { model, pricing: { inputPer1M: 0, outputPer1M: 0 } };
  const context = info.max_input_tokens;
  if (context !== undefined) {
    if (isPositiveInt(context)) d.contextWindow = context;
    else {
      input.report('error', 'import-invalid', [...at, 'model_info', 'max_input_tokens'], 'max_input_tokens must be a positive whole number');
      ok = false;
    }
  }
  for (const k of ['rpm', 'tpm'] as const) {
    const v = params[k];
    if (v === undefined) continue;
    if (isPositiveInt(v)) d[k] = v;
    else {
      input.report('error', 'import-invalid', [...at, 'litellm_params', k], `${k} must be a positive whole number`);
      ok = false;
    }
  }
  const price = (k: 'input_cost_per_token' | 'output_cost_per_token'): number | undefined => {
    const fromParams = asNumber(params[k]);
    const fromInfo = asNumber(info[k]);
    if (params[k] !== undefined && (fromParams === undefined || fromParams < 0)) {
      input.report('error', 'import-invalid', [...at, 'litellm_params', k], `${k} must be a number of USD, at least 0`);
      ok = false;
    }
    if (fromParams !== undefined && fromInfo !== undefined && fromParams !== fromInfo)
      input.report(
        'warning',
        'import-conflict',
        [...at, 'model_info', k],
        `model_info.${k} differs from litellm_params.${k}, which LiteLLM's cost tracking reads; the policy keeps the latter`,
      );
    const v = fromParams ?? fromInfo;
    return v === undefined ? undefined : perMillion(v);
  };
  const inputPer1M = price('input_cost_per_token');
  const outputPer1M = price('output_cost_per_token');
  d.pricing = { inputPer1M: inputPer1M ?? 0, outputPer1M: outputPer1M ?? 0 };
  if (inputPer1M === undefined || outputPer1M === undefined) {
    input.report(
      'warning',
      'import-defaulted',
      [...at, 'litellm_params'],
      'no input_cost_per_token/output_cost_per_token: pricing defaults to 0 USD, so cost reports leave this deployment out',
    );
    notes.push(['pricing', `defaulted to 0: ${input.where(at)} gives no per-token cost (LiteLLM prices it from its cost map); set the price`]);
  }
  if (params.weight !== undefined) {
    const w = asNumber(params.weight);
    if (w === undefined) {
      input.report('error', 'import-invalid', [...at, 'litellm_params', 'weight'], 'weight must be a number');
      ok = false;
    } else if (w !== 1) d.weight = w;
  }
  return ok ? { d, notes } : undefined;
}
