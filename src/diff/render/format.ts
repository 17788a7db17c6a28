/** Number and text formatting shared by the diff renderers. */
import type { DiffReport } from '../report.ts';
import type { Change, EntityStatus, FieldChange, PlanDiff } from '../types.ts';

export { num, pct, usd } from '../../diagnostics/format.ts';
import { pct } from '../../diagnostics/format.ts';

export const signedPct = (n: number | null): string => (n === null ? 'n/a' : `${n > 0 ? '+' : ''}${Number(n.toFixed(1))}%`);

export const changed = <T>(c: Change<T>): boolean => JSON.stringify(c.before) !== JSON.stringify(c.after);

/** A JSON value short enough for one line. */
export function brief(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string') return v;
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

export const chain = (xs: readonly string[]): string => `[${xs.join(', ')}]`;

/** Shares as `openai 60% -> 40%` for every key on either side whose share moved. */
export function shareMoves(c: Change<Record<string, number>>): string[] {
  const keys = [...new Set([...Object.keys(c.before), ...Object.keys(c.after)])].sort();
  return keys.filter((k) => (c.before[k] ?? 0) !== (c.after[k] ?? 0)).map((k) => `${k} ${pct(c.before[k] ?? 0)} -> ${pct(c.after[k] ?? 0)}`);
}

/** Lines added and removed by a unified patch (file headers not counted). */
export function patchStats(patch: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+++') || line.startsWith('---')) continue;
    if (line.startsWith('+')) added++;
    else if (line.startsWith('-')) removed++;
  }
  return { added, removed };
}

export function countsText(r: DiffReport): string {
  const n = r.findings.length;
  if (n === 0) return 'no findings';
  const parts = (['critical', 'high', 'medium', 'low'] as const).filter((l) => r.counts[l] > 0).map((l) => `${r.counts[l]} ${l}`);
  return `${n} finding${n === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What changed, entity counts only: for summary lines. */
export function changeCounts(r: DiffReport) {
  const d = r.diff;
  return {
    groups: Object.keys(d.groups).length,
    deployments: Object.keys(d.deployments).length,
    tenants: Object.keys(d.tenants).length,
    poolModels: Object.keys(d.poolModels).length,
    batchProfiles: Object.keys(d.batchProfiles).length,
    artifacts: d.artifacts.length,
  };
}

/** A plan hash without its algorithm prefix, cut to 12 hex digits. */
export const shortHash = (h: string): string => h.replace(/^[a-z0-9]+:/, '').slice(0, 12);

/** One entity with field-level changes (a deployment, pool model or batch profile). */
export type FieldEntity = { status: EntityStatus; changes: FieldChange[] };

/** The field-level entity sections every renderer lists, in order, only those with changes. */
export function fieldSections(d: PlanDiff): Array<[string, Array<[string, FieldEntity]>]> {
  const sections: Array<[string, Record<string, FieldEntity>]> = [
    ['Deployments', d.deployments],
    ['Pool models', d.poolModels],
    ['Batch profiles', d.batchProfiles],
  ];
  return sections
    .map(([title, entities]): [string, Array<[string, FieldEntity]>] => [title, Object.entries(entities)])
    .filter(([, entries]) => entries.length > 0);
}
