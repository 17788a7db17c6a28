/**
 * `openai/batch-profiles.json`: each batch profile as the batch runner
 * (`switchyard batch`) and the OpenAI Batch API see it — endpoint, model,
 * completion window, file limits, the metadata sent with every batch, the
 * redaction that runs before a file leaves, and the price per 1M tokens at
 * the batch rate next to the synchronous one. Secrets appear as references
 * only. The runner reads the same values from plan.json; this file is for
 * people and tools outside Switchyard.
 */
import { stableStringify } from '../plan/canonical-json.ts';
import { compareStrings } from '../plan/defaults.ts';
import { batchSavings } from '../plan/batch-savings.ts';
import { BATCH_GROUP_PREFIX, BATCH_METADATA_KEYS, type Artifact, type CompiledPlan, type PlanBatchProfile, type PlanPricing } from '../plan/types.ts';
import { BATCH_PROFILES_PATH } from './paths.ts';
import type { Target } from './target.ts';

const per1M = (p: PlanPricing) => ({ input: p.inputPer1M, output: p.outputPer1M });

function profileView(plan: CompiledPlan, p: PlanBatchProfile) {
  const provider = plan.providers[p.provider];
  return {
    description: p.description,
    provider: { id: p.provider, kind: p.providerKind, apiBase: provider?.apiBase ?? null, apiKey: provider?.apiKey?.ref ?? null },
    endpoint: p.endpoint,
    model: p.model,
    completionWindow: `${p.completionWindowHours}h`,
    limits: { maxRequestsPerFile: p.maxRequestsPerFile, maxFileBytes: p.maxFileBytes },
    metadata: { ...p.metadata, [BATCH_METADATA_KEYS.profile]: p.id },
    runnerMetadataKeys: [BATCH_METADATA_KEYS.key, BATCH_METADATA_KEYS.profile],
    redaction: {
      enabled: p.redaction.enabled,
      detectors: p.redaction.detectors,
      rules: p.redaction.rules,
      reidentify: p.redaction.reidentify,
    },
    dataClasses: p.dataClasses,
    slaHours: p.slaHours,
    pricePer1M: {
      batch: per1M(p.pricing.batch),
      synchronous: p.pricing.synchronous && per1M(p.pricing.synchronous),
      synchronousDeployment: p.pricing.deployment,
      savings: batchSavings(p),
    },
    spend: { tenant: p.tenant ?? `${BATCH_GROUP_PREFIX}${p.id}`, modelGroup: `${BATCH_GROUP_PREFIX}${p.id}`, deployment: p.pricing.deployment },
  };
}

export function emitOpenaiBatch(plan: CompiledPlan): Artifact[] {
  const ids = Object.keys(plan.batchProfiles).sort(compareStrings);
  if (ids.length === 0) return [];
  const content = {
    generatedBy: 'switchyard',
    plan: { name: plan.name, hash: plan.hash },
    run: 'switchyard batch prepare --profile <id> --input <file.jsonl|dir>, then submit, watch and collect (README: Running a batch profile)',
    profiles: Object.fromEntries(ids.map((id) => [id, profileView(plan, plan.batchProfiles[id]!)])),
  };
  return [{ path: BATCH_PROFILES_PATH, content: stableStringify(content), mediaType: 'application/json' }];
}

export const openaiBatchTarget: Target = { id: 'openai-batch', emit: emitOpenaiBatch };
