import { describe } from 'vitest';
import { checkCases } from './cases.ts';

const price = { inputPer1M: 1, outputPer1M: 1 };

describe('duplicate ids', () => {
  checkCases([
    {
      name: 'provider',
      edit: (p) => void p.providers.push({ id: 'openai', kind: 'openai', apiKey: 'env:OTHER' }),
      expected: 'duplicate-id @ providers[3].id',
      mentions: ['"openai"', 'providers[0]'],
    },
    {
      name: 'deployment',
      edit: (p) => void p.deployments.push({ id: 'azure-gpt-4o', provider: 'openai', model: 'gpt-4o', contextWindow: 1, pricing: price }),
      expected: 'duplicate-id @ deployments[3].id',
      mentions: ['"azure-gpt-4o"', 'deployments[1]'],
    },
    {
      name: 'model group',
      edit: (p) => void p.modelGroups.push({ name: 'chat', deployments: ['azure-gpt-4o'] }),
      expected: 'duplicate-id @ modelGroups[3].name',
      mentions: ['"chat"', 'modelGroups[0]'],
    },
    {
      name: 'tenant',
      edit: (p) => void p.tenants.push({ id: 'support', apiKeys: ['env:OTHER'], allowedGroups: ['chat'] }),
      expected: 'duplicate-id @ tenants[2].id',
      mentions: ['"support"', 'tenants[0]'],
    },
    {
      name: 'GPU pool',
      edit: (p) => void p.gpuPools.push({ ...p.gpuPools[0]! }),
      expected: 'duplicate-id @ gpuPools[1].id',
      mentions: ['"pool-a"', 'gpuPools[0]'],
    },
    {
      name: 'batch profile',
      edit: (p) => void p.batchProfiles.push({ ...p.batchProfiles[0]!, model: 'gpt-4o' }),
      expected: 'duplicate-id @ batchProfiles[1].id',
      mentions: ['"extraction"', 'batchProfiles[0]'],
    },
    {
      name: 'SLO target',
      edit: (p) => void p.slos!.targets!.push({ id: 'error-rate', metric: 'kv_cache_hit_rate', objective: [{ op: '>=', value: 0.8 }] }),
      expected: 'duplicate-id @ slos.targets[1].id',
      mentions: ['"error-rate"', 'slos.targets[0]'],
    },
    {
      name: 'alert',
      edit: (p) => void p.slos!.alerts!.push({ id: 'errors-high', kind: 'vllm_engine_down', for: '5m' }),
      expected: 'duplicate-id @ slos.alerts[1].id',
      mentions: ['"errors-high"', 'slos.alerts[0]'],
    },
    {
      name: 'served names within a pool, including a defaulted one',
      edit: (p) => {
        p.gpuPools[0]!.gpu.count = 2;
        p.gpuPools[0]!.models.push({ model: 'other/LLAMA-3.1-8B-Instruct', expected: { promptTokens: 1, completionTokens: 1 } });
      },
      expected: 'duplicate-id @ gpuPools[0].models[1].model',
      mentions: ['"llama-3.1-8b-instruct"', '"pool-a"', 'gpuPools[0].models[0]'],
    },
    {
      name: 'redaction rule names within a profile',
      edit: (p) => void p.batchProfiles[0]!.redaction.rules!.push({ name: 'email', pattern: 'x' }),
      expected: 'duplicate-id @ batchProfiles[0].redaction.rules[1].name',
      mentions: ['"email"', '"extraction"'],
    },
  ]);
});

describe('duplicate references in one list', () => {
  checkCases([
    {
      name: 'a deployment listed twice in a group',
      edit: (p) => void p.modelGroups[0]!.deployments.push('openai-gpt-4o'),
      expected: 'duplicate-reference @ modelGroups[0].deployments[1]',
      mentions: ['"chat"', '"openai-gpt-4o"'],
    },
    {
      name: 'a fallback listed twice',
      edit: (p) => void p.modelGroups[0]!.fallbacks!.push('local'),
      expected: 'duplicate-reference @ modelGroups[0].fallbacks[2]',
      mentions: ['"chat"', '"local"'],
    },
    {
      name: 'an allowed group listed twice',
      edit: (p) => void p.tenants[0]!.allowedGroups.push('chat'),
      expected: 'duplicate-reference @ tenants[0].allowedGroups[1]',
      mentions: ['"support"', '"chat"'],
    },
  ]);
});
