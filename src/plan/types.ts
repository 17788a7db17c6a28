/**
 * CompiledPlan: the one interface between the compiler, the emitters, the
 * risk rules, the diff and the runtime. Everything is resolved and
 * defaulted; collections are objects keyed by id (serialised with sorted
 * keys); durations are milliseconds. This file is types only, so the runtime
 * can import it without pulling in zod or the compiler.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Path } from '../diagnostics/path.ts';

export const PLAN_SCHEMA_VERSION = 1 as const;

import type {
  AlertKind,
  Dtype,
  KvCacheDtype,
  LitellmRelease,
  OpenAiCompatibleService,
  ProviderKind,
  Quantization,
  SloMetric,
  Strategy,
  Workload,
} from '../model/closed-sets.ts';

export type { AlertKind, Dtype, KvCacheDtype, LitellmRelease, OpenAiCompatibleService, ProviderKind, Quantization, SloMetric, Strategy, Workload };

/** A parsed secret reference; the secret itself is never in the plan. */
export type PlanSecretRef = { ref: string; scheme: 'env'; name: string } | { ref: string; scheme: 'vault'; path: string; field: string };

export interface PlanProvider {
  id: string;
  kind: ProviderKind;
  /** The base URL when the policy writes it; null when it gives none or reads it from the environment (apiBaseEnv). */
  apiBase: string | null;
  /** `NAME` of `apiBase: env:NAME`: read where the gateway or LiteLLM runs (resolveProviderEnv in runtime/). */
  apiBaseEnv: string | null;
  apiVersion: string | null;
  /** `NAME` of `apiVersion: env:NAME`. */
  apiVersionEnv: string | null;
  region: string | null;
  apiKey: PlanSecretRef | null;
  /** openai_compatible only: the service, its quirks and LiteLLM prefix. */
  openaiCompatible: PlanOpenAiCompatible | null;
  /** passthrough only: what LiteLLM needs; the gateway cannot serve it. */
  passthrough: PlanPassthrough | null;
}

export interface PlanOpenAiCompatible {
  service: OpenAiCompatibleService;
  /** LiteLLM's provider prefix for the service (`groq`, `ollama_chat`, `openai` for a generic server). */
  litellmPrefix: string;
  /** Path the gateway puts between the base URL and `/chat/completions` (`/v1` for Ollama). */
  pathPrefix: string;
  /** The server accepts `stream_options`. */
  streamOptions: boolean;
  /** The server accepts `n`. */
  n: boolean;
  /** Extra headers on every call, sorted by name. */
  headers: Record<string, string>;
}

export interface PlanPassthrough {
  /** LiteLLM provider name: `model` is written as `<provider>/<deployment model>`. */
  provider: string;
  params: Record<string, string | number | boolean>;
  secrets: Record<string, PlanSecretRef>;
}

export interface PlanPricing {
  inputPer1M: number;
  outputPer1M: number;
}

export interface PlanDeployment {
  id: string;
  provider: string;
  providerKind: ProviderKind;
  model: string;
  /**
   * Azure OpenAI deployments only: the OpenAI model behind the deployment
   * name (the policy's baseModel, else its model). Absent for other kinds.
   */
  baseModel?: string;
  contextWindow: number;
  rpm: number | null;
  tpm: number | null;
  pricing: PlanPricing;
  weight: number;
  order: number | null;
  pool: string | null;
  /** The deployment's own timeout, or null to use its group's request timeout. */
  timeoutMs: number | null;
  tags: string[];
}

export interface PlanRetries {
  count: number;
  backoff: { initialMs: number; maxMs: number; multiplier: number };
  retryOn: number[];
}

export interface PlanBreaker {
  errorRateThreshold: number;
  minRequests: number;
  windowMs: number;
  cooldownMs: number;
  halfOpenProbes: number;
}

export interface PlanTraffic {
  peakRpm: number;
  meanInputTokens: number;
  meanOutputTokens: number;
  monthlyRequests: number;
}

export interface PlanGroup {
  name: string;
  description: string | null;
  workload: Workload;
  strategy: Strategy;
  /** Deployment ids; for `ordered` in call order (order, then id), otherwise sorted by id. */
  deployments: string[];
  retries: PlanRetries;
  timeouts: { requestMs: number; streamFirstTokenMs: number | null };
  /** Fallback groups in the declared order: that order is the semantics. */
  fallbacks: string[];
  contextWindowFallbacks: string[];
  /** The policy's default breaker, or the group's override. */
  circuitBreaker: PlanBreaker;
  traffic: PlanTraffic | null;
  /** Largest context window among the group's deployments. */
  maxContextWindow: number;
}

export type PlanRouterState = { kind: 'memory' } | { kind: 'redis'; url: PlanSecretRef; keyPrefix: string; cluster: boolean };

export interface PlanTenant {
  id: string;
  description: string | null;
  apiKeys: PlanSecretRef[];
  allowedGroups: string[];
  rpm: number | null;
  tpm: number | null;
  monthlyBudgetUsd: number | null;
}

export interface PlanPoolModel {
  /** `<pool>/<servedName>`, unique across the plan. */
  id: string;
  model: string;
  servedName: string;
  dtype: Dtype;
  quantization: Quantization | null;
  kvCacheDtype: KvCacheDtype;
  tensorParallel: number;
  spansPools: string[];
  gpuMemoryUtilization: number | null;
  /** min(requested, pool max context). */
  maxModelLen: number;
  port: number | null;
  expected: { promptTokens: number; completionTokens: number };
  /** GPU memory arithmetic for this engine (src/capacity); every vLLM batching knob comes from here. */
  capacity: PlanCapacity;
}

/**
 * Per-GPU memory budget of one vLLM engine and the batching knobs derived
 * from it. GB are 10^9 bytes, rounded to 3 decimals so plan.json is stable.
 */
export interface PlanCapacity {
  /** Resolved: the policy's value or the documented default. */
  gpuMemoryUtilization: number;
  /** GPUs in the tensor-parallel group (= tensorParallel). */
  gpus: number;
  vramGbPerGpu: number;
  weightsGbPerGpu: number;
  /** Activations, CUDA graphs and non-torch runtime memory kept out of the KV budget. */
  reserveGbPerGpu: number;
  kvBytesPerTokenPerGpu: number;
  /** May be negative: the model does not fit. */
  kvGbPerGpu: number;
  /** Tokens of KV cache the engine can hold (whole 16-token blocks). */
  kvTokens: number;
  /** kvTokens / maxModelLen: requests at full context that fit at once. */
  maxConcurrencyAtFullContext: number;
  maxNumSeqs: number;
  maxNumBatchedTokens: number;
  /** True when at least one request of maxModelLen tokens fits in the KV cache. */
  fits: boolean;
}

export interface PlanPool {
  id: string;
  gpu: { model: string; vramGb: number; count: number };
  maxContext: number;
  host: string;
  /** Keyed by served name. */
  models: Record<string, PlanPoolModel>;
}

export interface PlanBatchProfile {
  id: string;
  description: string | null;
  provider: string;
  providerKind: ProviderKind;
  endpoint: string;
  model: string;
  completionWindowHours: number;
  maxRequestsPerFile: number;
  /** Largest input file, in bytes. */
  maxFileBytes: number;
  dataClasses: string[];
  redaction: PlanRedaction;
  metadata: Record<string, string>;
  slaHours: number;
  /** The tenant spend rows are attributed to; null: the profile itself (`batch:<id>`). */
  tenant: string | null;
  pricing: PlanBatchPricing;
}

/**
 * What the batch runner adds to a profile when it runs: two metadata keys
 * on every batch (the journal finds a batch by them after a crash), and the
 * model group name its spend rows carry in the request log (`batch:<profile>`).
 */
export const BATCH_METADATA_KEYS = { key: 'switchyard_key', profile: 'switchyard_profile' } as const;
export const BATCH_GROUP_PREFIX = 'batch:';

export interface PlanRedaction {
  enabled: boolean;
  /** Built-in detectors that run (sorted); empty when redaction is off. */
  detectors: string[];
  /** The profile's own patterns, in declared order. */
  rules: { name: string; pattern: string; replacement: string }[];
  /** A local placeholder -> value map is kept so collect can restore the values. */
  reidentify: boolean;
}

export interface PlanBatchPricing {
  /** USD per 1M tokens at the batch rate. */
  batch: PlanPricing;
  /** The synchronous price of the same model at the same provider, or null when the plan has no such deployment. */
  synchronous: PlanPricing | null;
  /** The deployment whose price that is (and that spend rows name), or null. */
  deployment: string | null;
}

export interface PlanSloTarget {
  id: string;
  metric: SloMetric;
  description: string | null;
  objective: { op: '<' | '<=' | '>' | '>='; value: number }[];
  windowMs: number;
}

export interface PlanAlert {
  id: string;
  kind: AlertKind;
  description: string | null;
  threshold: number | null;
  forMs: number;
  severity: 'critical' | 'warning' | 'info';
}

/** Options of the compile targets, resolved (defaults filled in). */
export interface PlanTargets {
  litellm: { release: LitellmRelease; enterprise: boolean };
}

export interface CompiledPlan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  name: string;
  description: string | null;
  /** `sha256:<hex>` of the canonical JSON of the plan without this field. */
  hash: string;
  providers: Record<string, PlanProvider>;
  deployments: Record<string, PlanDeployment>;
  groups: Record<string, PlanGroup>;
  routerState: PlanRouterState;
  tenants: Record<string, PlanTenant>;
  pools: Record<string, PlanPool>;
  batchProfiles: Record<string, PlanBatchProfile>;
  slos: { targets: Record<string, PlanSloTarget>; alerts: Record<string, PlanAlert> };
  /**
   * Always written by the compiler; optional for plans compiled before target
   * options existed (readers use the defaults, src/targets/litellm/releases.ts).
   */
  targets?: PlanTargets;
}

/**
 * Where each plan entity came from in the policy: plan path (formatted, e.g.
 * `groups.chat`) -> policy path (e.g. ['modelGroups', 0]). Kept beside the
 * plan, not in it, so moving a block between files does not change the hash.
 */
export type PlanOrigins = Record<string, Path>;

export interface CompileResult {
  /** Present when there are no error Diagnostics. */
  plan?: CompiledPlan;
  origins: PlanOrigins;
  diagnostics: Diagnostic[];
}

/** `{ path, content, mediaType }`: what every emitter returns; paths are relative to the output dir, POSIX separators. */
export interface Artifact {
  path: string;
  content: string;
  mediaType: string;
}
