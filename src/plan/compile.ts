/**
 * The compiler's front door: semantic checks, then normalization and the
 * hash. Pure and deterministic: the same policy gives the same plan, byte
 * for byte, whatever the order of its top-level lists.
 */
import { policyCatalog } from './capacity/catalog.ts';
import { checkCapacity } from './checks/capacity.ts';
import { hasErrors } from '../diagnostics/diagnostic.ts';
import type { Policy } from '../model/policy.ts';
import { runChecks } from './checks/index.ts';
import { planHash } from './hash.ts';
import { normalizePolicy } from './normalize/index.ts';
import { planPathToPolicyPath } from './origins.ts';
import type { CompiledPlan, CompileResult } from './types.ts';

export { planPathToPolicyPath } from './origins.ts';

/**
 * With any error Diagnostic there is no plan (and origins is empty); warnings
 * come back beside the plan. The capacity check needs resolved pools, so it
 * runs on the normalized plan and its plan paths are mapped back to the policy.
 */
export function compilePolicy(policy: Policy): CompileResult {
  const diagnostics = runChecks(policy);
  if (hasErrors(diagnostics)) return { origins: {}, diagnostics };
  const { plan, origins } = normalizePolicy(policy);
  for (const d of checkCapacity(plan.pools, policyCatalog(policy.models))) diagnostics.push({ ...d, path: planPathToPolicyPath(origins, d.path) });
  if (hasErrors(diagnostics)) return { origins: {}, diagnostics };
  // `hash` goes first only for readers of the object; plan.json sorts keys anyway.
  const compiled: CompiledPlan = { hash: planHash(plan), ...plan };
  return { plan: compiled, origins, diagnostics };
}
