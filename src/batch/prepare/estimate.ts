/**
 * What a prepared batch should cost, at the batch rate and at the
 * synchronous price of the same model from the plan. Input tokens are
 * estimated at four characters of request body per token (OpenAI's rule of
 * thumb for English text); output tokens are the requests' own limits
 * (max_tokens and the like), so that figure is an upper bound and requests
 * without a limit are counted apart.
 */
import { tokenCostUsd } from '../../plan/pricing.ts';
import type { PlanBatchProfile, PlanPricing } from '../../plan/types.ts';

const CHARS_PER_TOKEN = 4;

export interface Estimate {
  inputTokens: number;
  /** Sum of the requests' output limits: an upper bound. */
  outputTokens: number;
  /** Requests that set no output limit (not in outputTokens). */
  uncappedRequests: number;
  batchUsd: number;
  synchronousUsd: number | null;
  savedUsd: number | null;
}

export class EstimateAccumulator {
  private chars = 0;
  private output = 0;
  private uncapped = 0;

  /** Adds the sums of some requests: body characters, output caps, and how many had no cap. */
  addTotals(bodyChars: number, outputTokens: number, uncapped: number): void {
    this.chars += bodyChars;
    this.output += outputTokens;
    this.uncapped += uncapped;
  }

  result(profile: PlanBatchProfile): Estimate {
    const inputTokens = Math.ceil(this.chars / CHARS_PER_TOKEN);
    const cost = (p: PlanPricing) => tokenCostUsd(p, inputTokens, this.output);
    const batchUsd = cost(profile.pricing.batch);
    const sync = profile.pricing.synchronous;
    const synchronousUsd = sync ? cost(sync) : null;
    return {
      inputTokens,
      outputTokens: this.output,
      uncappedRequests: this.uncapped,
      batchUsd,
      synchronousUsd,
      savedUsd: synchronousUsd === null ? null : synchronousUsd - batchUsd,
    };
  }
}
