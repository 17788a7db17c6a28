/**
 * Mermaid xychart (xychart-beta) for the simulation sections of pull-request
 * comments: categories on x, one bar series and line series on one y axis.
 * Labels go through mermaidText; values are finite numbers (a missing value
 * is drawn as `missing`, stated in the caption beside the chart).
 */
import { mermaidText } from '../../escape/mermaid.ts';

export interface Series {
  kind: 'bar' | 'line';
  values: ReadonlyArray<number | null>;
}

const value = (v: number | null, missing: number) => String(Number((v === null || !Number.isFinite(v) ? missing : v).toFixed(2)));

export function xyChart(
  title: string,
  categories: readonly string[],
  yLabel: string,
  yMin: number,
  yMax: number,
  series: readonly Series[],
  missing = 0,
): string {
  const lines = ['xychart-beta', `    title "${mermaidText(title)}"`];
  lines.push(`    x-axis [${categories.map((c) => `"${mermaidText(c)}"`).join(', ')}]`);
  lines.push(`    y-axis "${mermaidText(yLabel)}" ${value(yMin, 0)} --> ${value(yMax, 0)}`);
  for (const s of series) lines.push(`    ${s.kind} [${s.values.map((v) => value(v, missing)).join(', ')}]`);
  return lines.join('\n');
}
