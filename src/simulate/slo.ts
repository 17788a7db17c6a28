/**
 * The plan's SLOs measured on a simulated run, each marked pass, fail or
 * n/a. Measures follow the definitions the Prometheus rules use
 * (src/targets/observability/promql.ts), over the whole simulated window:
 * - error_rate: failed requests (errors and shed) / requests;
 * - fallback_success_rate: of requests their own group did not serve, the
 *   share a fallback served (vacuously met when none needed one);
 * - interactive_latency_p95_ms: p95 from arrival to first token of the
 *   successful requests that asked for an interactive group;
 * - vllm_batch_utilization: running / max-num-seqs, averaged over engines;
 * - cost_reduction_vs_baseline: 1 - spend / the same tokens at the baseline
 *   deployment.
 * router_overhead_p95_ms and kv_cache_hit_rate are not modelled: n/a.
 */
import { assertNever, type SloMetric } from '../model/closed-sets.ts';
import { holds } from '../observability/readiness.ts';
import type { CompiledPlan, PlanSloTarget } from '../plan/types.ts';
import type { SloResult } from './report.ts';

export interface SloMeasures {
  errorRate: number | null;
  fallbackSuccessRate: number | null;
  /** Requests that needed a fallback. */
  neededFallback: number;
  interactiveP95Ms: number | null;
  batchUtilization: number | null;
  costReduction: number | null;
}

const NOT_MODELLED: Record<'router_overhead_p95_ms' | 'kv_cache_hit_rate', string> = {
  router_overhead_p95_ms: "not simulated: the router's own compute time does not advance virtual time",
  kv_cache_hit_rate: 'not simulated: prefix caching is not modelled',
};

const objectiveText = (t: PlanSloTarget): string => t.objective.map((b) => `${b.op} ${b.value}`).join(' and ');

export function meets(value: number, t: PlanSloTarget): boolean {
  return t.objective.every((b) => holds(value, b));
}

function measured(metric: SloMetric, m: SloMeasures): { value: number | null; note: string | null } {
  switch (metric) {
    case 'error_rate':
      return { value: m.errorRate, note: m.errorRate === null ? 'no requests' : null };
    case 'fallback_success_rate':
      return { value: m.fallbackSuccessRate, note: m.neededFallback === 0 ? 'no request needed a fallback' : null };
    case 'interactive_latency_p95_ms':
      return { value: m.interactiveP95Ms, note: m.interactiveP95Ms === null ? 'no successful interactive request' : null };
    case 'vllm_batch_utilization':
      return { value: m.batchUtilization, note: m.batchUtilization === null ? 'no vLLM engine' : null };
    case 'cost_reduction_vs_baseline':
      return { value: m.costReduction, note: m.costReduction === null ? 'nothing was served' : null };
    case 'router_overhead_p95_ms':
    case 'kv_cache_hit_rate':
      return { value: null, note: NOT_MODELLED[metric] };
    default:
      return assertNever(metric);
  }
}

export function evaluateSlos(plan: CompiledPlan, m: SloMeasures): SloResult[] {
  return Object.keys(plan.slos.targets)
    .sort()
    .map((id) => {
      const t = plan.slos.targets[id]!;
      const { value, note } = measured(t.metric, m);
      const vacuous = t.metric === 'fallback_success_rate' && m.neededFallback === 0;
      const status = value !== null ? (meets(value, t) ? 'pass' : 'fail') : vacuous ? 'pass' : 'n/a';
      return { id, metric: t.metric, objective: objectiveText(t), value, status, note };
    });
}
