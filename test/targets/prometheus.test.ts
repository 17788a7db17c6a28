import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { Artifact, CompiledPlan } from '../../src/plan/types.ts';
import { emitAll } from '../../src/targets/index.ts';
import { METRICS, type MetricDef } from '../../src/observability/metrics.ts';
import { alertRules, recordingRules } from '../../src/observability/rules.ts';
import { RULES_PATH, RULES_TEST_PATH } from '../../src/targets/paths.ts';
import { emitPrometheus } from '../../src/targets/prometheus.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { promtool } from './prometheus-bin.ts';
import { SHARED_FIXTURES } from '../fixtures/shared.ts';

const FIXTURES = SHARED_FIXTURES;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function writeOut(artifacts: Artifact[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-prom-'));
  dirs.push(dir);
  for (const a of artifacts) {
    mkdirSync(dirname(join(dir, a.path)), { recursive: true });
    writeFileSync(join(dir, a.path), a.content);
  }
  return dir;
}

const reference = async () => compilePolicy(await referencePolicy()).plan!;

interface RuleFile {
  groups: {
    name: string;
    rules: { record?: string; alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[];
  }[];
}
const rulesOf = (plan: CompiledPlan): RuleFile => parse(emitPrometheus(plan).find((a) => a.path === RULES_PATH)!.content);
const alertsOf = (plan: CompiledPlan) => rulesOf(plan).groups.flatMap((g) => g.rules.filter((r) => r.alert));

/** A plan with every threshold and window moved, to show the rules follow the plan. */
function shifted(plan: CompiledPlan): CompiledPlan {
  const p: CompiledPlan = structuredClone(plan);
  for (const a of Object.values(p.slos.alerts)) {
    if (a.threshold !== null) a.threshold = Number((a.threshold * 2).toFixed(6));
    a.forMs = a.forMs * 2;
  }
  for (const t of Object.values(p.slos.targets)) {
    t.windowMs = 60 * 60_000;
    t.objective = t.objective.map((b) => ({ ...b, value: t.metric.endsWith('_ms') ? b.value * 2 : Number((b.value * 0.9).toFixed(6)) }));
  }
  return p;
}

describe('Prometheus rules', () => {
  it('promtool checks the rules and passes the generated unit tests (reference plan)', async () => {
    const dir = writeOut(emitPrometheus(await reference()));
    const check = promtool(['check', 'rules', join(dir, RULES_PATH)]);
    expect(check.output).toContain('SUCCESS');
    expect(check.code, check.output).toBe(0);
    const test = promtool(['test', 'rules', join(dir, RULES_TEST_PATH)]);
    expect(test.output, test.output).toContain('SUCCESS');
    expect(test.code).toBe(0);
  });

  it('with every threshold and window moved, the rules and their tests move too (and still pass)', async () => {
    const plan = shifted(await reference());
    const alerts = alertsOf(plan);
    const byName = new Map(alerts.map((a) => [a.alert!, a]));
    expect(byName.get('SwitchyardRouterErrorRateHigh')!.expr).toBe('switchyard:error_ratio:rate5m > 0.02');
    expect(byName.get('SwitchyardRouterErrorRateHigh')!.for).toBe('20m');
    expect(byName.get('SwitchyardCostAnomaly')!.expr).toContain('> 2 * switchyard:cost_usd_per_hour:baseline_1w_ago');
    expect(byName.get('SwitchyardBatchQueueStuck')!.expr).toContain('> 14400');
    expect(byName.get('SwitchyardVllmEngineDown')!.for).toBe('10m');
    expect(byName.get('SwitchyardSloRouterOverheadP95')!.expr).toBe('switchyard:router_overhead_p95_ms:1h >= 300');
    const records = rulesOf(plan)
      .groups.flatMap((g) => g.rules.map((r) => r.record))
      .filter(Boolean);
    expect(records).toContain('switchyard:error_rate:1h');
    const dir = writeOut(emitPrometheus(plan));
    const test = promtool(['test', 'rules', join(dir, RULES_TEST_PATH)]);
    expect(test.output, test.output).toContain('SUCCESS');
  });

  it('has an alert per plan alert and per SLO target, each with severity, summary, description and runbook_url', async () => {
    const plan = await reference();
    const alerts = alertsOf(plan);
    expect(alerts.map((a) => a.alert).sort()).toEqual(
      [
        'SwitchyardBatchQueueStuck',
        'SwitchyardCircuitBreakerOpen',
        'SwitchyardCostAnomaly',
        'SwitchyardRouterErrorRateHigh',
        'SwitchyardRouterStateUnavailable',
        'SwitchyardVllmEngineDown',
        ...Object.keys(plan.slos.targets).map(
          (id) =>
            `SwitchyardSlo${id
              .split('-')
              .map((p) => p[0]!.toUpperCase() + p.slice(1))
              .join('')}`,
        ),
      ].sort(),
    );
    for (const a of alerts) {
      expect(['critical', 'warning', 'info']).toContain(a.labels!.severity);
      expect(Object.keys(a.annotations!).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(a.annotations!.runbook_url).toMatch(/^docs\/runbooks\/(router-outage|batch-failure)\.md#[a-z0-9-]+$/);
    }
    for (const a of Object.values(plan.slos.alerts)) {
      const rule = alerts.find(
        (r) =>
          r.alert ===
          `Switchyard${a.id
            .split('-')
            .map((p) => p[0]!.toUpperCase() + p.slice(1))
            .join('')}`,
      )!;
      expect(rule.labels!.severity).toBe(a.severity);
    }
  });

  it('says so on every rule that reads LiteLLM metrics (Enterprise only)', async () => {
    const text = emitPrometheus(await reference()).find((a) => a.path === RULES_PATH)!.content;
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (/^\s+- (record|alert):/.test(line)) {
        const block = [];
        for (let j = i + 1; j < lines.length && !/^\s+- (record|alert):/.test(lines[j]!) && !/^\s+#/.test(lines[j]!); j++) block.push(lines[j]);
        if (block.join('\n').includes('litellm_') && line.includes('record:')) expect(lines.slice(Math.max(0, i - 2), i).join('\n'), line).toMatch(/LiteLLM/);
      }
    });
    expect(text).toMatch(/registers only in its Enterprise edition/);
  });

  it('reads only metrics in the naming table or recorded by its own rules', async () => {
    const plan = await reference();
    const known = new Set<string>([...Object.values(METRICS).map((m: MetricDef) => m.name), ...recordingRules(plan).map((r) => r.record)]);
    const exprs = [...recordingRules(plan).map((r) => r.expr), ...alertRules(plan).map((a) => a.expr)];
    const FUNCS = new Set(['sum', 'by', 'rate', 'or', 'vector', 'on', 'avg', 'avg_over_time', 'histogram_quantile', 'max', 'offset', 'le']);
    for (const e of exprs) {
      const stripped = e
        .replace(/\{[^}]*\}/g, '')
        .replace(/\[[^\]]*\]/g, '')
        .replace(/offset [0-9]+[a-z]+/g, '')
        .replace(/\b(by|on|without|ignoring) \([^)]*\)/g, '');
      for (const id of stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? []) {
        if (FUNCS.has(id)) continue;
        const base = id.replace(/_(bucket|sum|count)$/, '');
        expect(known.has(id) || known.has(base), `${id} in ${e}`).toBe(true);
      }
    }
  });

  it('the naming table agrees with the LiteLLM and vLLM fixtures (name as scraped, type, labels)', () => {
    const litellm = JSON.parse(readFileSync(`${FIXTURES}/litellm/prometheus_metric_names.json`, 'utf8')) as {
      metrics: { name: string; type: string | null; exposed_series: string[] | null; labels: string[] | string }[];
    };
    const vllm = JSON.parse(readFileSync(`${FIXTURES}/vllm/metric_names.json`, 'utf8')) as typeof litellm & { metrics: { status?: string; engine?: string }[] };
    for (const m of Object.values(METRICS) as MetricDef[]) {
      if (m.origin !== 'litellm' && m.origin !== 'vllm') {
        expect(m.source).toMatch(/Switchyard runtime|Prometheus/);
        continue;
      }
      const list = m.origin === 'litellm' ? litellm.metrics : vllm.metrics;
      const entry = list.find((f) => (f.exposed_series ?? []).includes(m.type === 'histogram' ? `${m.name}_bucket` : m.name) && f.type === m.type);
      expect(entry, m.name).toBeDefined();
      if (Array.isArray(entry!.labels)) for (const l of m.labels) expect(entry!.labels, `${m.name} label ${l}`).toContain(l);
      if (m.origin === 'vllm') expect((entry as { status?: string }).status).toMatch(/^current/);
      if (m.origin === 'litellm') expect(m.enterpriseOnly).toBe(true);
    }
  });

  it('is part of emitAll and byte-stable', async () => {
    const plan = await reference();
    const paths = emitAll(plan).map((a) => a.path);
    expect(paths).toContain(RULES_PATH);
    expect(paths).toContain(RULES_TEST_PATH);
    expect(emitPrometheus(plan)).toEqual(emitPrometheus(await reference()));
  });
});
