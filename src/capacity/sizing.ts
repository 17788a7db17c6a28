/**
 * The batching knobs a pool's engine gets, from the KV cache it has and the
 * request sizes the policy expects (`expected.promptTokens`,
 * `expected.completionTokens`). Chunked prefill is always on, so a prompt
 * longer than max-num-batched-tokens is prefilled in several steps rather than
 * refused.
 */
import { blocksFor, BLOCK_TOKENS } from './kv-cache.ts';

/** vLLM's default max-num-seqs (below H100-class GPUs) and our ceiling: more sequences buy little on one engine and cost sampler memory. */
export const MAX_NUM_SEQS = 256;
const MIN_BATCHED_TOKENS = 2048;
/** Past this a single step's latency hurts decoding requests more than longer prompts gain. */
const MAX_BATCHED_TOKENS = 16_384;
const BATCHED_TOKENS_STEP = 512;
const BATCHED_TOKENS_FLOOR_STEP = 256;

const roundUp = (n: number, step: number) => Math.ceil(n / step) * step;

/**
 * max-num-batched-tokens before the KV cache is known (the start-up profile,
 * and so the reserve, depend on it): room for one expected prompt in a single
 * prefill step, at least 2,048 (vLLM's own default with chunked prefill), at
 * most 16,384, in multiples of 512 (kernel tile and CUDA-graph friendly).
 */
export function profiledBatchedTokens(expectedPromptTokens: number): number {
  return roundUp(Math.min(Math.max(expectedPromptTokens, MIN_BATCHED_TOKENS), MAX_BATCHED_TOKENS), BATCHED_TOKENS_STEP);
}

/**
 * max-num-seqs: how many requests of the expected size (prompt + completion,
 * in whole blocks) the KV cache holds at once, so admitted requests are not
 * preempted for lack of cache; clamped to [1, 256]; then rounded down to a
 * CUDA-graph capture size (1, 2, 4, then multiples of 8), the batch sizes vLLM
 * runs decoding at without padding.
 */
export function chooseMaxNumSeqs(kvBlocks: number, expected: { promptTokens: number; completionTokens: number }): number {
  const n = Math.min(Math.max(Math.floor(kvBlocks / blocksFor(expected.promptTokens + expected.completionTokens)), 1), MAX_NUM_SEQS);
  if (n >= 8) return Math.floor(n / 8) * 8;
  return 2 ** Math.floor(Math.log2(n));
}

/**
 * max-num-batched-tokens: the profiled value, but never more than the KV
 * cache holds (a step cannot schedule tokens it has no blocks for); when cut,
 * rounded down to a multiple of 256 (or whole blocks below 256), and never
 * below max-num-seqs, which vLLM requires.
 */
export function chooseMaxNumBatchedTokens(profiled: number, kvTokens: number, maxNumSeqs: number): number {
  if (kvTokens >= profiled) return profiled;
  const cut =
    kvTokens >= BATCHED_TOKENS_FLOOR_STEP
      ? Math.floor(kvTokens / BATCHED_TOKENS_FLOOR_STEP) * BATCHED_TOKENS_FLOOR_STEP
      : Math.floor(kvTokens / BLOCK_TOKENS) * BLOCK_TOKENS;
  return Math.max(cut, maxNumSeqs);
}
