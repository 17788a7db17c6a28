/**
 * The simulation report for a person at a terminal: per scenario, a table of
 * the requested groups (and the total), the engines, breaker trips, cost
 * against the baseline and the SLOs; then one summary line per scenario.
 */
import { pct, usd } from '../../diagnostics/format.ts';
import { formatDuration } from '../../model/duration.ts';
import type { GroupReport, ScenarioReport, SimulationReport, SloResult } from '../report.ts';

export interface TerminalOptions {
  color: boolean;
}

const int = (n: number) => n.toLocaleString('en-US');
const rate = (r: number | null) => (r === null ? '-' : pct(r * 100));
const ms = (x: number | undefined) => (x === undefined ? '-' : int(Math.round(x)));

/** Columns padded to their widest cell; numeric columns right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: (i: number) => boolean, indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export const sloValue = (s: SloResult): string =>
  s.value === null
    ? (s.note ?? 'n/a')
    : s.metric.endsWith('_ms')
      ? `${ms(s.value)} ms`
      : s.metric.endsWith('_rate') || s.metric.includes('utilization') || s.metric.includes('reduction')
        ? rate(s.value)
        : String(s.value);

const sloCounts = (slos: readonly SloResult[]): string => {
  const n = (st: string) => slos.filter((s) => s.status === st).length;
  return `${n('pass')} pass, ${n('fail')} fail, ${n('n/a')} n/a`;
};

function groupRow(name: string, g: GroupReport): string[] {
  return [
    name,
    int(g.requests),
    rate(g.successRate),
    rate(g.fallbackRate),
    rate(g.fallbackSuccessRate),
    ms(g.latencyMs?.p50),
    ms(g.latencyMs?.p95),
    ms(g.latencyMs?.p99),
    int(g.http429),
    int(g.breakerTrips),
    usd(g.monthlyCostUsd),
  ];
}

function scenarioBlock(s: ScenarioReport, paint: (code: number, t: string) => string): string[] {
  const bold = (t: string) => paint(1, t);
  const state = s.sharedState ? 'state shared' : s.replicas === 1 ? 'one router' : 'each with its own state';
  const out = [
    bold(`${s.name}`) + paint(2, ` — ${s.description} (${formatDuration(s.durationMs)}, ${s.replicas} router replica${s.replicas === 1 ? '' : 's'}, ${state})`),
  ];
  const header = ['group', 'requests', 'success', 'fallback', 'fb success', 'p50 ms', 'p95 ms', 'p99 ms', '429s', 'trips', 'cost/month'];
  const rows = Object.entries(s.groups)
    .filter(([, g]) => g.requests > 0)
    .map(([name, g]) => groupRow(name, g));
  rows.push(groupRow('all', s.totals));
  out.push(...table(header, rows, (i) => i > 0));
  const failures = Object.entries(s.totals.failures).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  if (failures.length) out.push(`  failed requests by last reason: ${failures.map(([r, n]) => `${r} ${int(n)}`).join(', ')}`);

  const engines = Object.entries(s.engines);
  if (engines.length) {
    out.push('');
    out.push(
      ...table(
        ['engine', 'GPU', 'util', 'queue mean ms', 'queue p95 ms', 'max queue', 'started', 'timed out'],
        engines.map(([id, e]) => [
          id,
          e.gpu,
          rate(e.utilization),
          ms(e.queueWaitMs?.mean),
          ms(e.queueWaitMs?.p95),
          int(e.maxQueue),
          int(e.started),
          int(e.abortedWaiting + e.abortedRunning),
        ]),
        (i) => i > 1,
      ),
    );
  }
  const trips = Object.entries(s.deployments).filter(([, d]) => d.breakerTrips > 0);
  out.push('');
  out.push(`  breaker trips: ${s.breakerTrips}${trips.length ? ` (${trips.map(([id, d]) => `${id} ${d.breakerTrips}`).join(', ')})` : ''}`);
  const c = s.cost;
  const vs = c.reductionVsBaseline === null ? '' : `, ${c.reductionVsBaseline >= 0 ? '-' : '+'}${pct(Math.abs(c.reductionVsBaseline) * 100)}`;
  out.push(`  cost per month: ${usd(c.monthlyUsd)} vs ${usd(c.baselineMonthlyUsd)} all at ${c.baselineDeployment ?? '(no baseline deployment)'}${vs}`);
  out.push('  SLOs:');
  for (const slo of s.slos) {
    const mark = slo.status === 'pass' ? paint(32, 'pass') : slo.status === 'fail' ? paint(31, 'FAIL') : paint(2, 'n/a ');
    out.push(`    ${mark}  ${slo.id.padEnd(Math.max(...s.slos.map((x) => x.id.length)))}  ${sloValue(slo)} (objective ${slo.objective})`);
  }
  return out;
}

export function renderTerminal(r: SimulationReport, opts: TerminalOptions): string {
  const paint = (code: number, t: string) => (opts.color ? `\u001b[${code}m${t}\u001b[0m` : t);
  const out = [
    `${paint(1, 'switchyard simulate')}  plan ${r.plan.name} (${r.plan.hash.replace(/^sha256:/, '').slice(0, 12)}), ${formatDuration(r.durationMs)} at peak, seed ${r.seed}`,
    '',
  ];
  for (const u of r.unserved) out.push(`${paint(33, 'warning')} ${u.path}: ${u.message}`);
  if (r.unserved.length > 0) out.push('');
  for (const s of r.scenarios) out.push(...scenarioBlock(s, paint), '');
  if (r.scenarios.length > 1) {
    out.push(paint(1, 'Summary'));
    out.push(
      ...table(
        ['scenario', 'requests', 'success', 'fb success', 'p95 ms', '429s', 'trips', 'cost/month', 'SLOs'],
        r.scenarios.map((s) => [
          s.name,
          int(s.totals.requests),
          rate(s.totals.successRate),
          rate(s.totals.fallbackSuccessRate),
          ms(s.totals.latencyMs?.p95),
          int(s.totals.http429),
          int(s.breakerTrips),
          usd(s.cost.monthlyUsd),
          sloCounts(s.slos),
        ]),
        (i) => i > 0 && i < 8,
      ),
    );
  }
  return `${out.join('\n')}\n`;
}
