/**
 * The diff report for a person at a terminal: what changed per group and
 * tenant, the projected cost, the generated files touched, then the findings
 * (highest level first) and the overall level. Colour only when asked for
 * (the CLI decides with useColor, so NO_COLOR is respected).
 */
import type { RiskLevel } from '../../diagnostics/diagnostic.ts';
import { comparisonLines, headline } from '../../simulate/render/compare.ts';
import type { DiffReport } from '../report.ts';
import type { GroupDiff, TenantDiff } from '../types.ts';
import { brief, chain, changed, countsText, num, patchStats, pct, shareMoves, signedPct, shortHash, usd, fieldSections } from './format.ts';

export interface TerminalOptions {
  color: boolean;
}

const ANSI = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, dim: 2, bold: 1 } as const;
const LEVEL_COLOR: Record<RiskLevel, number> = { none: ANSI.green, low: ANSI.cyan, medium: ANSI.yellow, high: ANSI.red, critical: ANSI.magenta };
const STATUS_MARK = { added: '+', removed: '-', changed: '~' } as const;

export function renderTerminal(r: DiffReport, opts: TerminalOptions): string {
  const paint = (code: number, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const bold = (s: string) => paint(ANSI.bold, s);
  const dim = (s: string) => paint(ANSI.dim, s);
  const mark = (status: keyof typeof STATUS_MARK) =>
    paint(status === 'added' ? ANSI.green : status === 'removed' ? ANSI.red : ANSI.yellow, STATUS_MARK[status]);
  const level = (l: RiskLevel, width = 0) => paint(LEVEL_COLOR[l], l.toUpperCase().padEnd(width));
  const out: string[] = [];
  const d = r.diff;

  const baseName = r.base.commit ? `${r.base.ref} (${r.base.commit.slice(0, 12)})` : r.base.ref;
  out.push(`${bold('switchyard diff')}  ${baseName} -> ${r.head.path}`);
  out.push(dim(`plan ${shortHash(r.base.planHash)} -> ${shortHash(r.head.planHash)}`));
  out.push('');

  if (r.empty) out.push('No change to the compiled plan or the generated files.', '');

  const section = (title: string, n: number) => out.push(bold(`${title} (${n} changed)`));
  const row = (label: string, text: string) => out.push(`      ${label.padEnd(16)}${text}`);

  const groups = Object.entries(d.groups);
  if (groups.length) {
    section('Model groups', groups.length);
    for (const [name, g] of groups) {
      out.push(`  ${mark(g.status)} ${bold(name)}${g.status === 'changed' ? '' : dim(` (${g.status})`)}`);
      for (const [label, text] of groupRows(g)) row(label, text);
    }
    out.push('');
  }

  const tenants = Object.entries(d.tenants);
  if (tenants.length) {
    section('Tenants', tenants.length);
    for (const [id, t] of tenants) {
      out.push(`  ${mark(t.status)} ${bold(id)}${t.status === 'changed' ? '' : dim(` (${t.status})`)}`);
      for (const [label, text] of tenantRows(t)) row(label, text);
    }
    out.push('');
  }

  for (const [title, entries] of fieldSections(d)) {
    section(title, entries.length);
    for (const [id, e] of entries) {
      out.push(`  ${mark(e.status)} ${bold(id)}${e.status === 'changed' ? '' : dim(` (${e.status})`)}`);
      for (const c of e.changes) row(c.field, `${brief(c.before)} -> ${brief(c.after)}`);
    }
    out.push('');
  }

  out.push(`${bold('Monthly cost')}  ${usd(d.cost.monthlyBeforeUsd)} -> ${usd(d.cost.monthlyAfterUsd)} (${signedPct(d.cost.changePercent)})`);
  out.push('');

  if (r.simulation) {
    out.push(`${bold('Simulated impact')} ${dim(`(${headline(r.simulation)})`)}`);
    out.push(...comparisonLines(r.simulation), '');
  } else if (r.simulationNote && !r.empty) out.push(`${bold('Simulated impact')}  ${dim(r.simulationNote)}`, '');

  if (d.artifacts.length) {
    section('Generated files', d.artifacts.length);
    const width = Math.max(...d.artifacts.map((a) => a.path.length));
    for (const a of d.artifacts) {
      const s = patchStats(a.patch);
      out.push(`  ${mark(a.status)} ${a.path.padEnd(width)}  ${paint(ANSI.green, `+${s.added}`)} ${paint(ANSI.red, `-${s.removed}`)}`);
    }
    out.push('');
  }

  if (r.findings.length) {
    out.push(bold('Findings'));
    const codeWidth = Math.max(...r.findings.map((f) => f.code.length));
    for (const f of r.findings) {
      const where = f.source ? `${f.source.file}:${f.source.line}:${f.source.column}` : f.path || '<plan>';
      out.push(`  ${level(f.level, 8)}  ${f.code.padEnd(codeWidth)}  ${dim(where)}`);
      out.push(`            ${f.message}`);
    }
    out.push('');
  }

  const verdict = r.ok ? `below --fail-on ${r.failOn}` : `reaches --fail-on ${r.failOn}: exit 1`;
  out.push(`${bold('Risk:')} ${level(r.level)} (${countsText(r)}; ${verdict})`);
  return `${out.join('\n')}\n`;
}

export function groupRows(g: GroupDiff): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  if (g.strategy) rows.push(['strategy', `${g.strategy.before ?? 'none'} -> ${g.strategy.after ?? 'none'}`]);
  if (g.status === 'changed') {
    const moves = shareMoves(g.providerShare);
    if (moves.length) rows.push(['provider share', moves.join(', ')]);
    const dmoves = shareMoves(g.deploymentShare);
    if (dmoves.length && !moves.length) rows.push(['deployment share', dmoves.join(', ')]);
  } else {
    const side = g.status === 'added' ? g.providerShare.after : g.providerShare.before;
    const shares = Object.entries(side).map(([k, v]) => `${k} ${pct(v)}`);
    if (shares.length) rows.push(['provider share', shares.join(', ')]);
  }
  for (const [label, f] of [
    ['fallbacks', g.fallbacks],
    ['context fallbacks', g.contextWindowFallbacks],
  ] as const) {
    if (!changed({ before: f.before, after: f.after })) continue;
    const notes = [
      f.removed.length ? `removed ${f.removed.join(', ')}` : '',
      f.added.length ? `added ${f.added.join(', ')}` : '',
      f.reordered ? 'reordered' : '',
    ]
      .filter(Boolean)
      .join('; ');
    rows.push([label, `${chain(f.before)} -> ${chain(f.after)}${notes ? `  (${notes})` : ''}`]);
  }
  if (g.circuitBreaker.loosened.length) rows.push(['breaker', `loosened ${g.circuitBreaker.loosened.join(', ')}`]);
  if (g.circuitBreaker.tightened.length) rows.push(['breaker', `tightened ${g.circuitBreaker.tightened.join(', ')}`]);
  if (g.retries.loosened.length) rows.push(['retries', `loosened ${g.retries.loosened.join(', ')}`]);
  if (g.retries.tightened.length) rows.push(['retries', `tightened ${g.retries.tightened.join(', ')}`]);
  if (changed(g.monthlyCostUsd)) rows.push(['monthly cost', `${usd(g.monthlyCostUsd.before)} -> ${usd(g.monthlyCostUsd.after)}`]);
  if (rows.length === 0 && g.status === 'changed') rows.push(['deployments', 'settings changed (see the generated files)']);
  return rows;
}

export function tenantRows(t: TenantDiff): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const [label, c] of [
    ['rpm', t.rpm],
    ['tpm', t.tpm],
    ['monthly budget', t.monthlyBudgetUsd],
  ] as const) {
    if (!changed(c)) continue;
    const money = label === 'monthly budget';
    const fmt = (v: number | null) => (v === null ? 'none' : money ? usd(v) : num(v));
    rows.push([label, `${fmt(c.before)} -> ${fmt(c.after)}`]);
  }
  if (t.allowedGroups.added.length) rows.push(['groups added', t.allowedGroups.added.join(', ')]);
  if (t.allowedGroups.removed.length) rows.push(['groups removed', t.allowedGroups.removed.join(', ')]);
  return rows;
}
