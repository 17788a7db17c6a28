/**
 * What `switchyard diff` reports: the PlanDiff, the risk findings on it and
 * the overall level. Built by the CLI, printed by the renderers in render/;
 * `--json` prints this object as it is, so its shape is a contract like
 * PlanDiff's: add fields, never rename them.
 */
import { RISK_LEVELS, type Diagnostic, type RiskLevel } from '../diagnostics/diagnostic.ts';
import type { SimulationComparison } from '../simulate/compare.ts';
import { isEmptyDiff } from './plan-diff.ts';
import type { PlanDiff } from './types.ts';

/** A risk-rule finding located in the head policy; `set` is the rule set it came from. */
export interface DiffFinding extends Diagnostic {
  level: RiskLevel;
  set: 'deny' | 'warn' | 'risk';
}

export type FailOn = Exclude<RiskLevel, 'none'>;
export const FAIL_ON_LEVELS: readonly FailOn[] = ['low', 'medium', 'high', 'critical'];

export interface DiffReport {
  schemaVersion: 1;
  /** False when `level` reaches `failOn` (the command then exits 1). */
  ok: boolean;
  /** The highest level among the findings, `none` without any. */
  level: RiskLevel;
  failOn: FailOn;
  base: { ref: string; commit: string | null; planHash: string };
  head: { path: string; planHash: string };
  /** True when the compiled plans and generated files are the same. */
  empty: boolean;
  /** Findings per level. */
  counts: Record<FailOn, number>;
  /** Highest level first, then by file and line. */
  findings: DiffFinding[];
  diff: PlanDiff;
  /** Baseline and N-1 simulated on base and head (what the risk rules saw as input.simulation), or null. */
  simulation: SimulationComparison | null;
  /** Why there is no simulation (no routing change, --no-simulate, a GPU the simulator does not know), or null. */
  simulationNote: string | null;
}

const levelRank = (l: RiskLevel): number => RISK_LEVELS.indexOf(l);
const reaches = (level: RiskLevel, failOn: FailOn): boolean => levelRank(level) >= levelRank(failOn);

function compareFindings(a: DiffFinding, b: DiffFinding): number {
  const byLevel = levelRank(b.level) - levelRank(a.level);
  if (byLevel) return byLevel;
  const fa = a.source?.file ?? '\uffff';
  const fb = b.source?.file ?? '\uffff';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const byLine = (a.source?.line ?? 0) - (b.source?.line ?? 0);
  if (byLine) return byLine;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function buildReport(args: {
  diff: PlanDiff;
  findings: readonly DiffFinding[];
  failOn: FailOn;
  base: DiffReport['base'];
  head: DiffReport['head'];
  simulation?: SimulationComparison | null;
  simulationNote?: string | null;
}): DiffReport {
  const findings = [...args.findings].sort(compareFindings);
  const counts: Record<FailOn, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  let rank = 0;
  for (const f of findings) {
    if (f.level !== 'none') counts[f.level]++;
    rank = Math.max(rank, levelRank(f.level));
  }
  const level = RISK_LEVELS[rank]!;
  return {
    schemaVersion: 1,
    ok: !reaches(level, args.failOn),
    level,
    failOn: args.failOn,
    base: args.base,
    head: args.head,
    empty: isEmptyDiff(args.diff),
    counts,
    findings,
    diff: args.diff,
    simulation: args.simulation ?? null,
    simulationNote: args.simulationNote ?? null,
  };
}
