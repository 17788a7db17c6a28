/**
 * The one naming table of the Prometheus metrics Switchyard's outputs read:
 * the Prometheus rules, the Grafana dashboard, the readiness gate and the
 * runbooks all take metric names and labels from here, so a rename happens
 * in one place.
 *
 * `name` is the name as scraped and as PromQL uses it: counters with their
 * `_total` suffix (prometheus_client appends it on exposition), histograms by
 * their base name (`_bucket`, `_sum`, `_count` are appended).
 *
 * Sources: LiteLLM and vLLM names are those their code registers (see
 * /work/shared/fixtures: litellm/prometheus_metric_names.json,
 * vllm/metric_names.json, V1 names); `Switchyard runtime` names are the
 * contract Switchyard's own gateway exports.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';
export type MetricOrigin = 'switchyard' | 'litellm' | 'vllm' | 'prometheus';

export interface MetricDef {
  name: string;
  type: MetricType;
  labels: readonly string[];
  help: string;
  origin: MetricOrigin;
  /** Where the name is defined: an upstream file, or `Switchyard runtime`. */
  source: string;
  /** LiteLLM registers its Prometheus metrics only in its Enterprise edition (premium_user). */
  enterpriseOnly?: boolean;
}

const LITELLM_SOURCE = 'LiteLLM enterprise/litellm_enterprise/integrations/prometheus.py (PrometheusLogger; Enterprise only)';
const VLLM_SOURCE = 'vLLM vllm/v1/metrics/loggers.py (V1 engine, PrometheusStatLogger)';
const SWITCHYARD = 'Switchyard runtime';

/** vLLM V1 labels every engine metric with these. */
const VLLM_LABELS = ['model_name', 'engine'] as const;

export const METRICS = {
  // ---- Switchyard runtime / gateway -------------------------------------
  requests: {
    name: 'switchyard_requests_total',
    type: 'counter',
    labels: ['group', 'deployment', 'provider', 'outcome'],
    help: 'Client requests by the model group asked for, the deployment that answered (or failed last) and outcome="success"|"error".',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  routingOverhead: {
    name: 'switchyard_routing_overhead_seconds',
    type: 'histogram',
    labels: ['group'],
    help: 'Time spent in the router per request, excluding the provider call (routing overhead).',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  requestDuration: {
    name: 'switchyard_request_duration_seconds',
    type: 'histogram',
    labels: ['group', 'workload'],
    help: 'End-to-end request latency as the client sees it, by model group and workload (interactive, cost_sensitive, premium, batch).',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  fallbacks: {
    name: 'switchyard_fallbacks_total',
    type: 'counter',
    labels: ['group', 'from_group', 'to_group', 'outcome'],
    help: 'Fallback attempts from one model group to the next in the chain, outcome="success"|"failure".',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  breakerState: {
    name: 'switchyard_circuit_breaker_state',
    type: 'gauge',
    labels: ['deployment'],
    help: 'Circuit breaker state per deployment: 0 closed, 1 open, 2 half-open.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  stateStoreUp: {
    name: 'switchyard_state_store_up',
    type: 'gauge',
    labels: ['store'],
    help: '1 when the router state store (store="redis" or "memory") answered its last health check, else 0.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  batchQueueOldestPending: {
    name: 'switchyard_batch_queue_oldest_pending_seconds',
    type: 'gauge',
    labels: ['profile'],
    help: 'Age of the oldest request waiting in a batch profile queue (0 when the queue is empty).',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  batchQueuePending: {
    name: 'switchyard_batch_queue_pending',
    type: 'gauge',
    labels: ['profile'],
    help: 'Requests waiting in a batch profile queue.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  batchRequests: {
    name: 'switchyard_batch_requests_total',
    type: 'counter',
    labels: ['profile', 'outcome'],
    help: 'Requests of batches that reached a final status, by profile and outcome="completed"|"failed" (failed includes requests an expired or cancelled batch never ran).',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  batchJobs: {
    name: 'switchyard_batch_jobs_total',
    type: 'counter',
    labels: ['profile', 'status'],
    help: 'Batches that reached a final status, by profile and status="completed"|"failed"|"expired"|"cancelled".',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  cost: {
    name: 'switchyard_cost_usd_total',
    type: 'counter',
    labels: ['tenant', 'provider', 'group'],
    help: 'Spend in USD, priced with the plan pricing of the deployment that served each request.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  baselineCost: {
    name: 'switchyard_baseline_cost_usd_total',
    type: 'counter',
    labels: ['tenant', 'group'],
    help: "What the same requests' tokens would have cost on the single-provider baseline deployment (the dearest of the busiest interactive entry group; the analytics SQL prices the same), in USD.",
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  rejected: {
    name: 'switchyard_rejected_requests_total',
    type: 'counter',
    labels: ['tenant', 'reason'],
    help: 'Requests the gateway refused before routing or because of tenant limits, by tenant ("" when unauthenticated) and reason (bad_request, unauthorized, forbidden, unknown_model, too_large, tenant_rpm, tenant_tpm, tenant_budget, overloaded).',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  streamErrors: {
    name: 'switchyard_stream_errors_total',
    type: 'counter',
    labels: ['group', 'deployment', 'provider'],
    help: 'Streams that broke after their first byte reached the client (no retry or fallback is possible then); ended with an error event.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  canaryState: {
    name: 'switchyard_canary_state',
    type: 'gauge',
    labels: ['version'],
    help: "The canary plan this gateway runs or ran last, by bundle version: 1 running, 2 rolled back on its own (it did worse than the plan's SLOs), 3 promoted, 4 aborted. No series without a canary.",
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  canaryRequests: {
    name: 'switchyard_canary_requests_total',
    type: 'counter',
    labels: ['arm', 'outcome'],
    help: 'Answers the canary judge read while a canary runs, by arm (stable, canary) and outcome (success; error: a 5xx answer or a stream that broke after it began). Only routed requests are judged (not refusals before routing or by tenant limits, nor requests the client gave up on); the judge compares the arms over its sliding window (serve --canary-window).',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  planInfo: {
    name: 'switchyard_plan_info',
    type: 'gauge',
    labels: ['hash'],
    help: 'Always 1, labelled with the content hash of the plan the gateway serves (the stable plan: a canary has switchyard_canary_state); one series, whose label changes when a reload or a canary promotion swaps the plan.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  planReloads: {
    name: 'switchyard_plan_reloads_total',
    type: 'counter',
    labels: ['outcome'],
    help: "Plan reloads of a gateway following a publish target (serve --bundle), by outcome: success (the target's new current version is served) or failure (it is not, and the plan served stays: a bundle that does not verify, a secret or router state store that cannot be resolved or reached, a plan the gateway cannot serve). A failure tried again at the next check counts again.",
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  planLastReload: {
    name: 'switchyard_plan_last_reload_success_timestamp_seconds',
    type: 'gauge',
    labels: [],
    help: 'Unix time the plan served was loaded: its successful reload (or canary promotion), or the start of the gateway before any.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  // ---- Switchyard request log (the writer's stats(), src/request-log) ---
  requestLogQueued: {
    name: 'switchyard_request_log_queued',
    type: 'gauge',
    labels: [],
    help: 'Request-log rows (one per request, one per upstream attempt) waiting to be written to the database; bounded by the queue size.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  requestLogWritten: {
    name: 'switchyard_request_log_written_total',
    type: 'counter',
    labels: [],
    help: 'Request-log rows written to the database.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  requestLogDropped: {
    name: 'switchyard_request_log_dropped_total',
    type: 'counter',
    labels: [],
    help: 'Request-log rows dropped because the queue was full (database slow or down) or the log was closed; the requests themselves were served.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  requestLogRejected: {
    name: 'switchyard_request_log_rejected_total',
    type: 'counter',
    labels: [],
    help: 'Request-log rows refused as unwritable (a value out of range for its column, or refused by the database).',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  requestLogWriteFailures: {
    name: 'switchyard_request_log_write_failures_total',
    type: 'counter',
    labels: [],
    help: 'Request-log write batches that failed (database down, timed out) and were retried.',
    origin: 'switchyard',
    source: SWITCHYARD,
  },
  // ---- vLLM (V1 names) ---------------------------------------------------
  vllmRunning: {
    name: 'vllm:num_requests_running',
    type: 'gauge',
    labels: VLLM_LABELS,
    help: 'Requests in the running batch of the engine.',
    origin: 'vllm',
    source: VLLM_SOURCE,
  },
  vllmWaiting: {
    name: 'vllm:num_requests_waiting',
    type: 'gauge',
    labels: VLLM_LABELS,
    help: 'Requests waiting to be scheduled.',
    origin: 'vllm',
    source: VLLM_SOURCE,
  },
  vllmKvCacheUsage: {
    name: 'vllm:kv_cache_usage_perc',
    type: 'gauge',
    labels: VLLM_LABELS,
    help: 'KV-cache usage as a 0-1 fraction (V1 name of the deprecated vllm:gpu_cache_usage_perc).',
    origin: 'vllm',
    source: VLLM_SOURCE,
  },
  vllmPrefixCacheQueries: {
    name: 'vllm:prefix_cache_queries_total',
    type: 'counter',
    labels: VLLM_LABELS,
    help: 'Prefix-cache queries, in tokens (registered as vllm:prefix_cache_queries).',
    origin: 'vllm',
    source: VLLM_SOURCE,
  },
  vllmPrefixCacheHits: {
    name: 'vllm:prefix_cache_hits_total',
    type: 'counter',
    labels: VLLM_LABELS,
    help: 'Prefix-cache hits, in tokens (registered as vllm:prefix_cache_hits).',
    origin: 'vllm',
    source: VLLM_SOURCE,
  },
  // ---- Prometheus itself --------------------------------------------------
  up: {
    name: 'up',
    type: 'gauge',
    labels: ['job', 'instance'],
    help: 'Scrape health Prometheus records per target: 1 when the last scrape succeeded.',
    origin: 'prometheus',
    source: 'Prometheus (synthetic series per scrape target)',
  },
  // ---- LiteLLM proxy (Enterprise only) -----------------------------------
  litellmRequests: {
    name: 'litellm_proxy_total_requests_metric_total',
    type: 'counter',
    labels: [
      'end_user',
      'hashed_api_key',
      'api_key_alias',
      'requested_model',
      'team',
      'team_alias',
      'user',
      'status_code',
      'user_email',
      'route',
      'client_ip',
      'user_agent',
      'model_id',
    ],
    help: 'Requests the LiteLLM proxy received.',
    origin: 'litellm',
    source: LITELLM_SOURCE,
    enterpriseOnly: true,
  },
  litellmFailedRequests: {
    name: 'litellm_proxy_failed_requests_metric_total',
    type: 'counter',
    labels: [
      'end_user',
      'hashed_api_key',
      'api_key_alias',
      'requested_model',
      'team',
      'team_alias',
      'user',
      'user_email',
      'exception_status',
      'exception_class',
      'route',
      'client_ip',
      'user_agent',
      'model_id',
    ],
    help: 'Requests the LiteLLM proxy answered with an error.',
    origin: 'litellm',
    source: LITELLM_SOURCE,
    enterpriseOnly: true,
  },
  litellmOverhead: {
    name: 'litellm_overhead_latency_metric',
    type: 'histogram',
    labels: ['model_group', 'api_provider', 'api_base', 'litellm_model_name', 'hashed_api_key', 'api_key_alias', 'model_id'],
    help: 'LiteLLM overhead per request; its help text says milliseconds but it uses the seconds-based LATENCY_BUCKETS, so it is read as seconds.',
    origin: 'litellm',
    source: LITELLM_SOURCE,
    enterpriseOnly: true,
  },
  litellmTotalLatency: {
    name: 'litellm_request_total_latency_metric',
    type: 'histogram',
    labels: ['end_user', 'hashed_api_key', 'api_key_alias', 'requested_model', 'team', 'team_alias', 'user', 'model', 'model_id'],
    help: 'End-to-end request latency through the LiteLLM proxy, in seconds; requested_model is the model group.',
    origin: 'litellm',
    source: LITELLM_SOURCE,
    enterpriseOnly: true,
  },
  litellmFallbackSuccess: {
    name: 'litellm_deployment_successful_fallbacks_total',
    type: 'counter',
    labels: ['requested_model', 'fallback_model', 'hashed_api_key', 'api_key_alias', 'team', 'team_alias', 'exception_status', 'exception_class', 'model_id'],
    help: 'Fallbacks that succeeded.',
    origin: 'litellm',
    source: LITELLM_SOURCE,
    enterpriseOnly: true,
  },
  litellmFallbackFailure: {
    name: 'litellm_deployment_failed_fallbacks_total',
    type: 'counter',
    labels: ['requested_model', 'fallback_model', 'hashed_api_key', 'api_key_alias', 'team', 'team_alias', 'exception_status', 'exception_class', 'model_id'],
    help: 'Fallbacks that failed.',
    origin: 'litellm',
    source: LITELLM_SOURCE,
    enterpriseOnly: true,
  },
  litellmSpend: {
    name: 'litellm_spend_metric_total',
    type: 'counter',
    labels: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'team_alias', 'user', 'user_email', 'client_ip', 'user_agent', 'model_id'],
    help: 'Spend in USD as LiteLLM prices it.',
    origin: 'litellm',
    source: LITELLM_SOURCE,
    enterpriseOnly: true,
  },
} as const satisfies Record<string, MetricDef>;

export type MetricKey = keyof typeof METRICS;

/** The name a metric is queried by; `histogram` adds the `_bucket` suffix. */
export function metricName(key: MetricKey, series: 'bucket' | 'sum' | 'count' | null = null): string {
  const m: MetricDef = METRICS[key];
  return series === null ? m.name : `${m.name}_${series}`;
}

/** The scrape job name Switchyard's rules expect for vLLM engines (each target also labelled `pool=<pool id>`). */
export const VLLM_JOB = 'vllm';

/** True when a PromQL expression reads a metric that only LiteLLM Enterprise exports. */
export function usesEnterpriseLitellm(expr: string): boolean {
  return Object.values(METRICS).some((m: MetricDef) => m.enterpriseOnly === true && expr.includes(m.name));
}

/** Every metric in table order, for docs. */
export function metricTable(): MetricDef[] {
  return Object.values(METRICS);
}
