import { durationMs } from '../../model/common.ts';
import type { Alert, SloTarget } from '../../model/slo.ts';
import { recordOrigin } from '../origins.ts';
import type { PlanAlert, PlanOrigins, PlanSloTarget } from '../types.ts';

export function normalizeSloTarget(t: SloTarget, i: number, origins: PlanOrigins): PlanSloTarget {
  recordOrigin(origins, ['slos', 'targets', t.id], ['slos', 'targets', i]);
  return {
    id: t.id,
    metric: t.metric,
    description: t.description ?? null,
    // Two bounds read as a range (`>= 0.4`, `<= 0.6`) in the order written.
    objective: t.objective.map((b) => ({ op: b.op, value: b.value })),
    windowMs: durationMs(t.window),
  };
}

export function normalizeAlert(a: Alert, i: number, origins: PlanOrigins): PlanAlert {
  recordOrigin(origins, ['slos', 'alerts', a.id], ['slos', 'alerts', i]);
  return {
    id: a.id,
    kind: a.kind,
    description: a.description ?? null,
    threshold: a.threshold ?? null,
    forMs: durationMs(a.for),
    severity: a.severity,
  };
}
