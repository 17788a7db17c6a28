/**
 * The simulation report as markdown for a pull-request comment: a summary
 * table of the scenarios, a Mermaid xychart of success and fallback success
 * per scenario, and each scenario's groups and SLOs folded in <details>.
 */
import { pct, usd } from '../../diagnostics/format.ts';
import { cell, code, text } from '../../diagnostics/markdown.ts';
import { formatDuration } from '../../model/duration.ts';
import type { ScenarioReport, SimulationReport, SloResult } from '../report.ts';
import { xyChart } from './mermaid.ts';
import { sloValue } from './terminal.ts';

const SIMULATE_MARKER = '<!-- switchyard-simulate -->';

const int = (n: number) => n.toLocaleString('en-US');
const rate = (r: number | null) => (r === null ? '–' : pct(r * 100));
const ms = (x: number | undefined) => (x === undefined ? '–' : int(Math.round(x)));
const STATUS = { pass: '✅', fail: '❌', 'n/a': '➖' } as const;

/** SLO ids that fail, as inline code, or a check mark. */
const failing = (slos: readonly SloResult[]): string => {
  const f = slos.filter((s) => s.status === 'fail').map((s) => code(s.id));
  return f.length ? `❌ ${f.join(', ')}` : '✅ none';
};

export const percentOrNull = (r: number | null): number | null => (r === null ? null : r * 100);

function scenarioDetails(s: ScenarioReport): string[] {
  const out = ['<details>', `<summary>${text(s.name)}: ${text(s.description)}</summary>`, ''];
  out.push(
    '| Group | Requests | Success | Fallback | Fallback success | p50 ms | p95 ms | p99 ms | 429s | Cost / month |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const rows = Object.entries(s.groups).filter(([, g]) => g.requests > 0);
  for (const [name, g] of [...rows, ['**all**', s.totals] as const]) {
    const label = name === '**all**' ? name : cell(code(name));
    out.push(
      `| ${label} | ${int(g.requests)} | ${rate(g.successRate)} | ${rate(g.fallbackRate)} | ${rate(g.fallbackSuccessRate)} | ${ms(g.latencyMs?.p50)} | ${ms(g.latencyMs?.p95)} | ${ms(g.latencyMs?.p99)} | ${int(g.http429)} | ${int(g.breakerTrips)} | ${usd(g.monthlyCostUsd)} |`,
    );
  }
  const engines = Object.entries(s.engines);
  if (engines.length) {
    out.push('', '| Engine | GPU | Utilisation | Queue wait mean ms | Queue wait p95 ms | Max queue |', '|---|---|---:|---:|---:|---:|');
    for (const [id, e] of engines)
      out.push(
        `| ${cell(code(id))} | ${cell(text(e.gpu))} | ${rate(e.utilization)} | ${ms(e.queueWaitMs?.mean)} | ${ms(e.queueWaitMs?.p95)} | ${int(e.maxQueue)} |`,
      );
  }
  out.push('', '| SLO | Objective | Simulated | |', '|---|---|---:|---|');
  for (const slo of s.slos) out.push(`| ${cell(code(slo.id))} | ${cell(text(slo.objective))} | ${cell(text(sloValue(slo)))} | ${STATUS[slo.status]} |`);
  out.push(
    '',
    `Breaker trips: ${s.breakerTrips}. Cost per month ${usd(s.cost.monthlyUsd)} against ${usd(s.cost.baselineMonthlyUsd)} all at ${code(s.cost.baselineDeployment ?? 'none')}.`,
  );
  out.push('</details>', '');
  return out;
}

export function renderMarkdown(r: SimulationReport): string {
  const out = [SIMULATE_MARKER, `### Switchyard simulation: ${text(r.plan.name)}`, ''];
  out.push(`${formatDuration(r.durationMs)} of peak traffic per scenario, seed ${r.seed}, plan ${code(r.plan.hash.replace(/^sha256:/, '').slice(0, 12))}.`, '');
  for (const u of r.unserved) out.push(`> [!WARNING]\n> ${code(u.path)}: ${text(u.message)}`, '');
  out.push(
    '| Scenario | Requests | Success | Fallback success | p95 ms | 429s | Breaker trips | Cost / month | SLOs failing |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const s of r.scenarios)
    out.push(
      `| ${cell(code(s.name))} | ${int(s.totals.requests)} | ${rate(s.totals.successRate)} | ${rate(s.totals.fallbackSuccessRate)} | ${ms(s.totals.latencyMs?.p95)} | ${int(s.totals.http429)} | ${int(s.breakerTrips)} | ${usd(s.cost.monthlyUsd)} | ${failing(s.slos)} |`,
    );
  out.push('');
  if (r.scenarios.length) {
    const chart = xyChart(
      'Success per scenario (%)',
      r.scenarios.map((s) => s.name),
      '%',
      0,
      100,
      [
        { kind: 'bar', values: r.scenarios.map((s) => percentOrNull(s.totals.successRate)) },
        { kind: 'line', values: r.scenarios.map((s) => percentOrNull(s.totals.fallbackSuccessRate)) },
      ],
      100,
    );
    out.push('```mermaid', chart, '```', '', '_Bars: requests served. Line: fallback success (100 where no request needed a fallback)._', '');
  }
  for (const s of r.scenarios) out.push(...scenarioDetails(s));
  return `${out.join('\n')}\n`;
}
