import { z } from 'zod';
import { ALERT_KINDS, SLO_METRICS } from './closed-sets.ts';
import { Duration, Id } from './common.ts';

/**
 * The measured quantities an SLO can target. Each has a fixed unit so the
 * Prometheus, gate and runbook emitters know how to measure it.
 */
export const SloMetric = z.enum(SLO_METRICS);
export type SloMetric = z.infer<typeof SloMetric>;

export const Comparison = z.enum(['<', '<=', '>', '>=']);

const Bound = z.object({ op: Comparison, value: z.number().finite() }).strict();

export const SloTarget = z
  .object({
    id: Id,
    metric: SloMetric,
    description: z.string().optional(),
    /** One bound (`< 150`) or two (`>= 0.4` and `<= 0.6`). */
    objective: z.array(Bound).min(1).max(2),
    window: Duration.default('30m'),
  })
  .strict();
export type SloTarget = z.infer<typeof SloTarget>;

export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

export const Alert = z
  .object({
    id: Id,
    kind: AlertKind,
    description: z.string().optional(),
    /** Threshold in the kind's unit (a fraction for rates and the cost anomaly); absent for up/down alerts. */
    threshold: z.number().finite().optional(),
    /** How long the condition must hold before the alert fires. */
    for: Duration,
    severity: z.enum(['critical', 'warning', 'info']).default('critical'),
  })
  .strict();
export type Alert = z.infer<typeof Alert>;

export const Slos = z
  .object({
    targets: z.array(SloTarget).default([]),
    alerts: z.array(Alert).default([]),
  })
  .strict();
export type Slos = z.infer<typeof Slos>;
export type SlosInput = z.input<typeof Slos>;
