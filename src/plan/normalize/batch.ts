import type { BatchProfile } from '../../model/batch-profile.ts';
import { recordOrigin } from '../origins.ts';
import type { PlanBatchProfile, PlanOrigins, ProviderKind } from '../types.ts';
import { keyed, sortedStrings } from './keyed.ts';

export function normalizeBatchProfile(b: BatchProfile, i: number, providerKind: ProviderKind, origins: PlanOrigins): PlanBatchProfile {
  recordOrigin(origins, ['batchProfiles', b.id], ['batchProfiles', i]);
  return {
    id: b.id,
    description: b.description ?? null,
    provider: b.provider,
    providerKind,
    endpoint: b.endpoint,
    model: b.model,
    // The schema only admits whole hours (`24h`), which is also all the Batch API accepts.
    completionWindowHours: Number.parseInt(b.completionWindow, 10),
    maxRequestsPerFile: b.maxRequestsPerFile,
    dataClasses: sortedStrings(b.dataClasses),
    redaction: {
      enabled: b.redaction.enabled,
      rules: b.redaction.rules.map((r) => ({ name: r.name, pattern: r.pattern, replacement: r.replacement })),
    },
    metadata: keyed(Object.entries(b.metadata)),
    slaHours: b.slaHours,
  };
}
