/**
 * The plan hash identifies a plan by content: the same policy compiled
 * anywhere gives the same hash, so CI, the diff and the runtime can tell
 * whether two plans are the same without comparing them. No zod here: the
 * runtime verifies plans with this file.
 */
import { createHash } from 'node:crypto';
import { stableStringify } from './canonical-json.ts';
import type { CompiledPlan } from './types.ts';

export const HASH_PREFIX = 'sha256:';

/**
 * `sha256:<hex>` of the compact canonical JSON (sorted keys, no
 * whitespace, final newline) of the plan without its `hash` field. Compact so
 * that the hash does not depend on how plan.json happens to be indented.
 */
export function planHash(planWithoutHash: Omit<CompiledPlan, 'hash'>): string {
  const { hash: _ignored, ...rest } = planWithoutHash as Omit<CompiledPlan, 'hash'> & { hash?: unknown };
  return HASH_PREFIX + createHash('sha256').update(stableStringify(rest, 0), 'utf8').digest('hex');
}

/** True when the plan's recorded hash matches its content. */
export function verifyPlanHash(plan: CompiledPlan): boolean {
  return typeof plan.hash === 'string' && plan.hash === planHash(plan);
}
