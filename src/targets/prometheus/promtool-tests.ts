/**
 * promtool unit tests for the generated rules, built from the same plan
 * thresholds: for every alert, series just past the threshold fire it after
 * its `for`; the same series checked before `for` has elapsed, and series
 * just inside the threshold, do not.
 *
 * Timing: series are sampled every minute and rules evaluated every 30 s.
 * A rate needs two samples, so a rate-based condition holds from t = 1m; a
 * gauge-based one from t = 0.
 */
import { expandGoTemplate } from '../../escape/go-template.ts';
import { promqlString } from '../../escape/promql.ts';
import { assertNever } from '../../model/closed-sets.ts';
import { compareStrings } from '../../plan/defaults.ts';
import type { CompiledPlan, PlanAlert, PlanSloTarget, SloMetric } from '../../plan/types.ts';
import { metricName as n, VLLM_JOB } from '../../observability/metrics.ts';
import { ALERT_RATE_WINDOW_MS, num, promDuration, vllmEngineRefs } from '../../observability/promql.ts';
import { alertRules, COST_BASELINE, runbookUrl, type AlertRule } from '../../observability/rules.ts';

const STEP_MS = 60_000;
const EVALUATION_INTERVAL_MS = 30_000;
/** Requests (or tokens, or dollars) per minute in counter series: fine enough for thresholds to 1e-4. */
const PER_STEP = 100_000;
/** "Just past" and "just inside" are this far from the threshold, relatively. */
const MARGIN = 0.02;

interface Series {
  series: string;
  values: string;
}

interface AlertCheck {
  eval_time: string;
  alertname: string;
  exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
}

interface TestGroup {
  name: string;
  interval: string;
  input_series: Series[];
  alert_rule_test: AlertCheck[];
}

/** A scenario: series that hold a condition from `activeFromMs` on. */
interface Scenario {
  what: string;
  series: Series[];
  activeFromMs: number;
  /** Labels the alert carries from the series. */
  labels: Record<string, string>;
}

const selector = (name: string, labels: Record<string, string>) => {
  const keys = Object.keys(labels).sort(compareStrings);
  return keys.length === 0 ? name : `${name}{${keys.map((k) => `${k}=${promqlString(labels[k]!)}`).join(', ')}}`;
};

const steps = (untilMs: number) => Math.ceil(untilMs / STEP_MS) + 2;
const counter = (perStep: number, untilMs: number) => `0+${num(perStep)}x${steps(untilMs)}`;
const gauge = (value: number, untilMs: number) => `${num(value)}+0x${steps(untilMs)}`;

interface Context {
  plan: CompiledPlan;
  group: string;
  deployment: string;
  provider: string;
  fallbackTo: string;
  interactiveGroup: string;
  tenant: string;
}

function context(plan: CompiledPlan): Context {
  const groups = Object.keys(plan.groups).sort(compareStrings);
  const group = groups.find((g) => plan.groups[g]!.deployments.length > 0) ?? 'chat';
  const deployment = plan.groups[group]?.deployments[0] ?? 'deployment';
  const provider = plan.deployments[deployment]?.provider ?? 'provider';
  const interactiveGroup = groups.find((g) => plan.groups[g]!.workload === 'interactive') ?? group;
  return {
    plan,
    group,
    deployment,
    provider,
    fallbackTo: plan.groups[group]?.fallbacks[0] ?? group,
    interactiveGroup,
    tenant: Object.keys(plan.tenants).sort(compareStrings)[0] ?? 'tenant',
  };
}

/**
 * A share just past `t` on `side`: a relative margin, at least 0.0005 so a
 * threshold of 0 is still crossed; null when that leaves [0, 1] (an error
 * rate above 100% cannot be written as series, and an alert at 1 never fires).
 */
function shareBeside(t: number, side: 'above' | 'below'): number | null {
  const m = Math.max(t * MARGIN, 0.0005);
  const v = side === 'above' ? t + m : t - m;
  return v < 0 || v > 1 ? null : v;
}

/** Counter series for a share `ratio` of `PER_STEP` events labelled `hit`, the rest `miss`. */
function requestsWithErrorShare(c: Context, ratio: number, untilMs: number): Series[] {
  const errors = Math.round(ratio * PER_STEP);
  const base = { deployment: c.deployment, group: c.group, provider: c.provider };
  return [
    { series: selector(n('requests'), { ...base, outcome: 'error' }), values: counter(errors, untilMs) },
    { series: selector(n('requests'), { ...base, outcome: 'success' }), values: counter(PER_STEP - errors, untilMs) },
  ];
}

/** Cumulative buckets whose p95 lands just above or just below `thresholdMs`. */
function latencyHistogram(metric: string, labels: Record<string, string>, thresholdMs: number, side: 'above' | 'below', untilMs: number): Series[] {
  const t = thresholdMs / 1000;
  // 94% in (t/2, t] puts the 95th percentile in (t, 1.1t]: 1.0167t; 96% keeps it in (t/2, t]: 0.9948t.
  const share = side === 'above' ? 0.94 : 0.96;
  const buckets: [string, number][] = [
    [num(t / 2), 0],
    [num(t), share * PER_STEP],
    [num(t * 1.1), PER_STEP],
    ['+Inf', PER_STEP],
  ];
  return buckets.map(([le, count]) => ({ series: selector(`${metric}_bucket`, { ...labels, le }), values: counter(count, untilMs) }));
}

/** Series that make an SLO measure read just above or just below `value`; null when the measure cannot be driven there. */
function sloSeries(c: Context, metric: SloMetric, value: number, side: 'above' | 'below', untilMs: number): Series[] | null {
  const isRatio = !metric.endsWith('_ms');
  const share = shareBeside(value, side);
  if (isRatio && share === null) return null;
  // (a latency histogram needs buckets above zero: no request takes 0 ms or less)
  if (!isRatio && value <= 0) return null;
  const ratioValue = share ?? 0;
  switch (metric) {
    case 'error_rate':
      return requestsWithErrorShare(c, ratioValue, untilMs);
    case 'fallback_success_rate': {
      const ok = Math.round(ratioValue * PER_STEP);
      const base = { from_group: c.group, group: c.group, to_group: c.fallbackTo };
      return [
        { series: selector(n('fallbacks'), { ...base, outcome: 'success' }), values: counter(ok, untilMs) },
        { series: selector(n('fallbacks'), { ...base, outcome: 'failure' }), values: counter(PER_STEP - ok, untilMs) },
      ];
    }
    case 'kv_cache_hit_rate': {
      const e = vllmEngineRefs(c.plan)[0];
      const labels = { engine: '0', model_name: e?.model ?? 'model', pool: e?.pool ?? 'pool' };
      return [
        { series: selector(n('vllmPrefixCacheQueries'), labels), values: counter(PER_STEP, untilMs) },
        { series: selector(n('vllmPrefixCacheHits'), labels), values: counter(Math.round(ratioValue * PER_STEP), untilMs) },
      ];
    }
    case 'cost_reduction_vs_baseline': {
      const labels = { group: c.group, tenant: c.tenant };
      return [
        { series: selector(n('baselineCost'), labels), values: counter(PER_STEP, untilMs) },
        { series: selector(n('cost'), { ...labels, provider: c.provider }), values: counter(Math.round((1 - ratioValue) * PER_STEP), untilMs) },
      ];
    }
    case 'vllm_batch_utilization': {
      const e = vllmEngineRefs(c.plan)[0];
      if (!e) return null;
      return [
        {
          series: selector(n('vllmRunning'), { engine: '0', model_name: e.model, pool: e.pool }),
          values: gauge(ratioValue * e.maxNumSeqs, untilMs),
        },
      ];
    }
    case 'router_overhead_p95_ms':
      return latencyHistogram(n('routingOverhead'), { group: c.group }, value, side, untilMs);
    case 'interactive_latency_p95_ms':
      return latencyHistogram(n('requestDuration'), { group: c.interactiveGroup, workload: 'interactive' }, value, side, untilMs);
    default:
      return assertNever(metric);
  }
}

/** [past, inside] scenario pairs for a critical alert. */
function alertScenarios(c: Context, a: PlanAlert, untilMs: number): { past: Scenario; inside: Scenario }[] {
  const t = a.threshold;
  switch (a.kind) {
    case 'router_error_rate': {
      const above = t === null ? null : shareBeside(t, 'above');
      const below = t === null ? null : shareBeside(t, 'below');
      if (above === null || below === null) return [];
      return [
        {
          past: { what: `error rate ${num(above)}`, series: requestsWithErrorShare(c, above, untilMs), activeFromMs: STEP_MS, labels: {} },
          inside: { what: `error rate ${num(below)}`, series: requestsWithErrorShare(c, below, untilMs), activeFromMs: STEP_MS, labels: {} },
        },
      ];
    }
    case 'vllm_engine_down': {
      const e = vllmEngineRefs(c.plan)[0];
      const labels = { instance: `${e?.pool ?? 'pool'}:8000`, job: VLLM_JOB, pool: e?.pool ?? 'pool' };
      return [
        {
          past: { what: 'engine down', series: [{ series: selector(n('up'), labels), values: gauge(0, untilMs) }], activeFromMs: 0, labels },
          inside: { what: 'engine up', series: [{ series: selector(n('up'), labels), values: gauge(1, untilMs) }], activeFromMs: 0, labels },
        },
      ];
    }
    case 'batch_queue_stuck': {
      const profile = Object.keys(c.plan.batchProfiles).sort(compareStrings)[0] ?? 'profile';
      const seconds = a.forMs / 1000;
      const labels = { profile };
      const s = selector(n('batchQueueOldestPending'), labels);
      return [
        {
          // The age grows 60 s per minute from 0: it passes the threshold one step after it equals it.
          past: { what: 'oldest request waiting ever longer', series: [{ series: s, values: counter(60, untilMs) }], activeFromMs: a.forMs + STEP_MS, labels },
          inside: {
            what: `oldest request waiting ${num(seconds - 60)} s`,
            series: [{ series: s, values: gauge(seconds - 60, untilMs) }],
            activeFromMs: a.forMs + STEP_MS,
            labels,
          },
        },
      ];
    }
    case 'cost_anomaly': {
      if (t === null) return [];
      // The baseline record is given as an input series: deriving it from a week of history would
      // make promtool evaluate every rule over a simulated week.
      const normalPerStep = 100;
      const at = (factor: number): Series[] => [
        { series: selector(n('cost'), { group: c.group, provider: c.provider, tenant: c.tenant }), values: counter(normalPerStep * (1 + t) * factor, untilMs) },
        { series: COST_BASELINE, values: gauge(normalPerStep * (3_600_000 / STEP_MS), untilMs) },
      ];
      // An absolute rate of a counter that starts at 0 reads low until its window is full of samples.
      return [
        {
          past: { what: `spend ${num((1 + t) * (1 + MARGIN))}x the baseline`, series: at(1 + MARGIN), activeFromMs: ALERT_RATE_WINDOW_MS, labels: {} },
          inside: { what: `spend ${num((1 + t) * (1 - MARGIN))}x the baseline`, series: at(1 - MARGIN), activeFromMs: ALERT_RATE_WINDOW_MS, labels: {} },
        },
      ];
    }
    case 'circuit_breaker_open': {
      const labels = { deployment: c.deployment };
      const state = (v: number) => [{ series: selector(n('breakerState'), labels), values: gauge(v, untilMs) }];
      const out = [
        {
          past: { what: 'breaker open', series: state(1), activeFromMs: 0, labels },
          inside: { what: 'breaker half-open', series: state(2), activeFromMs: 0, labels },
        },
      ];
      const above = t === null ? null : shareBeside(t, 'above');
      const below = t === null ? null : shareBeside(t, 'below');
      if (above !== null && below !== null)
        out.push({
          past: { what: `deployment error rate ${num(above)}`, series: requestsWithErrorShare(c, above, untilMs), activeFromMs: STEP_MS, labels },
          inside: { what: `deployment error rate ${num(below)}`, series: requestsWithErrorShare(c, below, untilMs), activeFromMs: STEP_MS, labels },
        });
      return out;
    }
    case 'router_state_unavailable': {
      const labels = { instance: 'switchyard-0:9464', store: c.plan.routerState.kind };
      const up = (v: number) => [{ series: selector(n('stateStoreUp'), labels), values: gauge(v, untilMs) }];
      return [
        {
          past: { what: 'state store down', series: up(0), activeFromMs: 0, labels },
          inside: { what: 'state store up', series: up(1), activeFromMs: 0, labels },
        },
      ];
    }
    default:
      return assertNever(a.kind);
  }
}

function sloScenarios(c: Context, t: PlanSloTarget, untilMs: number): { past: Scenario; inside: Scenario }[] {
  const out: { past: Scenario; inside: Scenario }[] = [];
  for (const b of t.objective) {
    const pastSide = b.op === '<' || b.op === '<=' ? 'above' : 'below';
    const insideSide = pastSide === 'above' ? 'below' : 'above';
    const past = sloSeries(c, t.metric, b.value, pastSide, untilMs);
    const inside = sloSeries(c, t.metric, b.value, insideSide, untilMs);
    if (!past || !inside) continue;
    out.push({
      past: { what: `${t.metric} just ${pastSide} ${num(b.value)}`, series: past, activeFromMs: STEP_MS, labels: {} },
      inside: { what: `${t.metric} just ${insideSide} ${num(b.value)}`, series: inside, activeFromMs: STEP_MS, labels: {} },
    });
  }
  return out;
}

const expected = (r: AlertRule, labels: Record<string, string>, base: string | undefined) => ({
  exp_labels: { ...labels, severity: r.severity },
  exp_annotations: {
    description: expandGoTemplate(r.description, labels),
    runbook_url: runbookUrl(r, base),
    summary: expandGoTemplate(r.summary, labels),
  },
});

/** The promtool test file for `rulesFile` (a path relative to the test file). */
export function promtoolTests(plan: CompiledPlan, rulesFile: string, opts: { runbookBase?: string } = {}): Record<string, unknown> {
  const c = context(plan);
  const tests: TestGroup[] = [];
  for (const r of alertRules(plan)) {
    // SLO alerts read a window-long record: check once the window is full.
    const settle = r.source.kind === 'slo' ? r.source.target.windowMs : 0;
    const untilMs = settle + (r.source.kind === 'alert' ? r.source.alert.forMs : r.forMs) + 4 * STEP_MS;
    const pairs = r.source.kind === 'alert' ? alertScenarios(c, r.source.alert, untilMs) : sloScenarios(c, r.source.target, untilMs);
    for (const { past, inside } of pairs) {
      const fireAt = past.activeFromMs + settle + r.forMs + STEP_MS;
      const checks: AlertCheck[] = [{ eval_time: promDuration(fireAt), alertname: r.alert, exp_alerts: [expected(r, past.labels, opts.runbookBase)] }];
      if (r.forMs > 0) checks.unshift({ eval_time: promDuration(past.activeFromMs + r.forMs - EVALUATION_INTERVAL_MS), alertname: r.alert, exp_alerts: [] });
      else if (r.source.kind === 'alert') checks.unshift({ eval_time: promDuration(past.activeFromMs - STEP_MS), alertname: r.alert, exp_alerts: [] });
      tests.push({ name: `${r.alert} fires: ${past.what}`, interval: promDuration(STEP_MS), input_series: past.series, alert_rule_test: checks });
      tests.push({
        name: `${r.alert} stays quiet: ${inside.what}`,
        interval: promDuration(STEP_MS),
        input_series: inside.series,
        alert_rule_test: [{ eval_time: promDuration(fireAt), alertname: r.alert, exp_alerts: [] }],
      });
    }
  }
  return { rule_files: [rulesFile], evaluation_interval: promDuration(EVALUATION_INTERVAL_MS), tests };
}
