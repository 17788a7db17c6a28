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

/** Validates the JSON a rule set evaluated to; a malformed finding is reported, not dropped. */
export function parseFindings(set: FindingSet, value: unknown): RiskFinding[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`data.switchyard.risk.${set} must be a set of findings, got ${typeof value}`);
  return value.map((f: Record<string, unknown>) => {
    const path = f?.path;
    const okPath = typeof path === 'string' || (Array.isArray(path) && path.every((p) => typeof p === 'string' || typeof p === 'number'));
    if (typeof f?.id !== 'string' || typeof f.msg !== 'string' || !okPath || !isLevel(f.level))
      throw new Error(`malformed finding in data.switchyard.risk.${set}: ${JSON.stringify(f)} (need id, msg, path, level)`);
    return { set, id: f.id, msg: f.msg, path: path as RiskFinding['path'], level: f.level };
  });
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
