import { stableStringify } from '../plan/canonical-json.ts';
import type { Artifact, CompiledPlan } from '../plan/types.ts';

/** plan.json: the plan itself, for the runtime, the diff and the risk rules. */
export function emitPlanJson(plan: CompiledPlan): Artifact[] {
  return [{ path: 'plan.json', content: stableStringify(plan), mediaType: 'application/json' }];
}
