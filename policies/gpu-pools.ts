import { defineGpuPools } from 'switchyard';

/**
 * Pools A and B are RTX 5090 hosts (32 GB per GPU) with 32K context, pool C
 * an RTX 3090 (24 GB) with 16K. Llama 3.1 8B is the primary local model on
 * every pool; the premium 70B runs AWQ-quantized with tensor parallelism over
 * two 5090s, one from pool A and one from pool B. vLLM reads AWQ weights from
 * the checkpoint (it does not quantize while loading), so the 70B names an
 * AWQ INT4 checkpoint of Llama 3.1 70B Instruct, not Meta's bf16 one.
 *
 * Every vLLM engine needs GPUs of its own (gpu-memory-utilization is a share
 * of a whole GPU), so A and B carry two 5090s each: one for their 8B engine,
 * one for their half of the 70B. With a single 5090 per pool the 8B and the
 * 70B shard could not both start (switchyard reports gpu-overcommitted).
 */
export const gpuPools = defineGpuPools([
  {
    id: 'pool-a',
    gpu: { model: 'RTX 5090', vramGb: 32, count: 2 },
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
        model: 'hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4',
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
    gpu: { model: 'RTX 5090', vramGb: 32, count: 2 },
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
