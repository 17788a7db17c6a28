import type { PlanBatchProfile } from './types.ts';

/** Fraction of the synchronous price the batch price saves, to 4 decimals; null without a synchronous price. */
export function batchSavings(p: PlanBatchProfile): number | null {
  const s = p.pricing.synchronous;
  if (!s) return null;
  const sync = s.inputPer1M + s.outputPer1M;
  if (sync === 0) return null;
  return Math.round((1 - (p.pricing.batch.inputPer1M + p.pricing.batch.outputPer1M) / sync) * 10_000) / 10_000;
}
