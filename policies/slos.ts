import { defineSlos } from 'switchyard';

/** The SLO table and critical alerts of the reference architecture; every target is over 30 minutes. */
export const slos = defineSlos({
  targets: [
    { id: 'router-overhead-p95', metric: 'router_overhead_p95_ms', objective: [{ op: '<', value: 150 }], window: '30m' },
    { id: 'error-rate', metric: 'error_rate', objective: [{ op: '<=', value: 0.01 }], window: '30m' },
    { id: 'fallback-success-rate', metric: 'fallback_success_rate', objective: [{ op: '>=', value: 0.95 }], window: '30m' },
    { id: 'vllm-batch-utilization', metric: 'vllm_batch_utilization', objective: [{ op: '>=', value: 0.65 }], window: '30m' },
    { id: 'kv-cache-hit-rate', metric: 'kv_cache_hit_rate', objective: [{ op: '>=', value: 0.8 }], window: '30m' },
    {
      id: 'cost-reduction',
      metric: 'cost_reduction_vs_baseline',
      objective: [
        { op: '>=', value: 0.4 },
        { op: '<=', value: 0.6 },
      ],
      window: '30m',
    },
    { id: 'interactive-latency-p95', metric: 'interactive_latency_p95_ms', objective: [{ op: '<', value: 2_000 }], window: '30m' },
  ],
  alerts: [
    { id: 'router-error-rate-high', kind: 'router_error_rate', threshold: 0.01, for: '10m', severity: 'critical' },
    { id: 'vllm-engine-down', kind: 'vllm_engine_down', for: '5m', severity: 'critical' },
    { id: 'batch-queue-stuck', kind: 'batch_queue_stuck', for: '2h', severity: 'critical' },
    { id: 'cost-anomaly', kind: 'cost_anomaly', threshold: 0.5, for: '30m', severity: 'critical' },
    { id: 'circuit-breaker-open', kind: 'circuit_breaker_open', threshold: 0.05, for: '1m', severity: 'critical' },
    { id: 'router-state-unavailable', kind: 'router_state_unavailable', for: '1m', severity: 'critical' },
  ],
});
