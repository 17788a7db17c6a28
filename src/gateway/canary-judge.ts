/**
 * The canary judge: compares the canary arm with the stable arm over a
 * sliding time window and says when the canary must be rolled back. Three
 * SLOs of the STABLE plan are judged, each once the canary has `minSamples`
 * answers of its kind in the window:
 * - error_rate: the share of answers that failed (5xx, or a stream that broke);
 * - fallback_success_rate: of the answers whose requested group did not
 *   serve them, the share a fallback group served (as `simulate` measures it);
 * - interactive_latency_p95_ms: the p95 end-to-end latency of requests to
 *   groups whose workload is interactive (as the SLO's PromQL reads
 *   switchyard_request_duration_seconds{workload="interactive"}).
 * The canary is rolled back when its figure is past the SLO's objective AND
 * worse than the stable arm's over the same window (a stable arm with no
 * answer of that kind counts as meeting it): a regression both plans share
 * is the traffic's, not the canary's. Without such an SLO in the plan the
 * defaults are an error rate of at most 1%, a fallback success rate of at
 * least 95%, and, for latency, a canary p95 more than twice the stable arm's
 * (with `minSamples` interactive answers on both arms). Only bounds in the
 * direction of harm are read (an error rate's upper bound, a success rate's
 * lower bound); of several, the tightest.
 * Pure: the time comes from the injected `now`; the gateway feeds outcomes
 * and acts on the verdict.
 */
import { promDuration } from '../observability/promql.ts';
import { holds } from '../observability/readiness.ts';
import type { Bound } from '../observability/rules.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { ArmWindow, type CanaryOutcome } from './canary-window.ts';

export type { CanaryOutcome } from './canary-window.ts';

export type JudgedMetric = 'error_rate' | 'fallback_success_rate' | 'interactive_latency_p95_ms';

/** What the canary is held to for one SLO. */
export interface SloLimit {
  metric: JudgedMetric;
  /** The stable plan's SLO target id, or null for the default objective. */
  slo: string | null;
  bound: Bound;
}

export interface CanaryLimits {
  errorRate: SloLimit;
  fallbackSuccess: SloLimit;
  /** Null when the plan has no latency SLO: the canary's p95 is then held to DEFAULT_LATENCY_RATIO times the stable arm's. */
  interactiveLatency: SloLimit | null;
}

const DEFAULT_ERROR_RATE: Bound = { op: '<=', value: 0.01 };
const DEFAULT_FALLBACK_SUCCESS: Bound = { op: '>=', value: 0.95 };
const DEFAULT_LATENCY_RATIO = 2;
export const DEFAULT_WINDOW_MS = 60_000;
export const DEFAULT_MIN_SAMPLES = 20;
/** Answers kept per arm (25 bytes each: time, latency, flags, and the sorted copy). */
const DEFAULT_MAX_SAMPLES = 10_000;

const upper = (b: Bound) => b.op === '<' || b.op === '<=';

/** Of two bounds in the same direction, the one fewer values meet. */
function tighter(a: Bound, b: Bound): boolean {
  if (a.value !== b.value) return upper(a) ? a.value < b.value : a.value > b.value;
  return a.op === '<' || a.op === '>';
}

/** The tightest bound in the direction of harm of the plan's `metric` SLOs, with its target's id; null without one. */
function planLimit(plan: CompiledPlan, metric: JudgedMetric, harmIsHigh: boolean): SloLimit | null {
  let best: SloLimit | null = null;
  for (const id of Object.keys(plan.slos.targets).sort()) {
    const t = plan.slos.targets[id]!;
    if (t.metric !== metric) continue;
    for (const b of t.objective)
      if (upper(b) === harmIsHigh && (best === null || tighter(b, best.bound))) best = { metric, slo: t.id, bound: { op: b.op, value: b.value } };
  }
  return best;
}

/** The limits a canary is judged by: the stable plan's SLOs, else the defaults. */
export function canaryLimits(plan: CompiledPlan): CanaryLimits {
  return {
    errorRate: planLimit(plan, 'error_rate', true) ?? { metric: 'error_rate', slo: null, bound: DEFAULT_ERROR_RATE },
    fallbackSuccess: planLimit(plan, 'fallback_success_rate', false) ?? { metric: 'fallback_success_rate', slo: null, bound: DEFAULT_FALLBACK_SUCCESS },
    interactiveLatency: planLimit(plan, 'interactive_latency_p95_ms', true),
  };
}

/** How a gateway judges its canaries (serve --canary-window, --canary-min-samples). */
export interface JudgeSettings {
  /** The sliding window, ms. Default 60 s. */
  windowMs?: number;
  /** Canary answers of a kind (all, needing a fallback, interactive) needed before that SLO is judged. Default 20. */
  minSamples?: number;
  /** Answers kept per arm (bounds memory). Default 10,000. */
  maxSamples?: number;
}

export interface JudgeOptions extends JudgeSettings {
  limits: CanaryLimits;
  /** Epoch ms (or any monotonic ms): the gateway's clock. */
  now: () => number;
}

export type Verdict = { action: 'continue' } | { action: 'rollback'; reason: string };

export interface ArmFigures {
  samples: number;
  errorRate: number | null;
  neededFallback: number;
  fallbackSuccessRate: number | null;
  interactive: number;
  p95Ms: number | null;
}

export interface JudgeSnapshot {
  windowMs: number;
  minSamples: number;
  stable: ArmFigures;
  canary: ArmFigures;
}

/** Throws on a setting that is not a sensible number (a flag is checked before it gets here; this guards the library). */
function checked(name: string, v: number | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`canary judge ${name} must be a whole number from ${min} to ${max}, got ${v}`);
  return v;
}

const ratio = (num: number, den: number): number | null => (den === 0 ? null : num / den);

interface Side {
  value: number | null;
  n: number;
}

export class CanaryJudge {
  readonly windowMs: number;
  readonly minSamples: number;
  private readonly stable: ArmWindow;
  private readonly canary: ArmWindow;
  private readonly now: () => number;

  constructor(private readonly o: JudgeOptions) {
    this.windowMs = checked('windowMs', o.windowMs, DEFAULT_WINDOW_MS, 1, 86_400_000);
    this.minSamples = checked('minSamples', o.minSamples, DEFAULT_MIN_SAMPLES, 1, 1_000_000);
    const maxSamples = checked('maxSamples', o.maxSamples, DEFAULT_MAX_SAMPLES, this.minSamples, 10_000_000);
    this.stable = new ArmWindow(this.windowMs, maxSamples);
    this.canary = new ArmWindow(this.windowMs, maxSamples);
    this.now = o.now;
  }

  record(arm: 'stable' | 'canary', outcome: CanaryOutcome): void {
    (arm === 'canary' ? this.canary : this.stable).add(this.now(), outcome);
  }

  snapshot(): JudgeSnapshot {
    this.expire();
    // Rounded for people (/readyz, the rollback log line); the verdict reads the exact figures.
    const round = (v: number | null, places: number) => (v === null ? null : Math.round(v * 10 ** places) / 10 ** places);
    const view = (a: ArmWindow): ArmFigures => ({
      samples: a.size,
      errorRate: round(ratio(a.failed, a.size), 4),
      neededFallback: a.neededFallback,
      fallbackSuccessRate: round(ratio(a.savedByFallback, a.neededFallback), 4),
      interactive: a.interactive,
      p95Ms: round(a.p95(), 1),
    });
    return { windowMs: this.windowMs, minSamples: this.minSamples, stable: view(this.stable), canary: view(this.canary) };
  }

  /** The first SLO (error rate, fallback success, latency) the canary fails, if any. */
  verdict(): Verdict {
    this.expire();
    const { limits } = this.o;
    const c = this.canary;
    const s = this.stable;
    const reason =
      this.judge(limits.errorRate, { value: ratio(c.failed, c.size), n: c.size }, { value: ratio(s.failed, s.size), n: s.size }, 'requests') ??
      this.judge(
        limits.fallbackSuccess,
        { value: ratio(c.savedByFallback, c.neededFallback), n: c.neededFallback },
        { value: ratio(s.savedByFallback, s.neededFallback), n: s.neededFallback },
        'requests that needed a fallback',
      ) ??
      this.judgeLatency(limits.interactiveLatency, { value: c.p95(), n: c.interactive }, { value: s.p95(), n: s.interactive });
    return reason === null ? { action: 'continue' } : { action: 'rollback', reason };
  }

  private expire(): void {
    const now = this.now();
    this.stable.expire(now);
    this.canary.expire(now);
  }

  private judge(limit: SloLimit, c: Side, s: Side, what: string): string | null {
    if (c.n < this.minSamples || c.value === null) return null;
    const past = !holds(c.value, limit.bound);
    const worse = s.value === null || (upper(limit.bound) ? c.value > s.value : c.value < s.value);
    if (!past || !worse) return null;
    const objective = `${limit.bound.op} ${limit.bound.value}`;
    const which = limit.slo === null ? `the default objective (${objective}; the plan has no ${limit.metric} SLO)` : `the SLO ${limit.slo} (${objective})`;
    return `${limit.metric} past ${which}: ${this.figures(limit.metric, c, s, what)}`;
  }

  private judgeLatency(limit: SloLimit | null, c: Side, s: Side): string | null {
    if (limit !== null) return this.judge(limit, c, s, 'interactive requests');
    if (c.n < this.minSamples || s.n < this.minSamples || c.value === null || s.value === null) return null;
    if (!(c.value > DEFAULT_LATENCY_RATIO * s.value)) return null;
    return `interactive_latency_p95_ms over ${DEFAULT_LATENCY_RATIO}x the stable arm's (the plan has no interactive_latency_p95_ms SLO): ${this.figures('interactive_latency_p95_ms', c, s, 'interactive requests')}`;
  }

  private figures(metric: JudgedMetric, c: Side, s: Side, what: string): string {
    const f = (v: number | null) => (v === null ? 'none' : metric === 'interactive_latency_p95_ms' ? `${Math.round(v)} ms` : v.toFixed(3));
    return `canary ${f(c.value)} over ${c.n} ${what}, stable ${f(s.value)} over ${s.n}, in the last ${promDuration(this.windowMs)}`;
  }
}
