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
    expect(d.message).toContain('quantization "awq" with a checkpoint stored as awq with tensorParallel 4 (needs 4 GPUs');
    expect(d.hint).toMatch(/quantize/);
  });

  it('names the quantization that fits when one does: 70B bf16 over the two 5090s', async () => {
    const r = await referenceEdited((p) => {
      const m = p.gpuPools[0]!.models[1]!;
      p.gpuPools[0]!.models[1] = { ...m, model: 'meta-llama/Llama-3.1-70B-Instruct', dtype: 'bfloat16', quantization: undefined };
    });
    expect(codesAt(r.diagnostics)).toEqual(['model-does-not-fit @ gpuPools[0].models[1]']);
    expect(r.diagnostics[0]!.message).toMatch(
      /Would fit: quantization "awq" with a checkpoint stored as awq \(weights 19\.\d\d GB per GPU, KV cache for [\d,]+ tokens\) or "gptq" with a checkpoint stored as gptq/,
    );
  });

  it('names a tensor-parallel size the pool has GPUs for', () => {
    const r = compileEdited((p) => {
      p.gpuPools[0]!.gpu.count = 2;
      p.gpuPools[0]!.models[0] = {
        model: 'hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4',
        servedName: 'llama-3.1-70b-instruct',
        quantization: 'awq',
        expected: { promptTokens: 2000, completionTokens: 400 },
      };
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

describe('checkpoints and their quantization (vllm/model_executor/model_loader/weight_utils.py, get_quant_config)', () => {
  it('refuses awq on a checkpoint not stored as AWQ, at the policy line, naming a quantized checkpoint of the same model', async () => {
    // The reference's old 70B: Meta's bf16 repository with quantization awq; vLLM: "Cannot find the config file for awq".
    const r = await referenceEdited((p) => void (p.gpuPools[0]!.models[1]!.model = 'meta-llama/Llama-3.1-70B-Instruct'));
    expect(codesAt(r.diagnostics)).toEqual(['checkpoint-not-quantized @ gpuPools[0].models[1].quantization']);
    expect(r.diagnostics[0]!.message).toContain('does not start ("Cannot find the config file for awq")');
    expect(r.diagnostics[0]!.hint).toContain('"hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4"');
  });

  it('refuses a quantized checkpoint without quantization, or with another method', () => {
    const bare = compileEdited((p) => {
      p.gpuPools[0]!.models[0] = {
        model: 'hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4',
        servedName: 'llama-3.1-8b-instruct',
        expected: { promptTokens: 2000, completionTokens: 400 },
      };
    });
    expect(codesAt(bare.diagnostics)).toEqual(['checkpoint-quantization-mismatch @ gpuPools[0].models[0].quantization']);
    expect(bare.diagnostics[0]!.hint).toContain('set quantization: "awq"');
    const other = compileEdited((p) => {
      p.gpuPools[0]!.models[0] = {
        model: 'hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4',
        servedName: 'llama-3.1-8b-instruct',
        quantization: 'gptq',
        expected: { promptTokens: 2000, completionTokens: 400 },
      };
    });
    expect(codesAt(other.diagnostics)).toEqual(['checkpoint-quantization-mismatch @ gpuPools[0].models[0].quantization']);
    expect(other.diagnostics[0]!.hint).toContain('"hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4"');
  });

  it('accepts fp8 and bitsandbytes on an unquantized checkpoint (vLLM quantizes while loading), and the matching method on a quantized one', () => {
    for (const quantization of ['fp8', 'bitsandbytes'] as const)
      expect(compileEdited((p) => void (p.gpuPools[0]!.models[0]!.quantization = quantization)).diagnostics).toEqual([]);
    const awq = compileEdited((p) => {
      p.gpuPools[0]!.models[0] = {
        model: 'hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4',
        servedName: 'llama-3.1-8b-instruct',
        quantization: 'awq',
        expected: { promptTokens: 2000, completionTokens: 400 },
      };
    });
    expect(awq.diagnostics).toEqual([]);
    // AWQ weights: about a third of the bf16 checkpoint's.
    expect(awq.plan!.pools['pool-a']!.models['llama-3.1-8b-instruct']!.capacity.weightsGbPerGpu).toBeLessThan(6.5);
  });

  it("a model declared with quantization is a quantized checkpoint like the catalog's", () => {
    const r = compileEdited((p) => {
      p.models = [
        {
          id: 'acme/llama-8b-awq',
          quantization: 'awq',
          architecture: {
            layers: 32,
            attentionHeads: 32,
            kvHeads: 8,
            hiddenSize: 4096,
            intermediateSize: 14_336,
            vocabSize: 128_256,
            maxPositionEmbeddings: 131_072,
            dtype: 'float16',
          },
        },
      ];
      p.gpuPools[0]!.models[0] = { model: 'acme/llama-8b-awq', servedName: 'llama-3.1-8b-instruct', expected: { promptTokens: 2000, completionTokens: 400 } };
    });
    expect(codesAt(r.diagnostics)).toEqual(['checkpoint-quantization-mismatch @ gpuPools[0].models[0].quantization']);
    // The other AWQ checkpoints of this architecture are named as alternatives: none with quantization absent.
    expect(r.diagnostics[0]!.hint).toContain('"meta-llama/Llama-3.1-8B-Instruct"');
  });

  it('unknown-model tells how to declare the model', () => {
    const r = compileEdited((p) => {
      p.gpuPools[0]!.models[0]!.model = 'acme/unknown-13b';
      p.gpuPools[0]!.models[0]!.servedName = 'llama-3.1-8b-instruct';
    });
    expect(r.diagnostics[0]!.hint).toContain(
      'declare it under models: { id: "acme/unknown-13b", architecture: {...} } or { id: "acme/unknown-13b", configFile: \'path/to/config.json\' }',
    );
  });
});
