/**
 * The rules the plan asks for, as data: recording rules for every SLO
 * target and for the signals the critical alerts read, and one alert per
 * plan alert and per SLO target. The Prometheus emitter renders them, the
 * promtool tests exercise them, Grafana draws them and the runbooks explain
 * them; every number comes from the plan.
 */
import { goTemplateText } from '../escape/go-template.ts';
import { assertNever } from '../model/closed-sets.ts';
import { compareStrings } from '../plan/defaults.ts';
import type { CompiledPlan, PlanAlert, PlanSloTarget } from '../plan/types.ts';
import { VLLM_JOB, metricName as n, usesEnterpriseLitellm } from './metrics.ts';
import {
  ALERT_RATE_WINDOW_MS,
  BREACH,
  boundText,
  COST_BASELINE_OFFSET,
  costBaselinePerHour,
  costPerHour,
  deploymentErrorRatio,
  errorRatio,
  num,
  promDuration,
  SLO_MEASURES,
  sloRecordName,
  VLLM_MAX_NUM_SEQS,
  vllmEngineRefs,
  type SloUnit,
} from './promql.ts';

export type RuleUnit = SloUnit | 'seconds' | 'usd_per_hour' | 'count';

export interface Bound {
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

export interface RecordingRule {
  group: 'switchyard-signals' | 'switchyard-slo';
  record: string;
  expr: string;
  labels?: Record<string, string>;
  title: string;
  unit: RuleUnit;
  /** Bounds that hold when all is well (SLO objective or alert threshold), for dashboard lines. */
  good?: Bound[];
  /** SLO target or plan alert the rule serves. */
  for: string;
}

export const RUNBOOKS = {
  routerOutage: 'docs/runbooks/router-outage.md',
  batchFailure: 'docs/runbooks/batch-failure.md',
} as const;
export type RunbookFile = (typeof RUNBOOKS)[keyof typeof RUNBOOKS];

export interface AlertRule {
  alert: string;
  expr: string;
  forMs: number;
  severity: 'critical' | 'warning' | 'info';
  /** Templates with `{{ $labels.x }}` only (no `$value`), so promtool can check them exactly. */
  summary: string;
  description: string;
  runbook: { file: RunbookFile; anchor: string };
  /** The labels the alert carries beyond the rule's own: for docs and tests. */
  seriesLabels: string[];
  source: { kind: 'alert'; alert: PlanAlert } | { kind: 'slo'; target: PlanSloTarget };
  /** Human threshold, e.g. `> 1%`. */
  thresholdText: string;
  /** Record or metric the alert reads, for the runbook. */
  reads: string;
  /** True when the expression falls back to LiteLLM Enterprise metrics. */
  litellmFallback: boolean;
}

/** Prefix of the runbook URL: relative to the published generated/ directory (see README). */
const RUNBOOK_BASE = '';

/** `router-error-rate-high` -> `RouterErrorRateHigh`. */
const pascal = (id: string) =>
  id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');

export const alertNameOf = (a: PlanAlert) => `Switchyard${pascal(a.id)}`;
export const sloAlertNameOf = (t: PlanSloTarget) => `SwitchyardSlo${pascal(t.id)}`;

/** A heading that is only the alert name has the lower-cased name as its GitHub anchor. */
const anchorOf = (alertName: string) => alertName.toLowerCase();

export function runbookUrl(rule: Pick<AlertRule, 'runbook'>, base = RUNBOOK_BASE): string {
  return `${base}${rule.runbook.file}#${rule.runbook.anchor}`;
}

const ERROR_RATIO_5M = `switchyard:error_ratio:rate${promDuration(ALERT_RATE_WINDOW_MS)}`;
const DEPLOYMENT_ERROR_RATIO_5M = `switchyard:deployment_error_ratio:rate${promDuration(ALERT_RATE_WINDOW_MS)}`;
const COST_PER_HOUR = `switchyard:cost_usd_per_hour:rate${promDuration(ALERT_RATE_WINDOW_MS)}`;
export const COST_BASELINE = `switchyard:cost_usd_per_hour:baseline_${COST_BASELINE_OFFSET}_ago`;

const alertsOfKind = (plan: CompiledPlan, kind: string) => sortedAlerts(plan).filter((a) => a.kind === kind);

export function sortedAlerts(plan: CompiledPlan): PlanAlert[] {
  return Object.keys(plan.slos.alerts)
    .sort(compareStrings)
    .map((id) => plan.slos.alerts[id]!);
}

export function sortedTargets(plan: CompiledPlan): PlanSloTarget[] {
  return Object.keys(plan.slos.targets)
    .sort(compareStrings)
    .map((id) => plan.slos.targets[id]!)
    .filter((t) => SLO_MEASURES[t.metric] !== undefined);
}

/** Recording rules: alert signals first (the SLO group reads the static vLLM series), then one per SLO target. */
export function recordingRules(plan: CompiledPlan): RecordingRule[] {
  const w = promDuration(ALERT_RATE_WINDOW_MS);
  const rules: RecordingRule[] = [];
  const errAlert = alertsOfKind(plan, 'router_error_rate').find((a) => a.threshold !== null);
  rules.push({
    group: 'switchyard-signals',
    record: ERROR_RATIO_5M,
    expr: errorRatio(w),
    title: `Router error rate (${w})`,
    unit: 'ratio',
    ...(errAlert ? { good: [{ op: '<=', value: errAlert.threshold! }] } : {}),
    for: errAlert?.id ?? 'router_error_rate',
  });
  const breaker = alertsOfKind(plan, 'circuit_breaker_open').find((a) => a.threshold !== null);
  rules.push({
    group: 'switchyard-signals',
    record: DEPLOYMENT_ERROR_RATIO_5M,
    expr: deploymentErrorRatio(w),
    title: `Error rate per deployment (${w})`,
    unit: 'ratio',
    ...(breaker ? { good: [{ op: '<=', value: breaker.threshold! }] } : {}),
    for: breaker?.id ?? 'circuit_breaker_open',
  });
  rules.push({
    group: 'switchyard-signals',
    record: COST_PER_HOUR,
    expr: costPerHour(w),
    title: `Spend per hour (${w} rate)`,
    unit: 'usd_per_hour',
    for: 'cost_anomaly',
  });
  rules.push({
    group: 'switchyard-signals',
    record: COST_BASELINE,
    expr: costBaselinePerHour(),
    title: `Spend per hour, same hour ${COST_BASELINE_OFFSET} ago (cost baseline)`,
    unit: 'usd_per_hour',
    for: 'cost_anomaly',
  });
  for (const e of vllmEngineRefs(plan)) {
    rules.push({
      group: 'switchyard-signals',
      record: VLLM_MAX_NUM_SEQS,
      expr: `vector(${e.maxNumSeqs})`,
      labels: { model_name: e.model, pool: e.pool },
      title: 'vLLM max-num-seqs per engine (from the plan)',
      unit: 'count',
      for: 'vllm_batch_utilization',
    });
  }
  const seen = new Set<string>();
  for (const t of sortedTargets(plan)) {
    const record = sloRecordName(t);
    if (seen.has(record)) continue;
    seen.add(record);
    const m = SLO_MEASURES[t.metric]!;
    rules.push({
      group: 'switchyard-slo',
      record,
      expr: m.expr(plan, promDuration(t.windowMs)),
      title: `${m.title} (${promDuration(t.windowMs)})`,
      unit: m.unit,
      good: t.objective.map((b) => ({ op: b.op, value: b.value })),
      for: t.id,
    });
  }
  return rules;
}

const percent = (x: number) => `${num(x * 100)}%`;

function criticalAlert(plan: CompiledPlan, a: PlanAlert): AlertRule | null {
  const name = alertNameOf(a);
  const base = {
    alert: name,
    forMs: a.forMs,
    severity: a.severity,
    source: { kind: 'alert' as const, alert: a },
    runbook: { file: RUNBOOKS.routerOutage as RunbookFile, anchor: anchorOf(name) },
  };
  const forText = promDuration(a.forMs);
  const w = promDuration(ALERT_RATE_WINDOW_MS);
  switch (a.kind) {
    case 'router_error_rate': {
      if (a.threshold === null) return null;
      const expr = `${ERROR_RATIO_5M} > ${num(a.threshold)}`;
      return {
        ...base,
        expr,
        summary: `Router error rate above ${percent(a.threshold)} for ${forText}`,
        description:
          `More than ${percent(a.threshold)} of client requests failed (rate over ${w}) for ${forText}. ` +
          `Read from ${n('requests')} or, without the Switchyard gateway, LiteLLM's ${n('litellmFailedRequests')} (LiteLLM Enterprise only).`,
        seriesLabels: [],
        thresholdText: `> ${percent(a.threshold)}`,
        reads: ERROR_RATIO_5M,
        litellmFallback: true,
      };
    }
    case 'vllm_engine_down':
      return {
        ...base,
        expr: `${n('up')}{job="${VLLM_JOB}"} == 0`,
        summary: 'vLLM engine {{ $labels.instance }} (pool {{ $labels.pool }}) down',
        description: `Prometheus could not scrape the vLLM engine {{ $labels.instance }} of pool {{ $labels.pool }} for ${forText}; its traffic goes down the fallback chain.`,
        seriesLabels: ['job', 'instance', 'pool'],
        thresholdText: 'up == 0',
        reads: `up{job="${VLLM_JOB}"}`,
        litellmFallback: false,
      };
    case 'batch_queue_stuck': {
      // The metric is itself the waiting time: a restarted runtime that reports the true age fires at once.
      const seconds = a.forMs / 1000;
      return {
        ...base,
        forMs: 0,
        runbook: { file: RUNBOOKS.batchFailure, anchor: anchorOf(name) },
        expr: `max by (profile) (${n('batchQueueOldestPending')}) > ${num(seconds)}`,
        summary: `Batch queue {{ $labels.profile }} stuck for more than ${forText}`,
        description: `The oldest request in the batch queue of profile {{ $labels.profile }} has waited more than ${forText} without being submitted.`,
        seriesLabels: ['profile'],
        thresholdText: `oldest pending > ${forText}`,
        reads: n('batchQueueOldestPending'),
        litellmFallback: false,
      };
    }
    case 'cost_anomaly': {
      if (a.threshold === null) return null;
      const factor = num(1 + a.threshold);
      return {
        ...base,
        expr: `${COST_PER_HOUR} > ${factor} * ${COST_BASELINE}`,
        summary: `Spend more than ${percent(a.threshold)} above baseline for ${forText}`,
        description:
          `Spend per hour (rate over ${w}) has been more than ${factor} times the same hour ${COST_BASELINE_OFFSET} earlier for ${forText}. ` +
          `Read from ${n('cost')} or, without the Switchyard gateway, LiteLLM's ${n('litellmSpend')} (LiteLLM Enterprise only).`,
        seriesLabels: [],
        thresholdText: `> ${factor} x baseline`,
        reads: `${COST_PER_HOUR}, ${COST_BASELINE}`,
        litellmFallback: true,
      };
    }
    case 'circuit_breaker_open': {
      const open = `max by (deployment) (${n('breakerState')}) == 1`;
      const expr = a.threshold === null ? open : `${open}\nor\n${DEPLOYMENT_ERROR_RATIO_5M} > ${num(a.threshold)}`;
      return {
        ...base,
        expr,
        summary: 'Circuit breaker open for deployment {{ $labels.deployment }}',
        description:
          `The circuit breaker of deployment {{ $labels.deployment }} is open` +
          (a.threshold === null ? '' : `, or its error rate (over ${w}) is above the ${percent(a.threshold)} that trips breakers,`) +
          ` for ${forText}; requests skip it and take the fallback chain.`,
        seriesLabels: ['deployment'],
        thresholdText: a.threshold === null ? 'state == 1 (open)' : `state == 1 (open) or error rate > ${percent(a.threshold)}`,
        reads: a.threshold === null ? n('breakerState') : `${n('breakerState')}, ${DEPLOYMENT_ERROR_RATIO_5M}`,
        litellmFallback: false,
      };
    }
    case 'router_state_unavailable':
      return {
        ...base,
        expr: `${n('stateStoreUp')} == 0`,
        summary: 'Router state store ({{ $labels.store }}) unavailable from {{ $labels.instance }}',
        description: `Router instance {{ $labels.instance }} has not reached its ${plan.routerState.kind} state store for ${forText}; breaker and usage state are no longer shared between routers.`,
        seriesLabels: ['store', 'instance'],
        thresholdText: 'up == 0',
        reads: n('stateStoreUp'),
        litellmFallback: false,
      };
    default:
      return assertNever(a.kind);
  }
}

function sloAlert(plan: CompiledPlan, t: PlanSloTarget): AlertRule {
  const m = SLO_MEASURES[t.metric]!;
  const record = sloRecordName(t);
  const name = sloAlertNameOf(t);
  const breach = t.objective.map((b) => `${record} ${BREACH[b.op]} ${num(b.value)}`).join('\nor\n');
  const objective = t.objective.map((b) => boundText(b.op, b.value, m.unit)).join(' and ');
  const window = promDuration(t.windowMs);
  return {
    alert: name,
    expr: breach,
    forMs: 0,
    severity: 'warning',
    summary: `SLO ${t.id} missed: ${m.title.toLowerCase()} not ${objective} over ${window}`,
    description:
      // Annotations are Go templates: the policy's words are written so that they print as they are.
      (t.description ? `${goTemplateText(t.description)} ` : '') +
      `${m.title} over the last ${window} is outside its objective (${objective}); the ${window} window is the debounce, so the alert fires at once.` +
      (usesEnterpriseLitellm(m.expr(plan, window))
        ? ' Without the Switchyard gateway the measure falls back to LiteLLM metrics (LiteLLM Enterprise only).'
        : ''),
    runbook: { file: RUNBOOKS.routerOutage, anchor: anchorOf(name) },
    seriesLabels: [],
    source: { kind: 'slo', target: t },
    thresholdText: objective,
    reads: record,
    litellmFallback: usesEnterpriseLitellm(m.expr(plan, window)),
  };
}

/** Critical alerts of the plan (sorted by id), then one SLO alert per target. */
export function alertRules(plan: CompiledPlan): AlertRule[] {
  const out: AlertRule[] = [];
  for (const a of sortedAlerts(plan)) {
    const r = criticalAlert(plan, a);
    if (r) out.push(r);
  }
  for (const t of sortedTargets(plan)) out.push(sloAlert(plan, t));
  return out;
}

/** Plan alerts no rule could be made for (a rate alert without a threshold, an unknown kind). */
export function skippedAlerts(plan: CompiledPlan): PlanAlert[] {
  return sortedAlerts(plan).filter((a) => criticalAlert(plan, a) === null);
}
