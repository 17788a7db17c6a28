/**
 * The provider of one model_list entry: its kind (provider-prefix.ts), where
 * it is (api_base, api_version: a URL or date, or `os.environ/NAME` read
 * where LiteLLM runs), its key (secrets.ts), and what only some kinds have:
 * an OpenAI-compatible service's quirks (extra_headers,
 * additional_drop_params) and a pass-through provider's LiteLLM parameters.
 * Entries with the same provider settings share one provider.
 */
import type { Path } from '../diagnostics/path.ts';
import { OPENAI_COMPATIBLE_SERVICES, type ProviderKind } from '../model/closed-sets.ts';
import { CREDENTIAL_PARAM, EMITTED_PARAMS, LITELLM_PARAM, type ProviderInput } from '../model/provider.ts';
import { type Input, isObj, type Obj } from './input.ts';
import type { ModelRef } from './provider-prefix.ts';
import { isEnvironRef, type SecretImporter } from './secrets.ts';

export interface ProviderRead {
  provider: Omit<ProviderInput, 'id'>;
  /** Base of the generated provider id: the kind, service or LiteLLM provider. */
  slug: string;
  notes: Array<[string, string]>;
  /** litellm_params keys this provider consumed (beyond the common ones). */
  consumed: Set<string>;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KIND_SLUG: Record<Exclude<ProviderKind, 'openai_compatible' | 'passthrough'>, string> = {
  openai: 'openai',
  azure_openai: 'azure',
  anthropic: 'anthropic',
  vllm: 'vllm',
};

/** Environment variables LiteLLM reads when an entry leaves a setting out (docs/my-website/docs/providers/openai.md, azure.md, anthropic.md). */
const DEFAULT_ENV = {
  apiKey: { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', azure_openai: 'AZURE_API_KEY' } as Partial<Record<ProviderKind, string>>,
  azureBase: 'AZURE_API_BASE',
  azureVersion: 'AZURE_API_VERSION',
};
/** Where LiteLLM's ollama provider goes without an api_base (docs/my-website/docs/providers/ollama.md). */
const OLLAMA_DEFAULT_BASE = 'http://localhost:11434';
const OPENAI_HOST = 'api.openai.com';

export function readProvider(input: Input, secrets: SecretImporter, ref: Exclude<ModelRef, { kind: null }>, params: Obj, at: Path): ProviderRead | undefined {
  const fieldAt = (k: string): Path => [...at, 'litellm_params', k];
  const notes: Array<[string, string]> = [];
  const consumed = new Set<string>();
  let ok = true;
  const fail = (code: string, path: Path, message: string, hint?: string) => {
    input.report('error', code, path, message, hint);
    ok = false;
  };

  // `openai/` with a base URL that is not OpenAI and no key: a local OpenAI-compatible server (llama.cpp, TGI...).
  let kind: ProviderKind = ref.kind;
  const baseText = typeof params.api_base === 'string' ? params.api_base : undefined;
  const generic = kind === 'openai' && params.api_key === undefined && baseText !== undefined && (isEnvironRef(baseText) || hostName(baseText) !== OPENAI_HOST);
  if (generic) kind = 'openai_compatible';
  const service = ref.kind === 'openai_compatible' ? ref.service : generic ? 'generic' : undefined;
  const p: Omit<ProviderInput, 'id'> = { kind, ...(service ? { service } : {}) };
  if (generic)
    notes.push(['kind', `inferred: openai/ with an api_base that is not OpenAI's and no api_key is an OpenAI-compatible server (${input.where(at)})`]);

  // Where: a URL, or a variable read where LiteLLM (and the gateway) run.
  const endpoint = (key: 'api_base' | 'api_version', valid: (s: string) => boolean, what: string): string | undefined => {
    const v = params[key];
    if (v === undefined) return undefined;
    if (isEnvironRef(v)) {
      const name = v.slice('os.environ/'.length);
      if (ENV_NAME.test(name)) return `env:${name}`;
      fail('import-secret-name', fieldAt(key), `${JSON.stringify(name)} is not an environment variable name Switchyard can reference`);
      return undefined;
    }
    if (typeof v === 'string' && valid(v)) return v;
    // PyYAML reads an unquoted 2024-10-21 as a date; LiteLLM sends it as that date's text.
    if (v instanceof Date && !Number.isNaN(v.getTime()) && valid(v.toISOString().slice(0, 10))) return v.toISOString().slice(0, 10);
    fail('import-invalid', fieldAt(key), `${key} must be ${what}, or os.environ/NAME`);
    return undefined;
  };
  const base = endpoint('api_base', (s) => /^https?:\/\/[^\s]+$/.test(s) && URL.canParse(s), 'an http(s) URL');
  const version = endpoint('api_version', (s) => /^\d{4}-\d{2}-\d{2}(-preview)?$/.test(s), 'a date such as 2024-10-21 (or 2024-10-01-preview)');
  if (base !== undefined) p.apiBase = base;
  if (version !== undefined) p.apiVersion = version;

  if (kind === 'azure_openai') {
    if (params.api_base === undefined) {
      p.apiBase = `env:${DEFAULT_ENV.azureBase}`;
      notes.push(['apiBase', `inferred: no api_base at ${input.where(at)}, so LiteLLM reads ${DEFAULT_ENV.azureBase}`]);
    }
    if (params.api_version === undefined) {
      p.apiVersion = `env:${DEFAULT_ENV.azureVersion}`;
      notes.push(['apiVersion', `inferred: no api_version at ${input.where(at)}, so LiteLLM reads ${DEFAULT_ENV.azureVersion}`]);
    }
  }
  if (kind === 'vllm' && params.api_base === undefined)
    fail('import-invalid', [...at, 'litellm_params'], 'a hosted_vllm deployment needs api_base: the address of its vLLM server');
  if (kind === 'openai_compatible' && service && params.api_base === undefined && OPENAI_COMPATIBLE_SERVICES[service].defaultBase === null) {
    if (service === 'ollama') {
      p.apiBase = OLLAMA_DEFAULT_BASE;
      notes.push(['apiBase', `inferred: no api_base at ${input.where(at)}, so LiteLLM calls Ollama at ${OLLAMA_DEFAULT_BASE}`]);
    } else fail('import-invalid', [...at, 'litellm_params'], `a ${ref.prefix} deployment needs api_base: the address of its server`);
  }
  // A service's public endpoint need not be written.
  if (service && p.apiBase === OPENAI_COMPATIBLE_SERVICES[service].defaultBase) delete p.apiBase;

  // The key.
  const slug = kind === 'passthrough' ? ref.prefix : kind === 'openai_compatible' ? (service ?? 'openai_compatible') : KIND_SLUG[kind];
  if (params.api_key !== undefined) {
    const host = typeof p.apiBase === 'string' && !p.apiBase.startsWith('env:') ? hostName(p.apiBase).split('.')[0]! : '';
    const suggested = kind === 'openai' && !p.apiBase ? 'OPENAI_API_KEY' : `${slug}_${kind === 'azure_openai' || kind === 'vllm' ? host : ''}_API_KEY`;
    const s = secrets.reference(params.api_key, fieldAt('api_key'), suggested);
    if (s === undefined) ok = false;
    else {
      p.apiKey = s.ref;
      if (s.note) notes.push(['apiKey', s.note]);
    }
  } else if (DEFAULT_ENV.apiKey[kind]) {
    p.apiKey = `env:${DEFAULT_ENV.apiKey[kind]}`;
    notes.push(['apiKey', `inferred: the config gives no api_key, so LiteLLM reads ${DEFAULT_ENV.apiKey[kind]} (${input.where(at)})`]);
  } else if (service && OPENAI_COMPATIBLE_SERVICES[service].defaultBase !== null)
    input.report(
      'warning',
      'import-no-key',
      [...at, 'litellm_params'],
      `no api_key: LiteLLM reads ${ref.prefix}'s key from its own environment variable, but Switchyard's gateway would call ${service} without one`,
      'give the entry api_key: os.environ/NAME',
    );

  if (kind === 'openai_compatible') readCompat(params, p, consumed);
  if (kind === 'passthrough' && !readPassthrough(secrets, ref.prefix, params, at, p, consumed)) ok = false;
  return ok ? { provider: p, slug, notes, consumed } : undefined;
}

function hostName(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** extra_headers and additional_drop_params: how the server differs from OpenAI. */
function readCompat(params: Obj, p: Omit<ProviderInput, 'id'>, consumed: Set<string>): void {
  const compat: NonNullable<ProviderInput['compat']> = {};
  const headers = params.extra_headers;
  if (isObj(headers) && Object.values(headers).every((v) => typeof v === 'string')) {
    compat.headers = headers as Record<string, string>;
    consumed.add('extra_headers');
  }
  const drop = params.additional_drop_params;
  if (Array.isArray(drop) && drop.every((d) => d === 'n' || d === 'stream_options')) {
    if (drop.includes('n')) compat.n = false;
    if (drop.includes('stream_options')) compat.streamOptions = false;
    consumed.add('additional_drop_params');
  }
  if (Object.keys(compat).length > 0) p.compat = compat;
}

/** Every other litellm_param of a pass-through entry is LiteLLM's to read: plain values as params, credentials as secret references. */
function readPassthrough(secrets: SecretImporter, provider: string, params: Obj, at: Path, p: Omit<ProviderInput, 'id'>, consumed: Set<string>): boolean {
  const litellm = { provider, params: {} as Record<string, string | number | boolean>, secrets: {} as Record<string, string> };
  let ok = true;
  for (const [k, v] of Object.entries(params)) {
    if (EMITTED_PARAMS.has(k) || !LITELLM_PARAM.test(k)) continue;
    const path: Path = [...at, 'litellm_params', k];
    if (CREDENTIAL_PARAM.test(k) || isEnvironRef(v)) {
      const s = secrets.reference(v, path, `${provider}_${k}`);
      if (s === undefined) ok = false;
      else litellm.secrets[k] = s.ref;
      consumed.add(k);
    } else if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
      litellm.params[k] = v;
      consumed.add(k);
    }
  }
  p.litellm = litellm;
  return ok;
}
