/**
 * GPU memory and KV-cache arithmetic for vLLM engines, and the model catalog
 * it needs: plain inputs, plain outputs, nothing of the plan. Sizing a plan's
 * engines is the compiler's job (src/plan/capacity/engine.ts), and so is
 * refusing one that cannot start (src/plan/checks/capacity.ts).
 */
export { CATALOG, findModel, type ModelArchitecture } from './catalog.ts';
export type { Dtype, KvCacheDtype, Quantization } from './dtypes.ts';
export { estimateEngine, type EngineConfig, type EngineEstimate } from './estimate.ts';
export { GIB, USABLE_FRACTION, visibleGpuBytes } from './gpu-memory.ts';
export { kvBytesPerTokenPerGpu, kvTokensFor } from './kv-cache.ts';
export { reserveBytes, type Reserve, type ReserveInput } from './reserve.ts';
export { chooseMaxNumBatchedTokens, chooseMaxNumSeqs, profiledBatchedTokens } from './sizing.ts';
export { parameterCounts, weightBytesPerGpu, type ParameterCounts } from './weights.ts';
