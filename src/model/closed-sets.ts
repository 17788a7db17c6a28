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

/** The APIs Switchyard knows how to route to and emit for. */
export const PROVIDER_KINDS = ['openai', 'azure_openai', 'anthropic', 'vllm'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

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
