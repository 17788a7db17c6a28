/** The profile a batch command works on, from the plan the command read. */
import { BATCH_GROUP_PREFIX, type CompiledPlan, type PlanBatchProfile } from '../plan/types.ts';
import { BatchError } from './errors.ts';

export function profileOf(plan: CompiledPlan, id: string): PlanBatchProfile {
  const p = Object.hasOwn(plan.batchProfiles, id) ? plan.batchProfiles[id] : undefined;
  if (!p) {
    const known = Object.keys(plan.batchProfiles).sort();
    throw new BatchError(`plan ${plan.name} has no batch profile ${JSON.stringify(id)}${known.length ? `; known: ${known.join(', ')}` : ' (it defines none)'}`);
  }
  return p;
}

/** The model group name batch spend carries in the request log. */
export const spendGroup = (p: PlanBatchProfile) => `${BATCH_GROUP_PREFIX}${p.id}`;
/** The tenant batch spend is billed to: the profile's, or the profile itself. */
export const spendTenant = (p: PlanBatchProfile) => p.tenant ?? spendGroup(p);
