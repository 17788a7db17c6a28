/**
 * The "simulated impact" section of `switchyard diff`: baseline and N-1 on
 * base and head, side by side, for the terminal and for the pull-request
 * comment (with an xychart of success per scenario, base as bars and head as
 * a line).
 */
import { pct, usd } from '../../diagnostics/format.ts';
import { cell, code, text } from '../../diagnostics/markdown.ts';
import { formatDuration } from '../../model/duration.ts';
import type { ScenarioComparison, ScenarioSummary, SimulationComparison } from '../compare.ts';
import { percentOrNull } from './markdown.ts';
import { xyChart } from './mermaid.ts';
import { table } from './terminal.ts';

const int = (n: number) => n.toLocaleString('en-US');
const rate = (r: number | null | undefined) => (r === null || r === undefined ? '-' : pct(r * 100));
const ms = (x: number | null | undefined) => (x === null || x === undefined ? '-' : int(Math.round(x)));

type Side = ScenarioSummary | null;
const pair = (base: Side, head: Side, f: (s: ScenarioSummary) => string, arrow: string) => `${base ? f(base) : 'n/a'} ${arrow} ${head ? f(head) : 'n/a'}`;

const missed = (s: Side) => (s ? Object.keys(s.slos).filter((id) => s.slos[id]!.status === 'fail') : []);

/** SLOs the head misses that the base met (or did not have), in this scenario. */
const newlyMissed = (c: ScenarioComparison): string[] => {
  const before = new Set(missed(c.base));
  return missed(c.head).filter((id) => !before.has(id));
};

function slosText(c: ScenarioComparison): string {
  const fresh = newlyMissed(c);
  const counts = `${c.base ? missed(c.base).length : 'n/a'} -> ${c.head ? missed(c.head).length : 'n/a'}`;
  return fresh.length ? `${counts} (newly missed: ${fresh.join(', ')})` : counts;
}

export const headline = (sim: SimulationComparison): string => `${formatDuration(sim.durationMs)} at peak per scenario, seed ${sim.seed}; base -> head`;

export function comparisonLines(sim: SimulationComparison): string[] {
  return table(
    ['scenario', 'success', 'fallback success', 'p95 ms', '429s', 'cost/month', 'SLOs missed'],
    sim.scenarios.map((c) => [
      c.name,
      pair(c.base, c.head, (s) => rate(s.successRate), '->'),
      pair(c.base, c.head, (s) => rate(s.fallbackSuccessRate), '->'),
      pair(c.base, c.head, (s) => ms(s.p95LatencyMs), '->'),
      pair(c.base, c.head, (s) => int(s.http429), '->'),
      pair(c.base, c.head, (s) => usd(s.monthlyCostUsd), '->'),
      slosText(c),
    ]),
    () => false,
  );
}

export function comparisonMarkdown(sim: SimulationComparison): string[] {
  const out = [`${text(headline(sim)).replace(' -> ', ' → ')}.`, ''];
  out.push('| Scenario | Success | Fallback success | p95 ms | 429s | Cost / month | SLOs missed (newly) |', '|---|---|---|---|---|---|---|');
  for (const c of sim.scenarios) {
    const fresh = newlyMissed(c);
    out.push(
      `| ${cell(code(c.name))} | ${pair(c.base, c.head, (s) => rate(s.successRate), '→')} | ${pair(c.base, c.head, (s) => rate(s.fallbackSuccessRate), '→')} | ${pair(c.base, c.head, (s) => ms(s.p95LatencyMs), '→')} | ${pair(c.base, c.head, (s) => int(s.http429), '→')} | ${pair(c.base, c.head, (s) => usd(s.monthlyCostUsd), '→')} | ${fresh.length ? `❌ ${fresh.map((id) => cell(code(id))).join(', ')}` : '–'} |`,
    );
  }
  out.push('');
  const chart = xyChart(
    'Success per scenario, base and head (%)',
    sim.scenarios.map((c) => c.name),
    '%',
    0,
    100,
    [
      { kind: 'bar', values: sim.scenarios.map((c) => percentOrNull(c.base?.successRate ?? null)) },
      { kind: 'line', values: sim.scenarios.map((c) => percentOrNull(c.head?.successRate ?? null)) },
    ],
  );
  out.push('```mermaid', chart, '```', '', '_Bars: base. Line: head. A scenario one side does not have is drawn at 0._', '');
  return out;
}
