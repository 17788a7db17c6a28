import { defineGpuPools } from 'switchyard';

/**
 * Pools A and B are single RTX 5090s (32 GB) with 32K context, pool C an
 * RTX 3090 (24 GB) with 16K. Llama 3.1 8B is the primary local model on
 * every pool; the premium 70B runs AWQ-quantized with tensor parallelism over
 * the 5090s of pools A and B.
 */
export const gpuPools = defineGpuPools([
  {
    id: 'pool-a',
    gpu: { model: 'RTX 5090', vramGb: 32, count: 1 },
    maxContext: 32_768,
    models: [
      {
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        servedName: 'llama-3.1-8b-instruct',
        dtype: 'bfloat16',
        tensorParallel: 1,
        port: 8000,
        expected: { promptTokens: 2_000, completionTokens: 400 },
      },
      {
        model: 'meta-llama/Llama-3.1-70B-Instruct',
        servedName: 'llama-3.1-70b-instruct',
        dtype: 'float16',
        quantization: 'awq',
        tensorParallel: 2,
        spansPools: ['pool-b'],
        port: 8001,
        expected: { promptTokens: 3_000, completionTokens: 800 },
      },
    ],
  },
  {
    id: 'pool-b',
    gpu: { model: 'RTX 5090', vramGb: 32, count: 1 },
    maxContext: 32_768,
    models: [
      {
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        servedName: 'llama-3.1-8b-instruct',
        dtype: 'bfloat16',
        tensorParallel: 1,
        port: 8000,
        expected: { promptTokens: 2_000, completionTokens: 400 },
      },
    ],
  },
  {
    id: 'pool-c',
    gpu: { model: 'RTX 3090', vramGb: 24, count: 1 },
    maxContext: 16_384,
    models: [
      {
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        servedName: 'llama-3.1-8b-instruct',
        dtype: 'bfloat16',
        tensorParallel: 1,
        port: 8000,
        expected: { promptTokens: 2_000, completionTokens: 400 },
      },
    ],
  },
]);
