import { compareDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { compareStrings } from '../plan/defaults.ts';
import type { Artifact, CompiledPlan } from '../plan/types.ts';
import { emitDocs } from './docs.ts';
import { emitGrafana } from './grafana.ts';
import { emitLitellm, litellmLimitations } from './litellm.ts';
import { emitOpenaiBatch } from './openai-batch.ts';
import { emitPlanJson } from './plan-json.ts';
import { emitPrometheus } from './prometheus.ts';
import { emitSql } from './sql.ts';
import { emitVllm } from './vllm.ts';

/** Every emitter; each is `(plan) => Artifact[]`, pure. Add new targets here. */
export const EMITTERS: readonly ((plan: CompiledPlan) => Artifact[])[] = [
  emitPlanJson,
  emitVllm,
  emitLitellm,
  emitSql,
  (plan) => emitPrometheus(plan),
  emitGrafana,
  emitDocs,
  emitOpenaiBatch,
];

/** All artifacts of a plan, sorted by path so the writer and the drift check see one order. */
export function emitAll(plan: CompiledPlan): Artifact[] {
  return EMITTERS.flatMap((emit) => emit(plan)).sort((a, b) => compareStrings(a.path, b.path));
}

/** What each target cannot carry from the plan (and secrets it cannot reference); `(plan) => Diagnostic[]`, pure. */
export const TARGET_LIMITATIONS: readonly ((plan: CompiledPlan) => Diagnostic[])[] = [litellmLimitations];

/** Every target's limitations, sorted (path, then code, then message) so the CLI prints one stable list. */
export function targetDiagnostics(plan: CompiledPlan): Diagnostic[] {
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return TARGET_LIMITATIONS.flatMap((limits) => limits(plan)).sort((a, b) => compareDiagnostics(a, b) || order(a.code, b.code) || order(a.message, b.message));
}
