/**
 * Grafana: `grafana/routing.json`, one dashboard with a panel per recording
 * rule (SLO panels carry their objective as threshold lines) and panels for
 * the raw health signals the critical alerts read. The datasource is a
 * dashboard variable, DS_PROMETHEUS, so the same file imports through the
 * UI or through provisioning.
 */
import { stableStringify } from '../plan/canonical-json.ts';
import type { Artifact, CompiledPlan } from '../plan/types.ts';
import { METRICS, VLLM_JOB } from '../observability/metrics.ts';
import { num, promDuration } from '../observability/promql.ts';
import { alertRules, recordingRules, type Bound, type RecordingRule, type RuleUnit } from '../observability/rules.ts';
import { DASHBOARD_PATH, DASHBOARD_UID } from './paths.ts';
import type { Target } from './target.ts';

/** The schema version of the dashboard JSON model this file is written against (Grafana 10.x / 11.x). */
const SCHEMA_VERSION = 39;
const DATASOURCE = { type: 'prometheus', uid: '${DS_PROMETHEUS}' } as const;

interface Step {
  color: string;
  value: number | null;
}

/** Threshold steps for "good" bounds: green where they hold, red elsewhere. */
export function thresholdSteps(good: Bound[]): Step[] {
  const lower = good.filter((b) => b.op === '>' || b.op === '>=').map((b) => b.value);
  const upper = good.filter((b) => b.op === '<' || b.op === '<=').map((b) => b.value);
  const lo = lower.length ? Math.max(...lower) : null;
  const hi = upper.length ? Math.min(...upper) : null;
  const steps: Step[] = [{ color: lo === null ? 'green' : 'red', value: null }];
  if (lo !== null) steps.push({ color: 'green', value: lo });
  if (hi !== null) steps.push({ color: 'red', value: hi });
  return steps;
}

const UNIT: Record<RuleUnit, string> = { ms: 'ms', ratio: 'percentunit', seconds: 's', usd_per_hour: 'currencyUSD', count: 'short' };

interface PanelSpec {
  title: string;
  description: string;
  targets: { expr: string; legendFormat: string }[];
  unit: RuleUnit;
  good?: Bound[];
}

function panel(spec: PanelSpec, id: number): Record<string, unknown> {
  const steps = spec.good ? thresholdSteps(spec.good) : [{ color: 'green', value: null }];
  return {
    id,
    type: 'timeseries',
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { h: 8, w: 12, x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8 },
    fieldConfig: {
      defaults: {
        unit: UNIT[spec.unit],
        thresholds: { mode: 'absolute', steps },
        custom: { thresholdsStyle: { mode: spec.good ? 'line' : 'off' } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
    targets: spec.targets.map((t, i) => ({ datasource: DATASOURCE, expr: t.expr, legendFormat: t.legendFormat, refId: String.fromCharCode(65 + i) })),
  };
}

const boundsText = (good: Bound[] | undefined, unit: RuleUnit) =>
  good?.length
    ? ` Objective: ${good.map((b) => `${b.op} ${unit === 'ratio' ? `${num(b.value * 100)}%` : num(b.value)}${unit === 'ms' ? ' ms' : ''}`).join(' and ')}.`
    : '';

function recordPanels(plan: CompiledPlan): PanelSpec[] {
  const byRecord = new Map<string, RecordingRule[]>();
  for (const r of recordingRules(plan)) byRecord.set(r.record, [...(byRecord.get(r.record) ?? []), r]);
  return [...byRecord.values()].map((rs) => {
    const r = rs[0]!;
    const legend = r.labels
      ? Object.keys(r.labels)
          .sort()
          .map((k) => `{{${k}}}`)
          .join(' ')
      : /deployment/.test(r.record)
        ? '{{deployment}}'
        : r.record;
    return {
      title: r.title,
      description: `Recording rule ${r.record}.${boundsText(r.good, r.unit)}`,
      targets: [{ expr: r.record, legendFormat: legend }],
      unit: r.unit,
      ...(r.good ? { good: r.good } : {}),
    };
  });
}

function signalPanels(plan: CompiledPlan): PanelSpec[] {
  const alerts = alertRules(plan);
  const has = (kind: string) => alerts.some((a) => a.source.kind === 'alert' && a.source.alert.kind === kind);
  const out: PanelSpec[] = [];
  if (has('circuit_breaker_open'))
    out.push({
      title: 'Circuit breaker state (0 closed, 1 open, 2 half-open)',
      description: `${METRICS.breakerState.name} per deployment.`,
      targets: [{ expr: `max by (deployment) (${METRICS.breakerState.name})`, legendFormat: '{{deployment}}' }],
      unit: 'count',
    });
  if (has('router_state_unavailable'))
    out.push({
      title: `Router state store up (${plan.routerState.kind})`,
      description: `${METRICS.stateStoreUp.name} per router instance.`,
      targets: [{ expr: METRICS.stateStoreUp.name, legendFormat: '{{instance}}' }],
      unit: 'count',
      good: [{ op: '>=', value: 1 }],
    });
  if (has('vllm_engine_down'))
    out.push({
      title: 'vLLM engines up',
      description: `Scrape health of job="${VLLM_JOB}" targets.`,
      targets: [{ expr: `up{job="${VLLM_JOB}"}`, legendFormat: '{{pool}} {{instance}}' }],
      unit: 'count',
      good: [{ op: '>=', value: 1 }],
    });
  const stuck = alerts.find((a) => a.source.kind === 'alert' && a.source.alert.kind === 'batch_queue_stuck');
  if (stuck && stuck.source.kind === 'alert')
    out.push({
      title: 'Batch queue: oldest pending request',
      description: `${METRICS.batchQueueOldestPending.name} per profile; the alert fires past ${promDuration(stuck.source.alert.forMs)}.`,
      targets: [
        { expr: `max by (profile) (${METRICS.batchQueueOldestPending.name})`, legendFormat: '{{profile}}' },
        { expr: `sum by (profile) (${METRICS.batchQueuePending.name})`, legendFormat: '{{profile}} pending' },
      ],
      unit: 'seconds',
      good: [{ op: '<=', value: stuck.source.alert.forMs / 1000 }],
    });
  return out;
}

function dashboard(plan: CompiledPlan): Record<string, unknown> {
  const panels = [...recordPanels(plan), ...signalPanels(plan)].map((p, i) => panel(p, i + 1));
  return {
    uid: DASHBOARD_UID,
    title: `Switchyard routing (${plan.name})`,
    description: `Generated by switchyard compile from plan ${plan.name} (${plan.hash}); do not edit, recompile.`,
    tags: ['switchyard', 'llm-routing'],
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: false,
    timezone: 'utc',
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    templating: {
      list: [{ name: 'DS_PROMETHEUS', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, options: [] }],
    },
    annotations: {
      list: [
        {
          name: 'Switchyard alerts',
          datasource: DATASOURCE,
          enable: true,
          expr: 'ALERTS{alertname=~"Switchyard.*", alertstate="firing"}',
          iconColor: 'red',
          titleFormat: '{{alertname}}',
        },
      ],
    },
    panels,
  };
}

export function emitGrafana(plan: CompiledPlan): Artifact[] {
  return [{ path: DASHBOARD_PATH, content: stableStringify(dashboard(plan)), mediaType: 'application/json' }];
}

export const grafanaTarget: Target = { id: 'grafana', emit: emitGrafana };
