import { describe, expect, it } from 'vitest';
import { Policy } from '../../../src/model/policy.ts';
import { basePolicy, codesAt, compileEdited } from '../../fixtures/policies.ts';
import { checkCases } from './cases.ts';

describe('pools', () => {
  checkCases([
    {
      name: 'two engines on a pool with one GPU',
      edit: (p) => void p.gpuPools[0]!.models.push({ model: 'meta-llama/Llama-3.2-3B-Instruct', expected: { promptTokens: 500, completionTokens: 100 } }),
      expected: 'gpu-overcommitted @ gpuPools[0].gpu.count',
      mentions: ['"pool-a"', 'pool-a/llama-3.1-8b-instruct (1)', 'pool-a/llama-3.2-3b-instruct (1)'],
    },
    {
      name: 'a spanning engine takes a GPU from each pool it spans',
      edit: (p) => {
        p.gpuPools.push({ ...structuredClone(p.gpuPools[0]!), id: 'pool-b', gpu: { model: 'RTX 5090', vramGb: 32, count: 1 } });
        p.gpuPools[0]!.gpu.count = 2;
        p.gpuPools[0]!.models.push({
          model: 'meta-llama/Llama-3.1-8B-Instruct',
          servedName: 'big',
          tensorParallel: 2,
          spansPools: ['pool-b'],
          expected: { promptTokens: 500, completionTokens: 100 },
        });
      },
      expected: 'gpu-overcommitted @ gpuPools[1].gpu.count',
      mentions: ['"pool-b"', 'pool-a/big (1)', 'pool-b/llama-3.1-8b-instruct (1)'],
    },
    {
      name: 'a tensor-parallel group that does not split evenly over its pools',
      edit: (p) => {
        p.gpuPools.push({ ...structuredClone(p.gpuPools[0]!), id: 'pool-b', gpu: { model: 'RTX 5090', vramGb: 32, count: 4 } });
        p.gpuPools[0]!.gpu.count = 4;
        p.gpuPools[0]!.models[0]!.tensorParallel = 3;
        p.gpuPools[0]!.models[0]!.spansPools = ['pool-b'];
      },
      expected: 'uneven-tensor-parallel-span @ gpuPools[0].models[0].tensorParallel',
      mentions: ['"pool-a"', '3', '2 pools'],
    },
    {
      name: 'a vllm deployment without a pool',
      edit: (p) => void delete p.deployments[2]!.pool,
      expected: 'vllm-deployment-without-pool @ deployments[2]',
      mentions: ['"local-llama"'],
    },
    {
      name: 'a vllm deployment whose pool does not serve its model',
      edit: (p) => void (p.deployments[2]!.model = 'llama-3.1-70b-instruct'),
      expected: 'pool-does-not-serve-model @ deployments[2].model',
      mentions: ['"local-llama"', '"llama-3.1-70b-instruct"', '"pool-a"', '"llama-3.1-8b-instruct"'],
    },
    {
      name: 'a non-vllm deployment with a pool',
      edit: (p) => void (p.deployments[0]!.pool = 'pool-a'),
      expected: 'pool-on-non-vllm-deployment @ deployments[0].pool',
      mentions: ['"openai-gpt-4o"', '"pool-a"'],
    },
    {
      name: 'a baseModel on a deployment that is not Azure OpenAI',
      edit: (p) => void (p.deployments[0]!.baseModel = 'gpt-4o'),
      expected: 'base-model-on-non-azure-deployment @ deployments[0].baseModel',
      mentions: ['"openai-gpt-4o"', '"gpt-4o"', 'openai'],
    },
    {
      name: 'tensorParallel larger than the GPUs of the pool',
      edit: (p) => void (p.gpuPools[0]!.models[0]!.tensorParallel = 2),
      expected: 'tensor-parallel-exceeds-gpus @ gpuPools[0].models[0].tensorParallel',
      mentions: ['"pool-a"', '"llama-3.1-8b-instruct"', '2'],
    },
    {
      name: 'tensorParallel larger than the GPUs of the pool plus the spanned pools',
      edit: (p) => {
        p.gpuPools.push({ ...structuredClone(p.gpuPools[0]!), id: 'pool-b', gpu: { model: 'RTX 5090', vramGb: 32, count: 2 } });
        p.gpuPools[0]!.models[0]!.spansPools = ['pool-b'];
        p.gpuPools[0]!.models[0]!.tensorParallel = 4;
      },
      expected: 'tensor-parallel-exceeds-gpus @ gpuPools[0].models[0].tensorParallel',
      mentions: ['"pool-a" + "pool-b"', '3 GPU'],
    },
    {
      name: 'a model spanning its own pool',
      edit: (p) => void (p.gpuPools[0]!.models[0]!.spansPools = ['pool-a']),
      expected: 'span-own-pool @ gpuPools[0].models[0].spansPools[0]',
      mentions: ['"pool-a"'],
    },
  ]);

  it('counts the GPUs of spanned pools', () => {
    const r = compileEdited((p) => {
      // each pool keeps a GPU for its own 8B engine and gives one to the spanning engine
      p.gpuPools[0]!.gpu.count = 2;
      p.gpuPools.push({ ...structuredClone(p.gpuPools[0]!), id: 'pool-b' });
      p.gpuPools[0]!.models.push({ ...structuredClone(p.gpuPools[0]!.models[0]!), servedName: 'spanning' });
      p.gpuPools[0]!.models[1]!.spansPools = ['pool-b'];
      p.gpuPools[0]!.models[1]!.tensorParallel = 2;
    });
    expect(codesAt(r.diagnostics)).toEqual([]);
  });

  it('leaves an azure provider without apiVersion to the schema', () => {
    const p = basePolicy();
    delete p.providers[1]!.apiVersion;
    const parsed = Policy.safeParse(p);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual(['providers.1.apiVersion']);
  });
});
