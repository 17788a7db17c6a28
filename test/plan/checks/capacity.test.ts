import { describe, expect, it } from 'vitest';
import { findModel, GIB, parameterCounts, reserveBytes, USABLE_FRACTION } from '../../../src/capacity/index.ts';
import type { Policy } from '../../../src/model/policy.ts';
import { compilePolicy } from '../../../src/plan/compile.ts';
import { codesAt, compileEdited, referencePolicy } from '../../fixtures/policies.ts';

const L70 = findModel('meta-llama/Llama-3.1-70B-Instruct')!;

async function referenceEdited(edit: (p: Policy) => void) {
  const p = structuredClone(await referencePolicy());
  edit(p);
  return compilePolicy(p);
}

/** Llama 3.1 70B in bf16 instead of the 8B on pool C's single RTX 3090 (16K context), and its deployment with it. */
const seventyOnPoolC = (p: Policy) => {
  p.gpuPools[2]!.models[0] = {
    ...p.gpuPools[2]!.models[0]!,
    model: 'meta-llama/Llama-3.1-70B-Instruct',
    servedName: 'llama-3.1-70b-instruct',
    dtype: 'bfloat16',
  };
  const d = p.deployments.find((x) => x.pool === 'pool-c')!;
  d.model = 'llama-3.1-70b-instruct';
};

describe('model-does-not-fit', () => {
  it('70B in bf16 on the single-3090 pool: one error at the pool model, how many GB are missing and what would fit', async () => {
    const r = await referenceEdited(seventyOnPoolC);
    expect(r.plan).toBeUndefined();
    expect(codesAt(r.diagnostics)).toEqual(['model-does-not-fit @ gpuPools[2].models[0]']);

    // Independently: 24 GiB x 98.25% x 0.90 budget; 70.55B x 2 B weights; reserve for 2,048 tokens / 256 sequences; KV for 16,384 tokens.
    const budget = Math.floor((24 * GIB * USABLE_FRACTION) / 1e6) * 1e6 * 0.9;
    const weights = Math.ceil((parameterCounts(L70).total * 2) / 1e6) * 1e6;
    const reserve =
      Math.ceil(reserveBytes({ arch: L70, tp: 1, activationBytes: 2, maxNumBatchedTokens: 2048, maxNumSeqs: 256, cudaGraphs: true }).totalBytes / 1e6) * 1e6;
    const missing = (weights + reserve + 16_384 * 327_680 - budget) / 1e9;
    expect(missing).toBeGreaterThan(125);
    expect(missing).toBeLessThan(127);

    const d = r.diagnostics[0]!;
    expect(d.severity).toBe('error');
    expect(d.message).toContain(`${missing.toFixed(2)} GB missing per GPU`);
    expect(d.message).toContain('weights 141.11 GB');
    expect(d.message).toContain('KV cache for one 16,384-token request 5.37 GB');
    // One 3090 cannot hold it quantized either; the suggestions say how many GPUs would.
    expect(d.message).toContain('tensorParallel 8, which needs 8 GPUs ("pool-c" has 1: add pools to spansPools)');
    expect(d.message).toContain('quantization "awq" with tensorParallel 4 (needs 4 GPUs');
    expect(d.hint).toMatch(/quantize/);
  });

  it('names the quantization that fits when one does: 70B bf16 over the two 5090s', async () => {
    const r = await referenceEdited((p) => {
      const m = p.gpuPools[0]!.models[1]!;
      p.gpuPools[0]!.models[1] = { ...m, dtype: 'bfloat16', quantization: undefined };
    });
    expect(codesAt(r.diagnostics)).toEqual(['model-does-not-fit @ gpuPools[0].models[1]']);
    expect(r.diagnostics[0]!.message).toMatch(/Would fit: quantization "awq" \(weights 19\.\d\d GB per GPU, KV cache for [\d,]+ tokens\) or "gptq"/);
  });

  it('names a tensor-parallel size the pool has GPUs for', () => {
    const r = compileEdited((p) => {
      p.gpuPools[0]!.gpu.count = 2;
      p.gpuPools[0]!.models[0] = { model: 'meta-llama/Llama-3.1-70B-Instruct', quantization: 'awq', expected: { promptTokens: 2000, completionTokens: 400 } };
      p.deployments[2]!.model = 'llama-3.1-70b-instruct';
    });
    expect(codesAt(r.diagnostics)).toEqual(['model-does-not-fit @ gpuPools[0].models[0]']);
    expect(r.diagnostics[0]!.message).toMatch(/tensorParallel 2 over "pool-a" \(KV cache for [\d,]+ tokens\)/);
  });

  it('names the largest max-model-len that fits when the weights do', () => {
    const r = compileEdited((p) => {
      p.gpuPools[0]!.gpu = { model: 'RTX 3090', vramGb: 24 };
      p.gpuPools[0]!.maxContext = 131_072;
    });
    expect(codesAt(r.diagnostics)).toEqual(['model-does-not-fit @ gpuPools[0].models[0]']);
    expect(r.diagnostics[0]!.message).toMatch(/maxModelLen 33,792 or less \(the KV cache holds 33,904 tokens\)/);
  });
});

describe('other capacity errors', () => {
  it('gpuMemoryUtilization above 0.98', () => {
    const r = compileEdited((p) => void (p.gpuPools[0]!.models[0]!.gpuMemoryUtilization = 0.99));
    expect(codesAt(r.diagnostics)).toEqual(['gpu-memory-utilization-too-high @ gpuPools[0].models[0].gpuMemoryUtilization']);
  });

  it('accepts 0.98', () => {
    const r = compileEdited((p) => void (p.gpuPools[0]!.models[0]!.gpuMemoryUtilization = 0.98));
    expect(r.diagnostics).toEqual([]);
    expect(r.plan!.pools['pool-a']!.models['llama-3.1-8b-instruct']!.capacity.gpuMemoryUtilization).toBe(0.98);
  });

  it('unknown-model names the model, suggests the nearest and lists the catalog', () => {
    const r = compileEdited((p) => {
      p.gpuPools[0]!.models[0]!.model = 'meta-llama/Llama-3.1-8B-Instrct';
      p.gpuPools[0]!.models[0]!.servedName = 'llama-3.1-8b-instruct';
    });
    expect(r.plan).toBeUndefined();
    expect(codesAt(r.diagnostics)).toEqual(['unknown-model @ gpuPools[0].models[0].model']);
    const d = r.diagnostics[0]!;
    expect(d.message).toContain('"meta-llama/Llama-3.1-8B-Instrct"');
    expect(d.message).toContain('did you mean "meta-llama/Llama-3.1-8B-Instruct"?');
    expect(d.hint).toContain('meta-llama/Llama-3.1-70B-Instruct');
    expect(d.hint).toContain('Qwen/Qwen2.5-7B-Instruct');
  });
});
