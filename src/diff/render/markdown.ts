/**
 * The diff report as a pull-request comment (GitHub-flavoured markdown).
 * It opens with a hidden marker so CI can find its own comment and update it
 * in place; then a summary table, the findings linked to the policy lines,
 * traffic shares and fallback chains as Mermaid charts, and the generated
 * file diffs folded in <details> blocks.
 */
import type { RiskLevel } from '../../diagnostics/diagnostic.ts';
import { mdCell, mdCode, mdFence, mdText } from '../../escape/markdown.ts';
import { comparisonMarkdown } from '../../simulate/render/compare.ts';
import type { DiffFinding, DiffReport } from '../report.ts';
import type { GroupDiff } from '../types.ts';
import { brief, chain, changeCounts, changed, countsText, patchStats, pct, plural, shortHash, signedPct, usd, fieldSections } from './format.ts';
import { fallbackFlowchart, pieChart } from './mermaid.ts';
import { groupRows, tenantRows } from './terminal.ts';

export const MARKDOWN_MARKER = '<!-- switchyard-diff -->';

export interface MarkdownOptions {
  /**
   * Where policy files can be read, e.g. `https://github.com/org/repo/blob/<sha>`
   * (or a relative `../blob/<sha>`); findings link to `<linkBase>/<file>#L<line>`.
   * Without it findings show plain `file:line`.
   */
  linkBase?: string;
  /** Upper bound on the characters of generated-file patches (a GitHub comment holds 65,536 in all). */
  maxPatchChars?: number;
}

const LEVEL_BADGE: Record<RiskLevel, string> = { none: '🟢', low: '🔵', medium: '🟡', high: '🔴', critical: '⛔' };

const cell = mdCell;
const code = mdCode;
const fence = mdFence;
const text = mdText;
/** Terminal arrows as a reader of the comment expects them. */
const arrows = (s: string) => s.replace(/ -> /g, ' → ');

function where(f: DiffFinding, linkBase: string | undefined): string {
  if (!f.source) return f.path ? code(f.path) : '';
  const label = `${f.source.file}:${f.source.line}`;
  const relative = !f.source.file.startsWith('/') && !/^[A-Za-z]:/.test(f.source.file) && !f.source.file.includes(':');
  if (!linkBase || !relative) return text(label);
  const url = `${linkBase.replace(/\/+$/, '')}/${f.source.file.split('/').map(encodeURIComponent).join('/')}#L${f.source.line}`;
  return `[${text(label)}](${url.replace(/[()\s]/g, (c) => encodeURIComponent(c))})`;
}

function mermaidBlock(body: string): string[] {
  return ['```mermaid', body, '```'];
}

function trafficSection(groups: Array<[string, GroupDiff]>): string[] {
  const out: string[] = [];
  for (const [name, g] of groups) {
    // Provider share is what a reviewer thinks in; deployment share only when providers did not move.
    const byProvider = changed(g.providerShare) || g.status !== 'changed';
    const share = byProvider ? g.providerShare : g.deploymentShare;
    if (!changed(share)) continue;
    const what = byProvider ? 'provider' : 'deployment';
    out.push(`**${text(name)}** (${g.status}): expected traffic share per ${what}`, '');
    out.push(`| ${what} | before | after | change |`, '|---|---:|---:|---:|');
    const keys = [...new Set([...Object.keys(share.before), ...Object.keys(share.after)])].sort();
    for (const k of keys) {
      const b = share.before[k] ?? 0;
      const a = share.after[k] ?? 0;
      const delta = Math.round((a - b) * 10) / 10;
      out.push(`| ${cell(code(k))} | ${pct(b)} | ${pct(a)} | ${delta > 0 ? '+' : ''}${delta} pts |`);
    }
    out.push('');
    for (const [side, shares] of [
      ['before', share.before],
      ['after', share.after],
    ] as const) {
      const chart = pieChart(`${name} ${side}`, shares);
      if (chart) out.push(...mermaidBlock(chart), '');
    }
  }
  return out;
}

function fallbackSection(groups: Array<[string, GroupDiff]>): string[] {
  const out: string[] = [];
  for (const [name, g] of groups) {
    for (const [label, f] of [
      ['fallbacks', g.fallbacks],
      ['context-window fallbacks', g.contextWindowFallbacks],
    ] as const) {
      if (!changed({ before: f.before, after: f.after })) continue;
      out.push(`**${text(name)}** ${label}: ${code(chain(f.before))} → ${code(chain(f.after))}`, '');
      out.push(...mermaidBlock(fallbackFlowchart(name, f.before, f.after)), '');
    }
  }
  return out;
}

export function renderMarkdown(r: DiffReport, opts: MarkdownOptions = {}): string {
  const d = r.diff;
  const n = changeCounts(r);
  const out: string[] = [MARKDOWN_MARKER];
  out.push(`### ${LEVEL_BADGE[r.level]} Switchyard policy diff: risk **${r.level}**`, '');
  const baseName = r.base.commit ? `${r.base.ref} (${r.base.commit.slice(0, 12)})` : r.base.ref;

  out.push('| | |', '|---|---|');
  out.push(`| Overall risk | **${r.level}** (${r.ok ? 'below' : 'reaches'} the fail-on level ${r.failOn}) |`);
  out.push(`| Findings | ${countsText(r)} |`);
  out.push(`| Monthly cost (projected) | ${usd(d.cost.monthlyBeforeUsd)} → ${usd(d.cost.monthlyAfterUsd)} (${signedPct(d.cost.changePercent)}) |`);
  out.push(
    `| Changed | ${[plural(n.groups, 'model group'), plural(n.deployments, 'deployment'), plural(n.tenants, 'tenant'), plural(n.poolModels, 'pool model'), plural(n.batchProfiles, 'batch profile'), plural(n.artifacts, 'generated file')].join(', ')} |`,
  );
  out.push(`| Base → head | ${cell(code(baseName))} → ${cell(code(r.head.path))} |`);
  out.push(`| Plan hash | ${code(shortHash(r.base.planHash))} → ${code(shortHash(r.head.planHash))} |`);
  out.push('');

  if (r.empty) {
    out.push('No change to the compiled plan or the generated files.', '');
  }

  if (r.findings.length) {
    out.push('#### Findings', '', '| Level | Rule | Where | Finding |', '|---|---|---|---|');
    for (const f of r.findings)
      out.push(`| ${LEVEL_BADGE[f.level]} ${f.level} | ${cell(code(f.code))} | ${cell(where(f, opts.linkBase))} | ${cell(text(f.message))} |`);
    out.push('');
  }

  const groups = Object.entries(d.groups);
  if (groups.length) {
    out.push('#### Model groups', '', '| Group | Change | |', '|---|---|---|');
    for (const [name, g] of groups) {
      const rows = groupRows(g);
      if (rows.length === 0) out.push(`| ${cell(code(name))} | ${g.status} | |`);
      rows.forEach(([label, t], i) => out.push(`| ${i === 0 ? `${cell(code(name))} (${g.status})` : ''} | ${cell(label)} | ${cell(text(arrows(t)))} |`));
    }
    out.push('');
    const traffic = trafficSection(groups);
    if (traffic.length) out.push('#### Traffic share', '', ...traffic);
    const fallbacks = fallbackSection(groups);
    if (fallbacks.length) out.push('#### Fallback chains', '', ...fallbacks);
  }

  if (r.simulation) out.push('#### Simulated impact', '', ...comparisonMarkdown(r.simulation));
  else if (r.simulationNote && !r.empty) out.push('#### Simulated impact', '', `${text(r.simulationNote)}.`, '');

  const tenants = Object.entries(d.tenants);
  if (tenants.length) {
    out.push('#### Tenants', '', '| Tenant | Change | |', '|---|---|---|');
    for (const [id, t] of tenants) {
      const rows = tenantRows(t);
      if (rows.length === 0) out.push(`| ${cell(code(id))} (${t.status}) | | |`);
      rows.forEach(([label, v], i) => out.push(`| ${i === 0 ? `${cell(code(id))} (${t.status})` : ''} | ${cell(label)} | ${cell(text(arrows(v)))} |`));
    }
    out.push('');
  }

  for (const [title, entries] of fieldSections(d)) {
    out.push(`#### ${title}`, '', '| Id | Field | Before | After |', '|---|---|---|---|');
    for (const [id, e] of entries) {
      if (e.changes.length === 0) out.push(`| ${cell(code(id))} (${e.status}) | | | |`);
      e.changes.forEach((c, i) =>
        out.push(
          `| ${i === 0 ? `${cell(code(id))} (${e.status})` : ''} | ${cell(code(c.field))} | ${cell(code(brief(c.before)))} | ${cell(code(brief(c.after)))} |`,
        ),
      );
    }
    out.push('');
  }

  if (d.artifacts.length) {
    out.push('#### Generated files', '');
    let budget = opts.maxPatchChars ?? 40_000;
    for (const a of d.artifacts) {
      const s = patchStats(a.patch);
      const summary = `<summary><code>${text(a.path)}</code> (${a.status}, +${s.added} −${s.removed})</summary>`;
      let body = a.patch.replace(/\n$/, '');
      let note = '';
      if (body.length > budget) {
        const cut = body.lastIndexOf('\n', Math.max(0, budget));
        body = cut > 0 ? body.slice(0, cut) : '';
        note = `\n_Patch cut short: run \`switchyard diff\` locally for the whole of ${text(a.path)}._\n`;
      }
      budget = Math.max(0, budget - body.length);
      out.push('<details>', summary, '');
      if (body) {
        const f = fence(body);
        out.push(`${f}diff`, body, f);
      }
      if (note) out.push(note);
      out.push('</details>', '');
    }
  }

  out.push(`<sub>switchyard diff · fails at ${r.failOn} · levels: none, low, medium, high, critical</sub>`);
  return `${out.join('\n')}\n`;
}
