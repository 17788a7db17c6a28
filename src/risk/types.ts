/**
 * The risk-rule contract. Rules (Rego, in policies/risk/) read
 * `{ plan, base, diff, simulation }` and add findings `{ id, msg, path, level }` to the
 * sets `deny`, `warn` and `risk` of package `switchyard.risk`. Engines are
 * interchangeable behind PolicyEngine: the built-in interpreter, or OPA's
 * own compiled Wasm.
 */
import type { RiskLevel } from '../diagnostics/diagnostic.ts';
import type { PlanDiff } from '../diff/types.ts';
import type { CompiledPlan } from '../plan/types.ts';
import type { SimulationComparison } from '../simulate/compare.ts';

export const RISK_PACKAGE = 'switchyard.risk';
export const FINDING_SETS = ['deny', 'warn', 'risk'] as const;
export type FindingSet = (typeof FINDING_SETS)[number];

export interface RiskInput {
  plan: CompiledPlan;
  base: CompiledPlan | null;
  diff: PlanDiff | null;
  /** Baseline and N-1 simulated on base and head (switchyard diff, when routing changed); null (or absent) where not computed. */
  simulation?: SimulationComparison | null;
}

export interface RiskFinding {
  set: FindingSet;
  id: string;
  msg: string;
  /** Plan path: the rule's array of segments, or a formatted path. */
  path: Array<string | number> | string;
  level: RiskLevel;
  /** From the rule's METADATA title (or the finding's own `title`). */
  title?: string;
  /** From the rule's METADATA related_resources (or the finding's own `link`). */
  link?: string;
}

export interface PolicyEngine {
  readonly name: string;
  evaluate(input: RiskInput): Promise<RiskFinding[]>;
}
