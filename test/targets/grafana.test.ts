import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { emitGrafana, thresholdSteps } from '../../src/targets/grafana.ts';
import { DASHBOARD_PATH } from '../../src/targets/paths.ts';
import { recordingRules } from '../../src/observability/rules.ts';
import { emitAll } from '../../src/targets/index.ts';
import { referencePolicy } from '../fixtures/policies.ts';

const reference = async () => compilePolicy(await referencePolicy()).plan!;

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: { type: string; uid: string };
  targets: { expr: string; refId: string; datasource: { type: string; uid: string } }[];
  fieldConfig: { defaults: { thresholds: { mode: string; steps: { color: string; value: number | null }[] }; custom: { thresholdsStyle: { mode: string } } } };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string }[] };
}

const dashboardOf = (plan: CompiledPlan): Dashboard => {
  const [a, ...rest] = emitGrafana(plan);
  expect(rest).toEqual([]);
  expect(a!.path).toBe(DASHBOARD_PATH);
  return JSON.parse(a!.content) as Dashboard;
};

describe('Grafana dashboard', () => {
  it('has the structure Grafana requires to import it', async () => {
    const d = dashboardOf(await reference());
    expect(Number.isInteger(d.schemaVersion) && d.schemaVersion >= 36).toBe(true);
    expect(d.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(d.title).toMatch(/Switchyard/);
    const ds = d.templating.list.find((v) => v.type === 'datasource');
    expect(ds).toMatchObject({ name: 'DS_PROMETHEUS', query: 'prometheus' });
    const ids = new Set<number>();
    const cells = new Set<string>();
    for (const p of d.panels) {
      expect(Number.isInteger(p.id)).toBe(true);
      expect(ids.has(p.id)).toBe(false);
      ids.add(p.id);
      expect(p.type).toBe('timeseries');
      expect(p.title).not.toBe('');
      for (const k of ['x', 'y', 'w', 'h'] as const) expect(Number.isInteger(p.gridPos[k])).toBe(true);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      const cell = `${p.gridPos.x},${p.gridPos.y}`;
      expect(cells.has(cell)).toBe(false);
      cells.add(cell);
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(p.targets.length).toBeGreaterThan(0);
      const refIds = p.targets.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of p.targets) {
        expect(t.expr).not.toBe('');
        expect(t.refId).toMatch(/^[A-Z]$/);
        expect(t.datasource).toEqual(p.datasource);
      }
      const steps = p.fieldConfig.defaults.thresholds.steps;
      expect(steps[0]!.value).toBeNull();
      const values = steps.slice(1).map((s) => s.value!);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('has a panel per recording rule, SLO panels carrying the plan objective as threshold lines', async () => {
    const plan = await reference();
    const d = dashboardOf(plan);
    const exprs = d.panels.flatMap((p) => p.targets.map((t) => t.expr));
    for (const r of recordingRules(plan)) expect(exprs).toContain(r.record);
    const panelOf = (record: string) => d.panels.find((p) => p.targets.some((t) => t.expr === record))!;
    for (const t of Object.values(plan.slos.targets)) {
      const p = panelOf(`switchyard:${t.metric}:30m`);
      expect(p.fieldConfig.defaults.custom.thresholdsStyle.mode).toBe('line');
      const values = p.fieldConfig.defaults.thresholds.steps.map((s) => s.value).filter((v) => v !== null);
      expect(values.sort()).toEqual(t.objective.map((b) => b.value).sort());
    }
  });

  it('threshold lines follow the plan: a moved objective moves the line', async () => {
    const plan = structuredClone(await reference());
    plan.slos.targets['error-rate']!.objective = [{ op: '<=', value: 0.02 }];
    const d = dashboardOf(plan);
    const p = d.panels.find((x) => x.targets.some((t) => t.expr === 'switchyard:error_rate:30m'))!;
    expect(p.fieldConfig.defaults.thresholds.steps).toEqual([
      { color: 'green', value: null },
      { color: 'red', value: 0.02 },
    ]);
    expect(
      thresholdSteps([
        { op: '>=', value: 0.4 },
        { op: '<=', value: 0.6 },
      ]).map((s) => s.color),
    ).toEqual(['red', 'green', 'red']);
  });

  it('is emitted by emitAll', async () => {
    expect(emitAll(await reference()).map((a) => a.path)).toContain(DASHBOARD_PATH);
  });
});
