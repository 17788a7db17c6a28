/** SLO verdicts on simulated measures: each bound on both sides of its value, two-bound objectives, and what cannot be measured. */
import { describe, expect, it } from 'vitest';
import type { CompiledPlan, PlanSloTarget } from '../../src/plan/types.ts';
import { evaluateSlos, meets, type SloMeasures } from '../../src/simulate/slo.ts';

const target = (metric: PlanSloTarget['metric'], objective: PlanSloTarget['objective']): PlanSloTarget => ({
  id: metric,
  metric,
  description: null,
  objective,
  windowMs: 1_800_000,
});

describe('SLO verdicts', () => {
  it('each comparison holds on its side of the bound and not on the other', () => {
    expect(meets(0.01, target('error_rate', [{ op: '<=', value: 0.01 }]))).toBe(true);
    expect(meets(0.0101, target('error_rate', [{ op: '<=', value: 0.01 }]))).toBe(false);
    expect(meets(1999.9, target('interactive_latency_p95_ms', [{ op: '<', value: 2000 }]))).toBe(true);
    expect(meets(2000, target('interactive_latency_p95_ms', [{ op: '<', value: 2000 }]))).toBe(false);
    expect(meets(0.95, target('fallback_success_rate', [{ op: '>=', value: 0.95 }]))).toBe(true);
    expect(meets(0.9499, target('fallback_success_rate', [{ op: '>=', value: 0.95 }]))).toBe(false);
    expect(meets(0.65, target('vllm_batch_utilization', [{ op: '>', value: 0.65 }]))).toBe(false);
    expect(meets(0.6501, target('vllm_batch_utilization', [{ op: '>', value: 0.65 }]))).toBe(true);
    const band = target('cost_reduction_vs_baseline', [
      { op: '>=', value: 0.4 },
      { op: '<=', value: 0.6 },
    ]);
    expect([0.3999, 0.4, 0.6, 0.6001].map((v) => meets(v, band))).toEqual([false, true, true, false]);
  });

  it('marks what the simulation cannot measure n/a, and a fallback SLO with nothing to fall back as met', () => {
    const plan = {
      slos: {
        targets: Object.fromEntries(
          [
            target('router_overhead_p95_ms', [{ op: '<', value: 150 }]),
            target('kv_cache_hit_rate', [{ op: '>=', value: 0.8 }]),
            target('fallback_success_rate', [{ op: '>=', value: 0.95 }]),
            target('vllm_batch_utilization', [{ op: '>=', value: 0.65 }]),
            target('error_rate', [{ op: '<=', value: 0.01 }]),
          ].map((t) => [t.id, t]),
        ),
        alerts: {},
      },
    } as unknown as CompiledPlan;
    const m: SloMeasures = {
      errorRate: 0.02,
      fallbackSuccessRate: null,
      neededFallback: 0,
      interactiveP95Ms: null,
      batchUtilization: null,
      costReduction: null,
    };
    expect(evaluateSlos(plan, m).map((s) => [s.id, s.status, s.note])).toEqual([
      ['error_rate', 'fail', null],
      ['fallback_success_rate', 'pass', 'no request needed a fallback'],
      ['kv_cache_hit_rate', 'n/a', 'not simulated: prefix caching is not modelled'],
      ['router_overhead_p95_ms', 'n/a', "not simulated: the router's own compute time does not advance virtual time"],
      ['vllm_batch_utilization', 'n/a', 'no vLLM engine'],
    ]);
  });
});
