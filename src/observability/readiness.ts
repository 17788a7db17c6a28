/**
 * The readiness gate: pass/fail criteria for router health, performance,
 * cost control and SLA compliance, checked before traffic moves. Defined
 * once here, from the plan; `docs/readiness-gate.md` prints them and
 * `switchyard gate` evaluates them against a Prometheus server.
 *
 * Every criterion is one PromQL expression of the window that must return a
 * single value, and bounds that value must satisfy.
 */
import { assertNever } from '../model/closed-sets.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { METRICS, VLLM_JOB } from './metrics.ts';
import {
  ALERT_RATE_WINDOW_MS,
  boundText,
  costBaselinePerHour,
  costPerHour,
  deploymentErrorRatio,
  errorRatio,
  num,
  promDuration,
  SLO_MEASURES,
} from './promql.ts';
import { alertNameOf, sloAlertNameOf, sortedAlerts, sortedTargets, type Bound, type RuleUnit } from './rules.ts';

export type Category = 'router-health' | 'performance' | 'cost-control' | 'sla-compliance';

export const CATEGORY_TITLES: Record<Category, string> = {
  'router-health': 'Router health',
  performance: 'Performance',
  'cost-control': 'Cost control',
  'sla-compliance': 'SLA compliance',
};

export interface Criterion {
  id: string;
  category: Category;
  description: string;
  unit: RuleUnit;
  /** All must hold. */
  bounds: Bound[];
  /** Window used when the gate is given none. */
  defaultWindowMs: number | null;
  /** PromQL for a window (a Prometheus duration); ignores it when `defaultWindowMs` is null. */
  promql: (window: string) => string;
  /** Plan entity the threshold comes from. */
  from: string;
  /** The alert watching the same condition. */
  alert: string | null;
}

const SLO_CATEGORY: Record<string, Category> = {
  error_rate: 'router-health',
  router_overhead_p95_ms: 'performance',
  interactive_latency_p95_ms: 'performance',
  fallback_success_rate: 'router-health',
  vllm_batch_utilization: 'performance',
  kv_cache_hit_rate: 'performance',
  cost_reduction_vs_baseline: 'cost-control',
};

const CATEGORY_ORDER: Category[] = ['router-health', 'performance', 'cost-control', 'sla-compliance'];

export function readinessCriteria(plan: CompiledPlan): Criterion[] {
  const out: Criterion[] = [];
  for (const t of sortedTargets(plan)) {
    const m = SLO_MEASURES[t.metric]!;
    out.push({
      id: `slo.${t.id}`,
      category: SLO_CATEGORY[t.metric] ?? 'performance',
      description: `${m.title} meets its SLO (${t.objective.map((b) => boundText(b.op, b.value, m.unit)).join(' and ')} over ${promDuration(t.windowMs)})`,
      unit: m.unit,
      bounds: t.objective.map((b) => ({ op: b.op, value: b.value })),
      defaultWindowMs: t.windowMs,
      promql: (w) => m.expr(plan, w),
      from: `slos.targets.${t.id}`,
      alert: sloAlertNameOf(t),
    });
  }
  const rateWindow = ALERT_RATE_WINDOW_MS;
  for (const a of sortedAlerts(plan)) {
    const base = { from: `slos.alerts.${a.id}`, alert: alertNameOf(a) };
    switch (a.kind) {
      case 'router_error_rate':
        if (a.threshold === null) break;
        out.push({
          ...base,
          id: `alert.${a.id}`,
          category: 'router-health',
          description: `Router error rate at or below the ${num(a.threshold * 100)}% alert threshold`,
          unit: 'ratio',
          bounds: [{ op: '<=', value: a.threshold }],
          defaultWindowMs: rateWindow,
          promql: errorRatio,
        });
        break;
      case 'circuit_breaker_open':
        out.push({
          ...base,
          id: `alert.${a.id}`,
          category: 'router-health',
          description: 'No circuit breaker open',
          unit: 'count',
          bounds: [{ op: '<=', value: 0 }],
          defaultWindowMs: null,
          promql: () => `count(max by (deployment) (${METRICS.breakerState.name}) == 1) or vector(0)`,
        });
        if (a.threshold !== null)
          out.push({
            ...base,
            id: `alert.${a.id}.error-rate`,
            category: 'router-health',
            description: `Every deployment's error rate at or below the ${num(a.threshold * 100)}% that trips breakers`,
            unit: 'ratio',
            bounds: [{ op: '<=', value: a.threshold }],
            defaultWindowMs: rateWindow,
            promql: (w) => `max(\n  ${deploymentErrorRatio(w).replace(/\n/g, '\n  ')}\n)`,
          });
        break;
      case 'router_state_unavailable':
        out.push({
          ...base,
          id: `alert.${a.id}`,
          category: 'router-health',
          description: `Every router reaches its ${plan.routerState.kind} state store`,
          unit: 'count',
          bounds: [{ op: '>=', value: 1 }],
          defaultWindowMs: null,
          promql: () => `min(${METRICS.stateStoreUp.name})`,
        });
        break;
      case 'vllm_engine_down':
        out.push({
          ...base,
          id: `alert.${a.id}`,
          category: 'router-health',
          description: 'Every vLLM engine is up',
          unit: 'count',
          bounds: [{ op: '>=', value: 1 }],
          defaultWindowMs: null,
          promql: () => `min(up{job="${VLLM_JOB}"})`,
        });
        break;
      case 'cost_anomaly':
        if (a.threshold === null) break;
        out.push({
          ...base,
          id: `alert.${a.id}`,
          category: 'cost-control',
          description: `Spend per hour at most ${num(1 + a.threshold)} times the same hour a week earlier`,
          unit: 'count',
          bounds: [{ op: '<=', value: 1 + a.threshold }],
          defaultWindowMs: rateWindow,
          promql: (w) => `(\n  ${costPerHour(w).replace(/\n/g, '\n  ')}\n)\n/\n(\n  ${costBaselinePerHour().replace(/\n/g, '\n  ')}\n)`,
        });
        break;
      case 'batch_queue_stuck':
        out.push({
          ...base,
          id: `alert.${a.id}`,
          category: 'sla-compliance',
          description: `No batch request waiting longer than ${promDuration(a.forMs)}`,
          unit: 'seconds',
          bounds: [{ op: '<=', value: a.forMs / 1000 }],
          defaultWindowMs: null,
          promql: () => `max(${METRICS.batchQueueOldestPending.name})`,
        });
        break;
      default:
        assertNever(a.kind);
    }
  }
  out.push({
    id: 'alerts.none-firing',
    category: 'sla-compliance',
    description: 'No critical Switchyard alert firing',
    unit: 'count',
    bounds: [{ op: '<=', value: 0 }],
    defaultWindowMs: null,
    promql: () => 'count(ALERTS{alertname=~"Switchyard.*", alertstate="firing", severity="critical"}) or vector(0)',
    from: 'slos.alerts',
    alert: null,
  });
  return out.sort((x, y) => CATEGORY_ORDER.indexOf(x.category) - CATEGORY_ORDER.indexOf(y.category));
}

export const holds = (value: number, b: Bound): boolean =>
  b.op === '<' ? value < b.value : b.op === '<=' ? value <= b.value : b.op === '>' ? value > b.value : value >= b.value;

export function thresholdText(c: Criterion): string {
  return c.bounds.map((b) => boundText(b.op, b.value, c.unit)).join(' and ');
}

/** The window a criterion is measured over: the gate's `--window`, else its own default. */
export function criterionWindow(c: Criterion, windowMs: number | null): string | null {
  if (c.defaultWindowMs === null) return null;
  return promDuration(windowMs ?? c.defaultWindowMs);
}
