/**
 * The canary judge, pure, on an injected clock: each SLO it reads from the
 * stable plan (error rate, fallback success, interactive p95) on both sides
 * of its objective and of the stable arm's figure, the minimum samples, the
 * defaults of a plan without those SLOs, the time window (answers leave it),
 * and the bounded memory of an arm.
 */
import { describe, expect, it } from 'vitest';
import { ArmWindow, type CanaryOutcome } from '../../src/gateway/canary-window.ts';
import { CanaryJudge, canaryLimits, type CanaryLimits, type Verdict } from '../../src/gateway/canary-judge.ts';
import type { CompiledPlan, PlanSloTarget } from '../../src/plan/types.ts';
import { seededRandom } from '../../src/runtime/clock.ts';
import { deployment, group, plan } from '../runtime/plans.ts';

const target = (id: string, metric: PlanSloTarget['metric'], objective: PlanSloTarget['objective']): PlanSloTarget => ({
  id,
  metric,
  description: null,
  objective,
  windowMs: 1_800_000,
});

function withSlos(...targets: PlanSloTarget[]): CompiledPlan {
  const p = plan([deployment('a')], [group('g', ['a'])]);
  return { ...p, slos: { targets: Object.fromEntries(targets.map((t) => [t.id, t])), alerts: {} } };
}

/** error rate <= 0.05, fallback success >= 0.9, interactive p95 < 300 ms. */
const SLOS = canaryLimits(
  withSlos(
    target('err', 'error_rate', [{ op: '<=', value: 0.05 }]),
    target('fb', 'fallback_success_rate', [{ op: '>=', value: 0.9 }]),
    target('lat', 'interactive_latency_p95_ms', [{ op: '<', value: 300 }]),
  ),
);
const DEFAULTS = canaryLimits(withSlos());

const ok = (latencyMs = 10, interactive = true): CanaryOutcome => ({ failed: false, latencyMs, interactive, fallback: 'none' });
const failed: CanaryOutcome = { failed: true, latencyMs: 5, interactive: true, fallback: 'failed' };
const saved: CanaryOutcome = { failed: false, latencyMs: 10, interactive: true, fallback: 'served' };

/** Answers of one arm: [count, outcome] runs. */
type Arm = Array<[number, CanaryOutcome]>;
/** `latencies` as interactive answers. */
const timed = (...latencies: number[]): Arm => latencies.map((ms) => [1, ok(ms)]);

function judged(limits: CanaryLimits, canary: Arm, stable: Arm, minSamples = 10): Verdict {
  const j = new CanaryJudge({ limits, now: () => 1_000, minSamples, windowMs: 60_000 });
  for (const [arm, runs] of [
    ['stable', stable],
    ['canary', canary],
  ] as const)
    for (const [n, o] of runs) for (let i = 0; i < n; i++) j.record(arm, o);
  return j.verdict();
}

const CONTINUE: Verdict = { action: 'continue' };
const rollback = (reason: string): Verdict => ({ action: 'rollback', reason });

describe('the canary judge, SLO by SLO', () => {
  const cases: Array<{ name: string; limits?: CanaryLimits; canary: Arm; stable: Arm; minSamples?: number; want: Verdict }> = [
    // error_rate (SLO err: <= 0.05)
    {
      name: 'error rate at the objective',
      canary: [
        [1, failed],
        [19, ok()],
      ],
      stable: [[20, ok()]],
      want: CONTINUE,
    },
    {
      name: 'error rate past the objective and worse than stable',
      canary: [
        [2, failed],
        [18, ok()],
      ],
      stable: [[30, ok()]],
      want: rollback('error_rate past the SLO err (<= 0.05): canary 0.100 over 20 requests, stable 0.000 over 30, in the last 1m'),
    },
    {
      name: 'error rate past the objective but no worse than stable',
      canary: [
        [2, failed],
        [18, ok()],
      ],
      stable: [
        [4, failed],
        [26, ok()],
      ],
      want: CONTINUE,
    },
    {
      name: 'error rate past the objective, equal to stable',
      canary: [
        [2, failed],
        [18, ok()],
      ],
      stable: [
        [1, failed],
        [9, ok()],
      ],
      want: CONTINUE,
    },
    { name: 'error rate past, one sample short', canary: [[9, failed]], stable: [], want: CONTINUE },
    {
      name: 'error rate past, just enough samples, no stable answer',
      canary: [[10, failed]],
      stable: [],
      want: rollback('error_rate past the SLO err (<= 0.05): canary 1.000 over 10 requests, stable none over 0, in the last 1m'),
    },
    // fallback_success_rate (SLO fb: >= 0.9), the error rate kept under its objective by answers that needed no fallback
    {
      name: 'fallback success at the objective',
      canary: [
        [9, saved],
        [1, failed],
        [90, ok()],
      ],
      stable: [[100, ok()]],
      want: CONTINUE,
    },
    {
      name: 'fallback success past the objective and worse than stable',
      canary: [
        [8, saved],
        [2, failed],
        [90, ok()],
      ],
      stable: [
        [10, saved],
        [90, ok()],
      ],
      want: rollback(
        'fallback_success_rate past the SLO fb (>= 0.9): canary 0.800 over 10 requests that needed a fallback, stable 1.000 over 10, in the last 1m',
      ),
    },
    {
      name: 'fallback success past the objective but no worse than stable',
      canary: [
        [8, saved],
        [2, failed],
        [90, ok()],
      ],
      stable: [
        [7, saved],
        [3, failed],
        [90, ok()],
      ],
      want: CONTINUE,
    },
    {
      name: 'fallback success past, one sample short',
      canary: [
        [5, saved],
        [4, failed],
        [191, ok()],
      ],
      stable: [],
      want: CONTINUE,
    },
    // interactive_latency_p95_ms (SLO lat: < 300); p95 of 20 answers is the 19th smallest
    { name: 'p95 just under the objective', canary: timed(...Array(18).fill(10), 299, 5_000), stable: timed(...Array(20).fill(10)), want: CONTINUE },
    {
      name: 'p95 at the objective and worse than stable',
      canary: timed(...Array(18).fill(10), 300, 5_000),
      stable: timed(...Array(20).fill(10)),
      want: rollback('interactive_latency_p95_ms past the SLO lat (< 300): canary 300 ms over 20 interactive requests, stable 10 ms over 20, in the last 1m'),
    },
    { name: 'p95 past the objective but no worse than stable', canary: timed(...Array(20).fill(400)), stable: timed(...Array(20).fill(500)), want: CONTINUE },
    {
      name: 'p95 past, one interactive sample short (slow answers of other workloads do not count)',
      canary: [...timed(...Array(9).fill(400)), [20, ok(900, false)]],
      stable: timed(10),
      want: CONTINUE,
    },
    // Defaults: a plan without these SLOs
    {
      name: 'default error rate: 1%',
      limits: DEFAULTS,
      canary: [
        [1, failed],
        [99, ok()],
      ],
      stable: [],
      want: CONTINUE,
    },
    {
      name: 'default error rate: past 1%',
      limits: DEFAULTS,
      canary: [
        [2, failed],
        [98, ok()],
      ],
      stable: [[10, ok()]],
      want: rollback(
        'error_rate past the default objective (<= 0.01; the plan has no error_rate SLO): canary 0.020 over 100 requests, stable 0.000 over 10, in the last 1m',
      ),
    },
    {
      name: 'default fallback success: under 95%',
      limits: { ...DEFAULTS, errorRate: SLOS.errorRate },
      canary: [
        [18, saved],
        [1, failed],
        [81, ok()],
      ],
      stable: [],
      want: rollback(
        'fallback_success_rate past the default objective (>= 0.95; the plan has no fallback_success_rate SLO): canary 0.947 over 19 requests that needed a fallback, stable none over 0, in the last 1m',
      ),
    },
    {
      name: 'default latency: twice the stable p95',
      limits: DEFAULTS,
      canary: timed(...Array(10).fill(20)),
      stable: timed(...Array(10).fill(10)),
      want: CONTINUE,
    },
    {
      name: 'default latency: over twice the stable p95',
      limits: DEFAULTS,
      canary: timed(...Array(10).fill(21)),
      stable: timed(...Array(10).fill(10)),
      want: rollback(
        "interactive_latency_p95_ms over 2x the stable arm's (the plan has no interactive_latency_p95_ms SLO): canary 21 ms over 10 interactive requests, stable 10 ms over 10, in the last 1m",
      ),
    },
    {
      name: 'default latency: too few stable samples to compare',
      limits: DEFAULTS,
      canary: timed(...Array(10).fill(900)),
      stable: timed(...Array(9).fill(10)),
      want: CONTINUE,
    },
    // Order: the error rate is named first when several fail.
    {
      name: 'several SLOs past: the error rate is named',
      canary: [[10, failed]],
      stable: [[10, saved]],
      want: rollback('error_rate past the SLO err (<= 0.05): canary 1.000 over 10 requests, stable 0.000 over 10, in the last 1m'),
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      expect(judged(c.limits ?? SLOS, c.canary, c.stable, c.minSamples)).toEqual(c.want);
    });
});

describe('the limits read from the stable plan', () => {
  it("takes each judged SLO's tightest bound in the direction of harm, and the defaults without one", () => {
    expect(SLOS).toEqual({
      errorRate: { metric: 'error_rate', slo: 'err', bound: { op: '<=', value: 0.05 } },
      fallbackSuccess: { metric: 'fallback_success_rate', slo: 'fb', bound: { op: '>=', value: 0.9 } },
      interactiveLatency: { metric: 'interactive_latency_p95_ms', slo: 'lat', bound: { op: '<', value: 300 } },
    });
    expect(DEFAULTS).toEqual({
      errorRate: { metric: 'error_rate', slo: null, bound: { op: '<=', value: 0.01 } },
      fallbackSuccess: { metric: 'fallback_success_rate', slo: null, bound: { op: '>=', value: 0.95 } },
      interactiveLatency: null,
    });
    const several = canaryLimits(
      withSlos(
        target('loose', 'error_rate', [
          { op: '>=', value: 0 },
          { op: '<', value: 0.05 },
        ]),
        target('tight', 'error_rate', [{ op: '<=', value: 0.02 }]),
        target('same', 'error_rate', [{ op: '<', value: 0.02 }]),
        target('fb-a', 'fallback_success_rate', [{ op: '>', value: 0.9 }]),
        target('fb-b', 'fallback_success_rate', [
          { op: '>=', value: 0.99 },
          { op: '<=', value: 1 },
        ]),
        target('lat-only-low', 'interactive_latency_p95_ms', [{ op: '>', value: 1 }]),
      ),
    );
    expect(several.errorRate).toEqual({ metric: 'error_rate', slo: 'same', bound: { op: '<', value: 0.02 } });
    expect(several.fallbackSuccess).toEqual({ metric: 'fallback_success_rate', slo: 'fb-b', bound: { op: '>=', value: 0.99 } });
    // A latency SLO with only a lower bound says nothing about a slow canary.
    expect(several.interactiveLatency).toBeNull();
  });

  it('refuses settings that are not sensible numbers', () => {
    expect(() => new CanaryJudge({ limits: SLOS, now: () => 0, windowMs: 0 })).toThrow(
      'canary judge windowMs must be a whole number from 1 to 86400000, got 0',
    );
    expect(() => new CanaryJudge({ limits: SLOS, now: () => 0, minSamples: 1.5 })).toThrow(/minSamples must be a whole number/);
    expect(() => new CanaryJudge({ limits: SLOS, now: () => 0, minSamples: 30, maxSamples: 20 })).toThrow(/maxSamples must be a whole number from 30/);
  });
});

describe('the window', () => {
  it('drops answers older than the window: a verdict needs its samples inside it', () => {
    let now = 0;
    const j = new CanaryJudge({ limits: SLOS, now: () => now, windowMs: 1_000, minSamples: 10 });
    for (let i = 0; i < 5; i++) j.record('canary', failed);
    now = 500;
    for (let i = 0; i < 5; i++) j.record('canary', failed);
    now = 999;
    expect(j.verdict().action).toBe('rollback');
    // At 1000 the first five are a whole window old.
    now = 1_000;
    expect(j.verdict()).toEqual(CONTINUE);
    expect(j.snapshot().canary).toEqual({ samples: 5, errorRate: 1, neededFallback: 5, fallbackSuccessRate: 0, interactive: 5, p95Ms: 5 });
    now = 1_500;
    expect(j.snapshot()).toEqual({
      windowMs: 1_000,
      minSamples: 10,
      stable: { samples: 0, errorRate: null, neededFallback: 0, fallbackSuccessRate: null, interactive: 0, p95Ms: null },
      canary: { samples: 0, errorRate: null, neededFallback: 0, fallbackSuccessRate: null, interactive: 0, p95Ms: null },
    });
  });

  it('the snapshot rounds for people (rates to 4 places, p95 to 0.1 ms); the verdict reads the exact figures', () => {
    const j = new CanaryJudge({ limits: SLOS, now: () => 0, minSamples: 3 });
    j.record('canary', { ...failed, latencyMs: 12.34567 });
    j.record('canary', ok(1));
    j.record('canary', saved);
    expect(j.snapshot().canary).toEqual({ samples: 3, errorRate: 0.3333, neededFallback: 2, fallbackSuccessRate: 0.5, interactive: 3, p95Ms: 12.3 });
    expect(j.verdict()).toEqual(rollback('error_rate past the SLO err (<= 0.05): canary 0.333 over 3 requests, stable none over 0, in the last 1m'));
  });

  it("a stable arm's bad minute leaves the window too: then the canary is the worse one", () => {
    let now = 0;
    const j = new CanaryJudge({ limits: SLOS, now: () => now, windowMs: 60_000, minSamples: 10 });
    for (let i = 0; i < 10; i++) j.record('stable', failed);
    now = 30_000;
    for (let i = 0; i < 10; i++) j.record('canary', failed);
    expect(j.verdict()).toEqual(CONTINUE);
    now = 60_000;
    expect(j.verdict()).toEqual(rollback('error_rate past the SLO err (<= 0.05): canary 1.000 over 10 requests, stable none over 0, in the last 1m'));
  });

  // With 19 kept, the p95 is the largest: an error in the sorted copy's upper end shows at once.
  for (const cap of [700, 19])
    it(`keeps at most maxSamples answers per arm (${cap}), and its p95 is exact as answers come and go`, () => {
      const random = seededRandom(cap);
      const w = new ArmWindow(1_000, cap);
      const kept: Array<{ at: number; ms: number; interactive: boolean }> = [];
      const p95 = () => {
        const xs = kept.filter((k) => k.interactive).map((k) => k.ms);
        xs.sort((a, b) => a - b);
        return xs.length === 0 ? null : xs[Math.ceil(xs.length * 0.95) - 1];
      };
      let checks = 0;
      for (let t = 0; t < 3_000; t++) {
        // Bursts past the cap, quiet spells that empty the window, repeated latencies and distinct ones.
        const n = t % 1_000 < 400 ? 3 : t % 1_000 < 900 ? (random() < 0.2 ? 1 : 0) : 0;
        for (let i = 0; i < n; i++) {
          const o = ok(random() < 0.5 ? Math.floor(random() * 50) : random() * 1_000, random() < 0.7);
          w.add(t, o);
          kept.push({ at: t, ms: o.latencyMs, interactive: o.interactive });
        }
        while (kept.length > 0 && (kept[0]!.at <= t - 1_000 || kept.length > cap)) kept.shift();
        w.expire(t);
        expect(w.size).toBe(kept.length);
        expect(w.interactive).toBe(kept.filter((k) => k.interactive).length);
        expect(w.p95()).toBe(p95());
        if (kept.length === cap) checks++;
      }
      expect(checks).toBeGreaterThan(500);
    });
});
