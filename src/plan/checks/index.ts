/**
 * The semantic checks: what zod cannot see because it needs the whole policy
 * (references between objects, graphs, cross-object uniqueness). Each check
 * is `(policy) => Diagnostic[]` with policy paths; they run in this fixed
 * order so output is stable.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { Policy } from '../../model/policy.ts';
import { checkBatchPricing, checkBatchProviders, checkRedactionPatterns } from './batch.ts';
import { checkDuplicates } from './duplicates.ts';
import { checkContextWindowFallbacks, checkFallbackCycles, checkSelfFallbacks } from './fallbacks.ts';
import { checkEmptyGroups, checkOrderedGroups, checkUnusedDeployments, checkWeights } from './groups.ts';
import { checkDeploymentPools, checkGpuPlacement, checkModelDeclarations, checkTensorParallel } from './pools.ts';
import { checkNothingRouted, checkPassthroughGroups, checkPassthroughProviders } from './providers.ts';
import { checkReferences } from './references.ts';
import { checkTenantKeys } from './tenants.ts';

export type Check = (policy: Policy) => Diagnostic[];

const CHECKS: readonly Check[] = [
  checkDuplicates,
  checkReferences,
  checkEmptyGroups,
  checkWeights,
  checkOrderedGroups,
  checkSelfFallbacks,
  checkFallbackCycles,
  checkContextWindowFallbacks,
  checkTenantKeys,
  checkDeploymentPools,
  checkTensorParallel,
  checkGpuPlacement,
  checkModelDeclarations,
  checkBatchProviders,
  checkBatchPricing,
  checkRedactionPatterns,
  checkUnusedDeployments,
  checkPassthroughProviders,
  checkPassthroughGroups,
  checkNothingRouted,
];

export function runChecks(policy: Policy): Diagnostic[] {
  return CHECKS.flatMap((check) => check(policy));
}
