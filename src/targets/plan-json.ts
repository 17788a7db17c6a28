import { stableStringify } from '../plan/canonical-json.ts';
import { PLAN_JSON_PATH } from './paths.ts';
import type { Target } from './target.ts';

/** plan.json: the plan itself, for the runtime, the diff and the risk rules. */
export const planJsonTarget: Target = {
  id: 'plan-json',
  emit: (plan) => [{ path: PLAN_JSON_PATH, content: stableStringify(plan), mediaType: 'application/json' }],
};
