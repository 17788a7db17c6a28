import { describe, expect, it } from 'vitest';
import {
  CATALOG,
  chooseMaxNumBatchedTokens,
  chooseMaxNumSeqs,
  estimateEngine,
  findModel,
  GIB,
  kvBytesPerTokenPerGpu,
  kvTokensFor,
  parameterCounts,
  profiledBatchedTokens,
  reserveBytes,
  visibleGpuBytes,
  weightBytesPerGpu,
  type ModelArchitecture,
} from '../../src/capacity/index.ts';

const model = (id: string): ModelArchitecture => {
  const m = findModel(id);
  if (!m) throw new Error(`not in the catalog: ${id}`);
  return m;
};
const L8 = model('meta-llama/Llama-3.1-8B-Instruct');
const L70 = model('meta-llama/Llama-3.1-70B-Instruct');

describe('catalog', () => {
  it.each(CATALOG.map((m) => [m.id, m] as const))('%s: the count derived from the architecture is within 1%% of the published one', (_, m) => {
    expect(Math.abs(parameterCounts(m).total / m.parameters - 1)).toBeLessThan(0.01);
  });

  it('finds models by id case-insensitively and by older names', () => {
    expect(findModel('META-LLAMA/llama-3.1-8b-instruct')).toBe(L8);
    expect(findModel('meta-llama/Meta-Llama-3.1-70B-Instruct')).toBe(L70);
    expect(findModel('org/unknown')).toBeUndefined();
  });

  it('has the Llama 3.1 figures of the shared fixture', () => {
    expect(L8).toMatchObject({ layers: 32, attentionHeads: 32, kvHeads: 8, headDim: 128, hiddenSize: 4096, intermediateSize: 14_336, vocabSize: 128_256 });
    expect(L70).toMatchObject({ layers: 80, attentionHeads: 64, kvHeads: 8, headDim: 128, hiddenSize: 8192, intermediateSize: 28_672, vocabSize: 128_256 });
  });
});

describe('KV bytes per token', () => {
  it('is 2 x layers x kv heads x head dim x element bytes', () => {
    expect(kvBytesPerTokenPerGpu(L8, 'auto', 'bfloat16', 1)).toBe(131_072);
    expect(kvBytesPerTokenPerGpu(L70, 'auto', 'auto', 1)).toBe(327_680);
  });

  it('halves with an fp8 cache and splits over tensor parallelism', () => {
    expect(kvBytesPerTokenPerGpu(L8, 'fp8', 'bfloat16', 1)).toBe(65_536);
    expect(kvBytesPerTokenPerGpu(L70, 'auto', 'float16', 2)).toBe(163_840);
    expect(kvBytesPerTokenPerGpu(L70, 'auto', 'float16', 8)).toBe(40_960);
  });

  it('replicates KV heads when tensor parallelism exceeds them: ceil(kvHeads / tp) per GPU', () => {
    const qwen = model('Qwen/Qwen2.5-7B-Instruct'); // 4 KV heads
    expect(kvBytesPerTokenPerGpu(qwen, 'auto', 'auto', 1)).toBe(57_344);
    expect(kvBytesPerTokenPerGpu(qwen, 'auto', 'auto', 8)).toBe(57_344 / 4);
  });

  it('counts whole 16-token blocks', () => {
    expect(kvTokensFor(3.81 * GIB, 131_072)).toBe(31_200); // 1950 blocks: 3.81 is rounded in the log, which counted 1952
    expect(kvTokensFor(16 * 131_072 - 1, 131_072)).toBe(0);
    expect(kvTokensFor(-1, 131_072)).toBe(0);
  });
});

describe('weights', () => {
  it('Llama 3.1 8B in bf16 is 8.03B x 2 bytes = 16.06 GB', () => {
    expect(weightBytesPerGpu(L8, 'bfloat16', null, 1) / 1e9).toBeCloseTo(16.06, 2);
    // vLLM logs "Loading model weights took 14.9888 GB" (GiB in fact) for it (vllm-project/vllm#10517).
    expect(Math.abs(weightBytesPerGpu(L8, 'auto', null, 1) / GIB / 14.9888 - 1)).toBeLessThan(0.01);
  });

  it('Llama 3.1 70B AWQ (4-bit, group 128, fp16 embeddings) is 39-40 GB, half of it per GPU with tensorParallel 2', () => {
    const total = weightBytesPerGpu(L70, 'float16', 'awq', 1) / 1e9;
    expect(total).toBeGreaterThan(39);
    expect(total).toBeLessThan(40);
    expect(weightBytesPerGpu(L70, 'float16', 'awq', 2) / 1e9).toBeCloseTo(total / 2, 1);
  });

  it('Llama 70B FP8 matches the weight memory vLLM logged: 67.72 GiB on one H100, 33.88 GiB per GPU with TP 2', () => {
    expect(Math.abs(weightBytesPerGpu(L70, 'auto', 'fp8', 1) / GIB / 67.72 - 1)).toBeLessThan(0.01);
    expect(Math.abs(weightBytesPerGpu(L70, 'auto', 'fp8', 2) / GIB / 33.88 - 1)).toBeLessThan(0.01);
  });

  it('bf16 70B is 141 GB', () => {
    expect(weightBytesPerGpu(L70, 'bfloat16', null, 1) / 1e9).toBeCloseTo(141.1, 0);
  });
});

describe('GPU memory', () => {
  it('an RTX 3090 "24 GB" shows 23.58 GiB to vLLM (vllm-project/vllm#10517)', () => {
    expect(visibleGpuBytes(24) / GIB).toBeCloseTo(23.58, 2);
  });

  it('an 80 GB GPU comes out within 1% of the 79.18-79.22 GiB vLLM logs for H100, on the low side', () => {
    const gib = visibleGpuBytes(80) / GIB;
    expect(gib).toBeLessThan(79.18);
    expect(gib / 79.18).toBeGreaterThan(0.99);
  });
});

describe('reserve', () => {
  const forward = (tokens: number) =>
    reserveBytes({ arch: L8, tp: 1, activationBytes: 2, maxNumBatchedTokens: tokens, maxNumSeqs: 256, cudaGraphs: false }).forwardBytes / GIB;

  it('reproduces the activation peaks vLLM profiled for Llama 3.1 8B on an RTX 3090 (vllm-project/vllm#10517)', () => {
    // peak_torch_memory minus weights: 17.06 - 14.99 at 20,000 tokens, 17.98 - 14.99 at 29,000.
    expect(forward(20_000)).toBeCloseTo(2.07, 1);
    expect(forward(29_000)).toBeCloseTo(2.99, 1);
  });

  it('the sampler run with 1,024 sequences reproduces the 4.76 GiB H100 peak of Llama 3.1 8B within 5%', () => {
    const r = reserveBytes({ arch: L8, tp: 1, activationBytes: 2, maxNumBatchedTokens: 8192, maxNumSeqs: 1024, cudaGraphs: true });
    expect(Math.abs(r.activationBytes / GIB / 4.76 - 1)).toBeLessThan(0.05);
    expect(r.activationBytes).toBe(r.samplerBytes);
  });

  it('grows with max-num-batched-tokens and shrinks the KV cache accordingly', () => {
    const base = {
      arch: L8,
      dtype: 'bfloat16',
      quantization: null,
      kvCacheDtype: 'auto',
      tensorParallel: 1,
      vramGb: 24,
      gpuMemoryUtilization: 0.9,
      maxModelLen: 16_384,
      maxNumSeqs: 256,
    } as const;
    const small = estimateEngine({ ...base, maxNumBatchedTokens: 2048 });
    const large = estimateEngine({ ...base, maxNumBatchedTokens: 16_384 });
    expect(large.reserveBytes).toBeGreaterThan(small.reserveBytes);
    expect(large.kvTokens).toBeLessThan(small.kvTokens);
  });

  it('adds NCCL memory with tensor parallelism and CUDA-graph memory unless told not to', () => {
    const r = (tp: number, cudaGraphs: boolean) => reserveBytes({ arch: L70, tp, activationBytes: 2, maxNumBatchedTokens: 2048, maxNumSeqs: 256, cudaGraphs });
    expect(r(2, true).nonTorchBytes).toBeGreaterThan(r(1, true).nonTorchBytes);
    expect(r(1, true).totalBytes - r(1, false).totalBytes).toBeCloseTo(0.6 * GIB, -3);
  });
});

describe('sizing', () => {
  it('max-num-batched-tokens covers one expected prompt, at least 2,048 and at most 16,384, in multiples of 512', () => {
    expect(profiledBatchedTokens(400)).toBe(2048);
    expect(profiledBatchedTokens(2000)).toBe(2048);
    expect(profiledBatchedTokens(3000)).toBe(3072);
    expect(profiledBatchedTokens(9000)).toBe(9216);
    expect(profiledBatchedTokens(100_000)).toBe(16_384);
  });

  it('never schedules more tokens than the KV cache holds, nor fewer than max-num-seqs', () => {
    expect(chooseMaxNumBatchedTokens(4096, 100_000, 32)).toBe(4096);
    expect(chooseMaxNumBatchedTokens(4096, 3000, 8)).toBe(2816);
    expect(chooseMaxNumBatchedTokens(4096, 160, 1)).toBe(160);
  });

  it('max-num-seqs is the expected-size requests the cache holds, clamped to [1, 256] and rounded down to a CUDA-graph size', () => {
    const expected = { promptTokens: 2000, completionTokens: 400 }; // 150 blocks
    expect(chooseMaxNumSeqs(150 * 38, expected)).toBe(32);
    expect(chooseMaxNumSeqs(150 * 14, expected)).toBe(8);
    expect(chooseMaxNumSeqs(150 * 7, expected)).toBe(4);
    expect(chooseMaxNumSeqs(150 * 3, expected)).toBe(2);
    expect(chooseMaxNumSeqs(10, expected)).toBe(1);
    expect(chooseMaxNumSeqs(1_000_000, expected)).toBe(256);
  });
});
