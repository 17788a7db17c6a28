import type { BatchProfile } from '../../model/batch-profile.ts';
import { PII_DETECTORS } from '../../model/redaction.ts';
import { compareStrings } from '../defaults.ts';
import { recordOrigin } from '../origins.ts';
import type { PlanBatchPricing, PlanBatchProfile, PlanDeployment, PlanOrigins, ProviderKind } from '../types.ts';
import { keyed, sortedStrings } from './keyed.ts';

/** Prices are kept to 1e-9 USD per 1M tokens so a discount does not put float noise into plan.json. */
const price = (x: number) => Math.round(x * 1e9) / 1e9;

/**
 * The deployment of the same provider and model (first by id when several)
 * gives the synchronous price; the batch price is the profile's own or that
 * price less the discount. The checks report a profile with neither.
 */
function batchPricing(b: BatchProfile, deployments: ReadonlyMap<string, PlanDeployment>): PlanBatchPricing | null {
  const same = [...deployments.values()].filter((d) => d.provider === b.provider && d.model === b.model).sort((x, y) => compareStrings(x.id, y.id))[0];
  const synchronous = same ? { ...same.pricing } : null;
  const batch =
    b.pricing !== undefined
      ? { inputPer1M: b.pricing.inputPer1M, outputPer1M: b.pricing.outputPer1M }
      : synchronous && {
          inputPer1M: price(synchronous.inputPer1M * (1 - b.batchDiscount)),
          outputPer1M: price(synchronous.outputPer1M * (1 - b.batchDiscount)),
        };
  return batch ? { batch, synchronous, deployment: same?.id ?? null } : null;
}

export function normalizeBatchProfile(
  b: BatchProfile,
  i: number,
  providerKind: ProviderKind,
  deployments: ReadonlyMap<string, PlanDeployment>,
  origins: PlanOrigins,
): PlanBatchProfile {
  recordOrigin(origins, ['batchProfiles', b.id], ['batchProfiles', i]);
  const pricing = batchPricing(b, deployments);
  if (!pricing) throw new Error(`internal error: batch profile ${b.id} has no price; the semantic checks should have reported it`);
  const enabled = b.redaction.enabled;
  return {
    id: b.id,
    description: b.description ?? null,
    provider: b.provider,
    providerKind,
    endpoint: b.endpoint,
    model: b.model,
    // The schema only admits whole hours; OpenAI's Batch API takes only 24h, which the runner checks before uploading.
    completionWindowHours: Number.parseInt(b.completionWindow, 10),
    maxRequestsPerFile: b.maxRequestsPerFile,
    maxFileBytes: b.maxFileSizeMb * 1_000_000,
    dataClasses: sortedStrings(b.dataClasses),
    redaction: {
      enabled,
      detectors: enabled ? sortedStrings([...new Set(b.redaction.detectors ?? PII_DETECTORS)]) : [],
      rules: b.redaction.rules.map((r) => ({ name: r.name, pattern: r.pattern, replacement: r.replacement })),
      reidentify: enabled && b.redaction.reidentify,
    },
    metadata: keyed(Object.entries(b.metadata)),
    slaHours: b.slaHours,
    tenant: b.tenant ?? null,
    pricing,
  };
}
