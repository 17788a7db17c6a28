import type { PlanPricing } from './types.ts';

/** What `input` prompt and `output` completion tokens cost at a price per 1M tokens, in USD. One formula for the simulator, the batch runner and the diff. */
export const tokenCostUsd = (p: PlanPricing, input: number, output: number): number => (input * p.inputPer1M + output * p.outputPer1M) / 1e6;
