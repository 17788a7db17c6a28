/**
 * PromQL for every quantity the plan's SLOs and alerts speak of, as
 * functions of the window, so the recording rules (plan windows), the gate
 * (`--window`) and the docs print the same expression.
 *
 * Where both exist, Switchyard gateway metrics win and LiteLLM's are the
 * fallback (`A or B`: B only when A has no series). LiteLLM exports its
 * metrics only in its Enterprise edition; with the open-source proxy the
 * LiteLLM half simply matches nothing.
 */
import { compareStrings } from '../plan/defaults.ts';
import type { CompiledPlan, PlanSloTarget, SloMetric } from '../plan/types.ts';
import { metricName as n } from './metrics.ts';

/** Plain decimal for PromQL and docs: no float noise such as 1.5000000000000002. */
export const num = (x: number): string => String(Number(x.toPrecision(12)));

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** Milliseconds as a Prometheus duration in the largest whole unit: 1800000 -> `30m`. */
export function promDuration(ms: number): string {
  if (ms <= 0) return '0s';
  for (const [unit, size] of UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.round(ms)}ms`;
}

/** A Prometheus duration (`30s`, `5m`, `2h`, `1d`, `1w`, `500ms`) in milliseconds, or null. */
export function parsePromDuration(text: string): number | null {
  const m = /^([0-9]+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) return null;
  const size: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  const ms = Number(m[1]) * size[m[2]!]!;
  return ms > 0 ? ms : null;
}

/** Window of the rates inside the critical alerts; `for` (from the plan) is how long the condition must hold. */
export const ALERT_RATE_WINDOW_MS = 5 * 60_000;
/** The cost baseline is the same hour one week earlier: weekly seasonality (weekends) would make a day-ago baseline raise false alarms. */
export const COST_BASELINE_OFFSET = '1w';
const COST_BASELINE_RANGE = '1h';

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A PromQL string literal. PromQL reads double-quoted strings with Go's
 * escapes, so the backslashes a regex needs (`qwen2\.5`) must be doubled,
 * or Prometheus refuses the rule ("unknown escape sequence").
 */
const promqlString = (s: string): string => `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')}"`;

/** Model groups of interactive workload, sorted: the SLO on interactive latency covers these. */
function interactiveGroups(plan: CompiledPlan): string[] {
  return Object.values(plan.groups)
    .filter((g) => g.workload === 'interactive')
    .map((g) => g.name)
    .sort(compareStrings);
}

export type SloUnit = 'ms' | 'ratio';

export interface SloMeasure {
  metric: string;
  title: string;
  unit: SloUnit;
  /** PromQL over the given window (a Prometheus duration). */
  expr: (plan: CompiledPlan, window: string) => string;
}

const ratio = (num: string, den: string) => `(${num} or vector(0))\n  / ${den}`;
const quantileMs = (q: number, bucketSelector: string, w: string) => `histogram_quantile(${q}, sum by (le) (rate(${bucketSelector}[${w}]))) * 1000`;

export const SLO_MEASURES: Record<SloMetric, SloMeasure> = {
  router_overhead_p95_ms: {
    metric: 'router_overhead_p95_ms',
    title: 'Router p95 latency (routing overhead)',
    unit: 'ms',
    expr: (_plan, w) => `${quantileMs(0.95, n('routingOverhead', 'bucket'), w)}\nor\n${quantileMs(0.95, n('litellmOverhead', 'bucket'), w)}`,
  },
  error_rate: {
    metric: 'error_rate',
    title: 'Error rate',
    unit: 'ratio',
    expr: (_plan, w) => errorRatio(w),
  },
  fallback_success_rate: {
    metric: 'fallback_success_rate',
    title: 'Fallback success rate',
    unit: 'ratio',
    expr: (_plan, w) =>
      `${ratio(`sum(rate(${n('fallbacks')}{outcome="success"}[${w}]))`, `sum(rate(${n('fallbacks')}[${w}]))`)}\nor\n` +
      ratio(`sum(rate(${n('litellmFallbackSuccess')}[${w}]))`, `sum(rate({__name__=~"${n('litellmFallbackSuccess')}|${n('litellmFallbackFailure')}"}[${w}]))`),
  },
  vllm_batch_utilization: {
    metric: 'vllm_batch_utilization',
    title: 'vLLM batch utilization (running / max-num-seqs)',
    unit: 'ratio',
    expr: (_plan, w) => `avg(\n  sum by (pool, model_name) (avg_over_time(${n('vllmRunning')}[${w}]))\n  / on (pool, model_name) ${VLLM_MAX_NUM_SEQS}\n)`,
  },
  kv_cache_hit_rate: {
    metric: 'kv_cache_hit_rate',
    title: 'KV cache (prefix cache) hit rate',
    unit: 'ratio',
    expr: (_plan, w) => `sum(rate(${n('vllmPrefixCacheHits')}[${w}]))\n  / sum(rate(${n('vllmPrefixCacheQueries')}[${w}]))`,
  },
  cost_reduction_vs_baseline: {
    metric: 'cost_reduction_vs_baseline',
    title: 'Cost reduction vs single-provider baseline',
    unit: 'ratio',
    expr: (_plan, w) => `1 - sum(rate(${n('cost')}[${w}]))\n  / sum(rate(${n('baselineCost')}[${w}]))`,
  },
  interactive_latency_p95_ms: {
    metric: 'interactive_latency_p95_ms',
    title: 'Interactive latency p95, end to end',
    unit: 'ms',
    expr: (plan, w) => {
      const own = quantileMs(0.95, `${n('requestDuration', 'bucket')}{workload="interactive"}`, w);
      const groups = interactiveGroups(plan);
      if (groups.length === 0) return own;
      const re = groups.map(escapeRegex).join('|');
      return `${own}\nor\n${quantileMs(0.95, `${n('litellmTotalLatency', 'bucket')}{requested_model=~${promqlString(re)}}`, w)}`;
    },
  },
};

/** Share of client requests that failed, over `w`. */
export function errorRatio(w: string): string {
  return (
    `${ratio(`sum(rate(${n('requests')}{outcome="error"}[${w}]))`, `sum(rate(${n('requests')}[${w}]))`)}\nor\n` +
    ratio(`sum(rate(${n('litellmFailedRequests')}[${w}]))`, `sum(rate(${n('litellmRequests')}[${w}]))`)
  );
}

/** Share of requests that failed per deployment, over `w` (what trips a circuit breaker). */
export function deploymentErrorRatio(w: string): string {
  // A deployment without errors has no error series: count it as 0, not as missing.
  const all = `sum by (deployment) (rate(${n('requests')}[${w}]))`;
  return `(sum by (deployment) (rate(${n('requests')}{outcome="error"}[${w}])) or ${all} * 0)\n  / ${all}`;
}

/** Spend in USD per hour, over `w`. */
export function costPerHour(w: string): string {
  return `sum(rate(${n('cost')}[${w}])) * 3600\nor\nsum(rate(${n('litellmSpend')}[${w}])) * 3600`;
}

/** Spend in USD per hour in the same hour one week earlier. */
export function costBaselinePerHour(): string {
  const r = COST_BASELINE_RANGE;
  const o = COST_BASELINE_OFFSET;
  return `sum(rate(${n('cost')}[${r}] offset ${o})) * 3600\nor\nsum(rate(${n('litellmSpend')}[${r}] offset ${o})) * 3600`;
}

/** Static series: max-num-seqs per vLLM engine from the plan's capacity, the denominator of batch utilization. */
export const VLLM_MAX_NUM_SEQS = 'switchyard:vllm_max_num_seqs';

export interface VllmEngineRef {
  pool: string;
  model: string;
  maxNumSeqs: number;
}

/** Every vLLM engine the plan launches (models whose capacity fits), under its home pool, sorted. */
export function vllmEngineRefs(plan: CompiledPlan): VllmEngineRef[] {
  const out: VllmEngineRef[] = [];
  for (const poolId of Object.keys(plan.pools).sort(compareStrings)) {
    const pool = plan.pools[poolId]!;
    for (const name of Object.keys(pool.models).sort(compareStrings)) {
      const m = pool.models[name]!;
      if (m.capacity?.fits) out.push({ pool: poolId, model: m.servedName, maxNumSeqs: m.capacity.maxNumSeqs });
    }
  }
  return out;
}

/** `switchyard:<metric>:<window>`: the recording rule of an SLO target, in the target's unit. */
export function sloRecordName(t: PlanSloTarget): string {
  return `switchyard:${t.metric}:${promDuration(t.windowMs)}`;
}

const OP_TEXT: Record<string, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };
/** The comparison that breaks a bound: `< 150` is broken by `>= 150`. */
export const BREACH: Record<string, string> = { '<': '>=', '<=': '>', '>': '<=', '>=': '<' };

/** `< 150 ms`, `>= 95%`: a bound for people. */
export function boundText(op: string, value: number, unit: SloUnit | 'seconds' | 'usd_per_hour' | 'count'): string {
  const v = unit === 'ratio' ? `${num(value * 100)}%` : unit === 'ms' ? `${num(value)} ms` : unit === 'seconds' ? `${num(value)} s` : num(value);
  return `${OP_TEXT[op] ?? op} ${v}`;
}

/** A value for people, in the unit of its measure. */
export function valueText(value: number, unit: SloUnit | 'seconds' | 'usd_per_hour' | 'count'): string {
  if (unit === 'ratio') return `${num(Number((value * 100).toFixed(2)))}%`;
  if (unit === 'ms') return `${num(Number(value.toFixed(1)))} ms`;
  if (unit === 'seconds') return `${num(Number(value.toFixed(1)))} s`;
  return num(Number(value.toFixed(4)));
}
