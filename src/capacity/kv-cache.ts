/**
 * KV-cache arithmetic. Every layer stores a key and a value vector per KV
 * head per token; tensor parallelism gives each GPU ceil(kvHeads / tp) heads
 * (vLLM replicates heads when tp exceeds their number).
 */
import type { ModelArchitecture } from './catalog.ts';
import { kvDtypeBytes, type Dtype, type KvCacheDtype } from './dtypes.ts';

/** vLLM's default paged-attention block: the cache is allocated in whole blocks of this many tokens. */
export const BLOCK_TOKENS = 16;

/** 2 (K and V) x layers x ceil(kvHeads / tp) x headDim x element bytes: 131,072 for Llama 3.1 8B in 16 bits. */
export function kvBytesPerTokenPerGpu(a: ModelArchitecture, kv: KvCacheDtype, dtype: Dtype, tp: number): number {
  return 2 * a.layers * Math.ceil(a.kvHeads / tp) * a.headDim * kvDtypeBytes(kv, dtype, a);
}

/** Whole blocks that fit in `kvBytes` (0 when there is no room at all). */
export function kvBlocks(kvBytes: number, bytesPerToken: number): number {
  return kvBytes <= 0 ? 0 : Math.floor(kvBytes / (BLOCK_TOKENS * bytesPerToken));
}

/** Tokens the cache holds: vLLM's "GPU KV cache size: N tokens" is blocks x block size. */
export function kvTokensFor(kvBytes: number, bytesPerToken: number): number {
  return kvBlocks(kvBytes, bytesPerToken) * BLOCK_TOKENS;
}

/** Blocks one request of `tokens` tokens occupies. */
export function blocksFor(tokens: number): number {
  return Math.ceil(tokens / BLOCK_TOKENS);
}
