import { z } from 'zod';
import { ALERT_KINDS, SLO_METRICS } from './closed-sets.ts';
import { Description, Duration, durationMs, Id } from './common.ts';

/**
 * A window or delay of a Prometheus rule: whole minutes, at least one. A
 * rate over less than a scrape interval has no data, and the generated rules
 * and their promtool tests step by the minute.
 */
const RuleDuration = Duration.superRefine((d, ctx) => {
  if (!/^[0-9]+(ms|s|m|h|d)$/.test(d)) return;
  const ms = durationMs(d);
  // (zero and more than 30d are reported by Duration)
  if (ms > 0 && ms <= durationMs('30d') && ms % 60_000 !== 0)
    ctx.addIssue({ code: 'custom', message: 'must be whole minutes, such as 1m, 30m or 2h (Prometheus rules are evaluated by the minute)' });
});

/**
 * The measured quantities an SLO can target. Each has a fixed unit so the
 * Prometheus, gate and runbook emitters know how to measure it.
 */
export const SloMetric = z.enum(SLO_METRICS);
export type SloMetric = z.infer<typeof SloMetric>;

export const Comparison = z.enum(['<', '<=', '>', '>=']);

interface Range {
  min: number;
  max: number;
  /** How the bound reads in a message. */
  unit: string;
}
const RATIO: Range = { min: 0, max: 1, unit: 'a fraction (0.95 is 95%)' };
const MILLISECONDS: Range = { min: 0, max: 3_600_000, unit: 'milliseconds' };

/**
 * The values each metric can take, so an objective the metric can never
 * meet (an error rate below -1, a latency of 1e300 ms) is a mistake at its
 * line rather than an alert that always, or never, fires. A cost reduction
 * may be negative: spending more than the baseline.
 */
const METRIC_RANGE: Record<SloMetric, Range> = {
  router_overhead_p95_ms: MILLISECONDS,
  error_rate: RATIO,
  fallback_success_rate: RATIO,
  vllm_batch_utilization: RATIO,
  kv_cache_hit_rate: RATIO,
  cost_reduction_vs_baseline: { min: -1, max: 1, unit: 'a fraction of the baseline cost (0.4 is 40% less)' },
  interactive_latency_p95_ms: MILLISECONDS,
};

/** The alert kinds that read a threshold, and what it can be (the others fire on up/down signals and take none). */
const ALERT_THRESHOLD: Partial<Record<AlertKind, Range>> = {
  router_error_rate: RATIO,
  circuit_breaker_open: RATIO,
  cost_anomaly: { min: 0, max: 100, unit: 'a fraction above the baseline (0.5 is 50% more)' },
};

const outside = (v: number, r: Range) => (v < r.min ? `must be at least ${r.min}` : v > r.max ? `must be at most ${r.max}` : undefined);

const Bound = z.object({ op: Comparison, value: z.number().finite() }).strict();

export const SloTarget = z
  .object({
    id: Id,
    metric: SloMetric,
    description: Description.optional(),
    /** One bound (`< 150`) or two (`>= 0.4` and `<= 0.6`). */
    objective: z.array(Bound).min(1).max(2),
    window: RuleDuration.default('30m'),
  })
  .strict()
  .superRefine((t, ctx) => {
    const range = METRIC_RANGE[t.metric];
    t.objective.forEach((b, i) => {
      const problem = outside(b.value, range);
      if (problem) ctx.addIssue({ code: 'custom', path: ['objective', i, 'value'], message: `${problem}: ${t.metric} is ${range.unit}` });
    });
  });
export type SloTarget = z.infer<typeof SloTarget>;

export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

export const Alert = z
  .object({
    id: Id,
    kind: AlertKind,
    description: Description.optional(),
    /** Threshold in the kind's unit (a fraction for rates and the cost anomaly); absent for up/down alerts. */
    threshold: z.number().finite().optional(),
    /** How long the condition must hold before the alert fires. */
    for: RuleDuration,
    severity: z.enum(['critical', 'warning', 'info']).default('critical'),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.threshold === undefined) return;
    const range = ALERT_THRESHOLD[a.kind];
    const problem = range ? outside(a.threshold, range) : `is not used by ${a.kind} alerts, which fire on an up/down signal; remove it`;
    if (problem) ctx.addIssue({ code: 'custom', path: ['threshold'], message: range ? `${problem}: the ${a.kind} threshold is ${range.unit}` : problem });
  });
export type Alert = z.infer<typeof Alert>;

export const Slos = z
  .object({
    targets: z.array(SloTarget).default([]),
    alerts: z.array(Alert).default([]),
  })
  .strict();
export type Slos = z.infer<typeof Slos>;
export type SlosInput = z.input<typeof Slos>;
