import { describe, expect, it } from 'vitest';
import { findModel, parameterCounts } from '../../../src/capacity/index.ts';
import { compilePolicy } from '../../../src/plan/compile.ts';
import type { CompiledPlan, PlanPoolModel } from '../../../src/plan/types.ts';
import { compileEdited, referencePolicy } from '../../fixtures/policies.ts';

const planOf = (r: { plan?: CompiledPlan }): CompiledPlan => {
  if (!r.plan) throw new Error('expected a plan');
  return r.plan;
};
const engines = (plan: CompiledPlan): PlanPoolModel[] => Object.values(plan.pools).flatMap((p) => Object.values(p.models));

describe('capacity of the reference pools', () => {
  it('every engine fits: 8B on each pool, 70B AWQ with tensorParallel 2 over pools A and B', async () => {
    const r = compilePolicy(await referencePolicy());
    expect(r.diagnostics).toEqual([]);
    const plan = planOf(r);
    expect(engines(plan).map((m) => [m.id, m.capacity.fits])).toEqual([
      ['pool-a/llama-3.1-70b-instruct', true],
      ['pool-a/llama-3.1-8b-instruct', true],
      ['pool-b/llama-3.1-8b-instruct', true],
      ['pool-c/llama-3.1-8b-instruct', true],
    ]);
  });

  it('chooses sane knobs and a budget that adds up', async () => {
    const plan = planOf(compilePolicy(await referencePolicy()));
    for (const m of engines(plan)) {
      const c = m.capacity;
      expect(c.gpuMemoryUtilization).toBe(0.9);
      expect(c.gpus).toBe(m.tensorParallel);
      expect(c.kvTokens).toBeGreaterThanOrEqual(m.maxModelLen);
      expect(c.kvTokens % 16).toBe(0);
      expect(c.maxNumSeqs).toBeGreaterThanOrEqual(1);
      expect(c.maxNumSeqs).toBeLessThanOrEqual(256);
      expect(c.maxNumBatchedTokens).toBeLessThanOrEqual(c.kvTokens);
      expect(c.maxNumBatchedTokens).toBeGreaterThanOrEqual(Math.max(c.maxNumSeqs, Math.min(m.expected.promptTokens, c.kvTokens)));
      expect(c.maxNumBatchedTokens % 256).toBe(0);
      // the expected requests admitted at once fit in the cache together
      expect(c.maxNumSeqs * (m.expected.promptTokens + m.expected.completionTokens)).toBeLessThanOrEqual(c.kvTokens);
      expect(c.maxConcurrencyAtFullContext).toBe(Math.floor((c.kvTokens / m.maxModelLen) * 100) / 100);
      expect(c.maxConcurrencyAtFullContext).toBeGreaterThanOrEqual(1);
      expect(c.weightsGbPerGpu + c.reserveGbPerGpu + (c.kvTokens * c.kvBytesPerTokenPerGpu) / 1e9).toBeLessThanOrEqual(
        c.vramGbPerGpu * c.gpuMemoryUtilization + 1e-9,
      );
      expect(c.kvGbPerGpu).toBeCloseTo(c.vramGbPerGpu * c.gpuMemoryUtilization - c.weightsGbPerGpu - c.reserveGbPerGpu, 2);
    }
  });

  it('has the figures the arithmetic gives', async () => {
    const pools = planOf(compilePolicy(await referencePolicy())).pools;
    const l8 = pools['pool-a']!.models['llama-3.1-8b-instruct']!.capacity;
    expect(l8.vramGbPerGpu).toBeCloseTo(33.758, 3); // 32 GiB x 0.9825
    expect(l8.weightsGbPerGpu).toBeCloseTo(16.061, 3);
    expect(l8.kvBytesPerTokenPerGpu).toBe(131_072);
    const l70 = pools['pool-a']!.models['llama-3.1-70b-instruct']!.capacity;
    expect(l70.gpus).toBe(2);
    expect(l70.kvBytesPerTokenPerGpu).toBe(163_840);
    expect(l70.weightsGbPerGpu).toBeGreaterThan(19.5);
    expect(l70.weightsGbPerGpu).toBeLessThan(20);
    const c = pools['pool-c']!.models['llama-3.1-8b-instruct']!.capacity;
    expect(c.vramGbPerGpu).toBeCloseTo(25.318, 3); // 23.58 GiB
    expect(c.kvTokens).toBeLessThan(l8.kvTokens);
  });

  it('is part of the hash: another utilization is another plan', async () => {
    const policy = await referencePolicy();
    const a = planOf(compilePolicy(policy));
    const edited = structuredClone(policy);
    edited.gpuPools[2]!.models[0]!.gpuMemoryUtilization = 0.85;
    const b = planOf(compilePolicy(edited));
    expect(b.hash).not.toBe(a.hash);
    const c = b.pools['pool-c']!.models['llama-3.1-8b-instruct']!;
    expect(c.gpuMemoryUtilization).toBe(0.85);
    expect(c.capacity.gpuMemoryUtilization).toBe(0.85);
    expect(c.capacity.kvTokens).toBeLessThan(a.pools['pool-c']!.models['llama-3.1-8b-instruct']!.capacity.kvTokens);
  });
});

describe('capacity of spanning models', () => {
  it('uses the smallest GPU among the pool and the pools it spans', () => {
    const plan = planOf(
      compileEdited((p) => {
        // Enough GPUs that every engine has its own.
        p.gpuPools.push({
          id: 'pool-c',
          gpu: { model: 'RTX 3090', vramGb: 24, count: 2 },
          maxContext: 8192,
          models: [{ model: 'meta-llama/Llama-3.2-1B-Instruct', expected: { promptTokens: 100, completionTokens: 100 } }],
        });
        p.gpuPools[0]!.gpu.count = 2;
        p.gpuPools[0]!.models.push({
          model: 'Qwen/Qwen2.5-14B-Instruct',
          tensorParallel: 2,
          spansPools: ['pool-c'],
          maxModelLen: 8192,
          expected: { promptTokens: 1000, completionTokens: 200 },
        });
      }),
    );
    const c = plan.pools['pool-a']!.models['qwen2.5-14b-instruct']!.capacity;
    expect(c.vramGbPerGpu).toBeCloseTo(25.318, 3);
    expect(c.fits).toBe(true);
  });

  it('counts the weights of the whole model over the tensor-parallel group', () => {
    const plan = planOf(
      compileEdited((p) => {
        p.gpuPools[0]!.gpu.count = 5; // one for the 8B, four for the 32B
        p.gpuPools[0]!.models.push({
          model: 'Qwen/Qwen2.5-32B-Instruct',
          tensorParallel: 4,
          maxModelLen: 8192,
          expected: { promptTokens: 1000, completionTokens: 200 },
        });
      }),
    );
    const c = plan.pools['pool-a']!.models['qwen2.5-32b-instruct']!.capacity;
    const total = (parameterCounts(findModel('Qwen/Qwen2.5-32B-Instruct')!).total * 2) / 1e9;
    expect(c.weightsGbPerGpu).toBeCloseTo(total / 4, 1);
    expect(c.fits).toBe(true);
  });
});
