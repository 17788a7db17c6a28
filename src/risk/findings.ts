/**
 * Rule output -> findings -> Diagnostics located in the policy source.
 * Rules answer in plan terms; users edit policies, so every finding's path
 * goes back through the plan's origins to the policy line.
 */
import { RISK_LEVELS, type Diagnostic, type RiskLevel, type SourceLocation } from '../diagnostics/diagnostic.ts';
import { formatPath } from '../diagnostics/path.ts';
import { planPathToPolicyPath } from '../plan/origins.ts';
import type { PlanOrigins } from '../plan/types.ts';
import { FINDING_SETS, type FindingSet, type RiskFinding } from './types.ts';

const isLevel = (l: unknown): l is RiskLevel => typeof l === 'string' && (RISK_LEVELS as readonly string[]).includes(l);

/** What a rule's METADATA may supply for the findings it makes (see ruleDefaults). */
export interface FindingDefaults {
  level?: RiskLevel;
  title?: string;
  link?: string;
}

/**
 * Validates the JSON a rule set evaluated to; a malformed finding is
 * reported, not dropped. A finding without a level, title or link takes
 * them from `defaults` (its rule's annotations).
 */
export function parseFindings(set: FindingSet, value: unknown, defaults: FindingDefaults = {}): RiskFinding[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`data.switchyard.risk.${set} must be a set of findings, got ${typeof value}`);
  return value.map((f: Record<string, unknown>) => {
    const path = f?.path;
    const okPath = typeof path === 'string' || (Array.isArray(path) && path.every((p) => typeof p === 'string' || typeof p === 'number'));
    const level = f?.level ?? defaults.level;
    if (typeof f?.id !== 'string' || typeof f.msg !== 'string' || !okPath || !isLevel(level))
      throw new Error(
        `malformed finding in data.switchyard.risk.${set}: ${JSON.stringify(f)} (need id, msg, path, and a level in the finding or in its rule's METADATA custom.level)`,
      );
    const title = typeof f.title === 'string' ? f.title : defaults.title;
    const link = typeof f.link === 'string' ? f.link : defaults.link;
    return { set, id: f.id, msg: f.msg, path: path as RiskFinding['path'], level, ...(title ? { title } : {}), ...(link ? { link } : {}) };
  });
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Defaults from a rule's METADATA chain (rego.metadata.chain() as JSON, the
 * rule's own annotations first): the first custom.level (or custom.severity,
 * as conftest policies often say), title and related_resources[0].ref found.
 */
export function ruleDefaults(chain: readonly unknown[]): FindingDefaults {
  const out: FindingDefaults = {};
  for (const entry of chain) {
    const a = isRecord(entry) && isRecord(entry.annotations) ? entry.annotations : undefined;
    if (!a) continue;
    const custom = isRecord(a.custom) ? a.custom : {};
    const level = typeof custom.level === 'string' ? custom.level : typeof custom.severity === 'string' ? custom.severity : undefined;
    if (out.level === undefined && level !== undefined) {
      const l = level.toLowerCase();
      if (!isLevel(l) || l === 'none') throw new Error(`METADATA custom.level ${JSON.stringify(level)} is not one of low, medium, high, critical`);
      out.level = l;
    }
    // Both reach terminals and CI annotations: no control characters, links without spaces.
    if (out.title === undefined && typeof a.title === 'string') out.title = a.title.replace(/[\x00-\x1f\x7f]/g, ' ');
    const first = Array.isArray(a.related_resources) ? a.related_resources[0] : undefined;
    if (out.link === undefined && isRecord(first) && typeof first.ref === 'string') {
      if (!/^[^\s\x00-\x1f\x7f]{1,2048}$/.test(first.ref)) throw new Error(`METADATA related_resources ref ${JSON.stringify(first.ref)} is not a link`);
      out.link = first.ref;
    }
  }
  return out;
}

export function findingsFromResult(result: Partial<Record<FindingSet, unknown>>): RiskFinding[] {
  return FINDING_SETS.flatMap((set) => parseFindings(set, result[set]));
}

const planPathText = (path: RiskFinding['path']): string => (typeof path === 'string' ? path : formatPath(path));

const SEVERITY: Record<FindingSet, Diagnostic['severity']> = { deny: 'error', warn: 'warning', risk: 'warning' };

export async function findingsToDiagnostics(
  findings: readonly RiskFinding[],
  origins: PlanOrigins,
  locate: (policyPath: string) => Promise<SourceLocation | undefined>,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const f of findings) {
    const planPath = planPathText(f.path);
    const policyPath = planPathToPolicyPath(origins, planPath) || planPath;
    const d: Diagnostic = { severity: SEVERITY[f.set], code: f.id, message: f.msg, path: policyPath, level: f.level };
    if (f.title) d.title = f.title;
    if (f.link) d.link = f.link;
    const source = await locate(policyPath);
    if (source) d.source = source;
    out.push(d);
  }
  return out;
}

/** The highest level among findings, `none` without any. */
export function overallLevel(findings: readonly { level: RiskLevel }[]): RiskLevel {
  let max = 0;
  for (const f of findings) max = Math.max(max, RISK_LEVELS.indexOf(f.level));
  return RISK_LEVELS[max]!;
}
