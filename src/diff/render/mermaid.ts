/**
 * Mermaid charts for the markdown report. Only a small, fixed subset of
 * Mermaid is emitted (pie charts and left-to-right flowcharts), and every
 * piece of user text goes through an escaper, so a policy name can never
 * break a chart: test/diff/render-mermaid.test.ts runs Mermaid's own parser
 * over arbitrary diffs.
 */
import { mermaidText } from '../../diagnostics/markdown.ts';

/**
 * Text inside a flowchart node label `["..."]`: everything outside a safe
 * set becomes a numeric entity (`#35;`), which Mermaid decodes when it draws.
 */
function flowLabel(s: string): string {
  const safe = [...s].map((ch) => (/^[A-Za-z0-9 ._\-/:()]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`)).join('');
  return safe.trim() === '' ? '#160;' : safe;
}

/** Node and subgraph ids: letters, digits and underscores, with a prefix so no id is a keyword. */
const nodeId = (prefix: string, i: number): string => `${prefix.replace(/[^A-Za-z0-9_]/g, '_')}_${i}`;

/** A pie of percentage shares; zero and negative slices are left out (a pie cannot draw them). */
export function pieChart(title: string, shares: Record<string, number>): string | undefined {
  const slices = Object.entries(shares)
    .filter(([, v]) => Number.isFinite(v) && v > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (slices.length === 0) return undefined;
  const lines = [`pie showData title ${mermaidText(title)}`];
  for (const [k, v] of slices) lines.push(`    "${mermaidText(k)}" : ${Number(v.toFixed(1))}`);
  return lines.join('\n');
}

/**
 * A group's fallback chain before and after, side by side: the group, then
 * each fallback in the order the router tries them. Removed entries are red,
 * added ones green.
 */
export function fallbackFlowchart(group: string, before: readonly string[], after: readonly string[]): string {
  const lines = ['flowchart LR'];
  const classes: Record<'removed' | 'added', string[]> = { removed: [], added: [] };
  for (const [side, list, other, cls] of [
    ['before', before, after, 'removed'],
    ['after', after, before, 'added'],
  ] as const) {
    const prefix = side === 'before' ? 'b' : 'a';
    const ids = [group, ...list].map((_, i) => nodeId(prefix, i));
    lines.push(`    subgraph ${side}_chain["${side}"]`, '        direction LR');
    lines.push(`        ${ids[0]}["${flowLabel(group)}"]`);
    list.forEach((name, i) => {
      lines.push(`        ${ids[i + 1]}["${flowLabel(name)}"]`);
      if (!other.includes(name)) classes[cls].push(ids[i + 1]!);
    });
    for (let i = 1; i < ids.length; i++) lines.push(`        ${ids[i - 1]} --> ${ids[i]}`);
    lines.push('    end');
  }
  lines.push('    classDef removed fill:#fde2e1,stroke:#c0392b', '    classDef added fill:#e2f5e4,stroke:#1e8449');
  for (const cls of ['removed', 'added'] as const) if (classes[cls].length) lines.push(`    class ${classes[cls].join(',')} ${cls}`);
  return lines.join('\n');
}
