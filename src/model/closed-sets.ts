/**
 * Every closed set of the policy language and its outputs, defined once.
 * The zod enums, the plan types, the emitters' mapping tables (typed
 * `Record<Strategy, ...>`, so a missing entry is a type error) and the test
 * lists all derive from these tuples. Adding a member here makes the type
 * checker point at every place that must handle it.
 *
 * Plain TypeScript with no imports: the runtime, which must not load zod or
 * the compiler, reads these too.
 */

/** How a model group picks among its deployments (one file each under src/runtime/strategies/). */
export const STRATEGIES = ['weighted', 'usage_based', 'latency_based', 'cost_based', 'ordered'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/**
 * The APIs Switchyard knows how to route to and emit for. `openai_compatible`
 * is any server that speaks OpenAI's chat/completions (Groq, Ollama,
 * OpenRouter...: see OPENAI_COMPATIBLE_SERVICES); `passthrough` is a
 * provider only LiteLLM talks to (Bedrock, Vertex AI, Gemini...): the
 * gateway has no adapter for it and serves its groups from their other
 * deployments only.
 */
export const PROVIDER_KINDS = ['openai', 'azure_openai', 'anthropic', 'vllm', 'openai_compatible', 'passthrough'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Provider kinds the gateway serves (one adapter each); `passthrough` is the one it cannot. */
export type ServedProviderKind = Exclude<ProviderKind, 'passthrough'>;

/**
 * OpenAI-compatible services, each with the provider prefix LiteLLM expects
 * in `litellm_params.model` (the names of `LITELLM_CHAT_PROVIDERS` in
 * litellm/constants.py, BerriAI/litellm), the base URL the gateway uses when
 * the policy gives none (null: the policy must give one), and the path the
 * gateway adds between the base URL and `/chat/completions` when the
 * service's OpenAI API sits below the root LiteLLM is given (Ollama's root
 * speaks its native API, its OpenAI API is under `/v1`).
 * `generic` is any other server (llama.cpp's server, TGI, LocalAI...): LiteLLM
 * reaches it as `openai/<model>` with an api_base.
 */
export const OPENAI_COMPATIBLE_SERVICES = {
  generic: { litellmPrefix: 'openai', defaultBase: null, pathPrefix: '' },
  ollama: { litellmPrefix: 'ollama_chat', defaultBase: null, pathPrefix: '/v1' },
  lm_studio: { litellmPrefix: 'lm_studio', defaultBase: null, pathPrefix: '' },
  llamafile: { litellmPrefix: 'llamafile', defaultBase: null, pathPrefix: '' },
  groq: { litellmPrefix: 'groq', defaultBase: 'https://api.groq.com/openai/v1', pathPrefix: '' },
  openrouter: { litellmPrefix: 'openrouter', defaultBase: 'https://openrouter.ai/api/v1', pathPrefix: '' },
  fireworks_ai: { litellmPrefix: 'fireworks_ai', defaultBase: 'https://api.fireworks.ai/inference/v1', pathPrefix: '' },
  together_ai: { litellmPrefix: 'together_ai', defaultBase: 'https://api.together.xyz/v1', pathPrefix: '' },
  deepseek: { litellmPrefix: 'deepseek', defaultBase: 'https://api.deepseek.com/v1', pathPrefix: '' },
  mistral: { litellmPrefix: 'mistral', defaultBase: 'https://api.mistral.ai/v1', pathPrefix: '' },
  xai: { litellmPrefix: 'xai', defaultBase: 'https://api.x.ai/v1', pathPrefix: '' },
  perplexity: { litellmPrefix: 'perplexity', defaultBase: 'https://api.perplexity.ai', pathPrefix: '' },
  deepinfra: { litellmPrefix: 'deepinfra', defaultBase: 'https://api.deepinfra.com/v1/openai', pathPrefix: '' },
  cerebras: { litellmPrefix: 'cerebras', defaultBase: 'https://api.cerebras.ai/v1', pathPrefix: '' },
  nvidia_nim: { litellmPrefix: 'nvidia_nim', defaultBase: 'https://integrate.api.nvidia.com/v1', pathPrefix: '' },
} as const satisfies Record<string, { litellmPrefix: string; defaultBase: string | null; pathPrefix: string }>;
export type OpenAiCompatibleService = keyof typeof OPENAI_COMPATIBLE_SERVICES;
export const OPENAI_COMPATIBLE_SERVICE_NAMES = Object.keys(OPENAI_COMPATIBLE_SERVICES) as [OpenAiCompatibleService, ...OpenAiCompatibleService[]];

/**
 * The service behind a LiteLLM provider prefix (`groq` -> groq; `ollama` and
 * `ollama_chat` -> ollama), or null: what reading a LiteLLM config back
 * (the importer) and the checks need. `openai` is not a service's prefix
 * here: without an api_base it is OpenAI itself.
 */
export function serviceOfLitellmPrefix(prefix: string): OpenAiCompatibleService | null {
  if (prefix === 'ollama') return 'ollama';
  for (const name of OPENAI_COMPATIBLE_SERVICE_NAMES) if (name !== 'generic' && OPENAI_COMPATIBLE_SERVICES[name].litellmPrefix === prefix) return name;
  return null;
}

/**
 * LiteLLM providers a `passthrough` provider may name, from
 * `LITELLM_CHAT_PROVIDERS` in litellm/constants.py (BerriAI/litellm) less
 * the ones with a kind of their own here. Another name is a warning, not an
 * error: LiteLLM adds providers faster than this list moves.
 */
export const LITELLM_PASSTHROUGH_PROVIDERS = [
  'bedrock',
  'vertex_ai',
  'vertex_ai_beta',
  'gemini',
  'cohere',
  'cohere_chat',
  'replicate',
  'huggingface',
  'sagemaker',
  'sagemaker_chat',
  'azure_ai',
  'watsonx',
  'databricks',
  'predibase',
  'cloudflare',
  'ai21',
  'ai21_chat',
  'clarifai',
  'triton',
  'oci',
  'github',
  'dashscope',
  'moonshot',
  'nebius',
  'novita',
  'sambanova',
  'baseten',
  'friendliai',
  'volcengine',
  'codestral',
] as const;

/** What a model group's traffic is for; decides SLOs, LiteLLM router settings and the cost baseline. */
export const WORKLOADS = ['interactive', 'cost_sensitive', 'premium', 'batch'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** How much a risk finding matters, in rising order; `none` only ever describes a whole diff. */
export const RISK_LEVELS = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** How bad a Diagnostic is. */
const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Closes a switch over a union: `default: return assertNever(x)` stops
 * compiling when a member is added and not handled.
 */
export function assertNever(x: never): never {
  throw new Error(`unhandled member of a closed set: ${JSON.stringify(x)}`);
}

/** What an SLO target measures (each has a PromQL measure in src/observability/promql.ts). */
export const SLO_METRICS = [
  'router_overhead_p95_ms',
  'error_rate',
  'fallback_success_rate',
  'vllm_batch_utilization',
  'kv_cache_hit_rate',
  'cost_reduction_vs_baseline',
  'interactive_latency_p95_ms',
] as const;
export type SloMetric = (typeof SLO_METRICS)[number];

/** The critical alerts a policy can ask for (each becomes a Prometheus rule, a runbook section and a gate criterion). */
export const ALERT_KINDS = [
  'router_error_rate',
  'vllm_engine_down',
  'batch_queue_stuck',
  'cost_anomaly',
  'circuit_breaker_open',
  'router_state_unavailable',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** vLLM `--dtype` values a pool model may ask for. */
export const DTYPES = ['auto', 'bfloat16', 'float16', 'float32'] as const;
export type Dtype = (typeof DTYPES)[number];

/** vLLM `--quantization` methods the capacity arithmetic knows the size of. */
export const QUANTIZATIONS = ['awq', 'gptq', 'fp8', 'bitsandbytes'] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

/** vLLM `--kv-cache-dtype` values. */
export const KV_CACHE_DTYPES = ['auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2'] as const;
export type KvCacheDtype = (typeof KV_CACHE_DTYPES)[number];

/**
 * LiteLLM release ranges the LiteLLM target can be written for: retry-policy
 * keys and the order of the Router's retry checks differ between them
 * (src/targets/litellm/releases.ts says what each range does and where that
 * was read).
 */
export const LITELLM_RELEASES = ['1.80-1.98', '1.110+'] as const;
export type LitellmRelease = (typeof LITELLM_RELEASES)[number];
/** The range a policy that names none is written for. */
export const DEFAULT_LITELLM_RELEASE: LitellmRelease = '1.80-1.98';
