import { compareStrings } from '../plan/defaults.ts';
import type { Artifact, CompiledPlan } from '../plan/types.ts';
import { emitPlanJson } from './plan-json.ts';
import { emitVllm } from './vllm.ts';

/** Every emitter; each is `(plan) => Artifact[]`, pure. Add new targets here. */
export const EMITTERS: readonly ((plan: CompiledPlan) => Artifact[])[] = [emitPlanJson, emitVllm];

/** All artifacts of a plan, sorted by path so the writer and the drift check see one order. */
export function emitAll(plan: CompiledPlan): Artifact[] {
  return EMITTERS.flatMap((emit) => emit(plan)).sort((a, b) => compareStrings(a.path, b.path));
}
