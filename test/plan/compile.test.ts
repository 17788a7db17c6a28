import { describe, expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy, planPathToPolicyPath } from '../../src/plan/compile.ts';
import { verifyPlanHash } from '../../src/plan/hash.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { basePolicy, codesAt, compileEdited, compileInput, referencePolicy } from '../fixtures/policies.ts';

const planOf = (r: { plan?: CompiledPlan }): CompiledPlan => {
  if (!r.plan) throw new Error('expected a plan');
  return r.plan;
};

describe('compilePolicy on the reference policy', () => {
  it('compiles with no errors and no warnings', async () => {
    const r = compilePolicy(await referencePolicy());
    expect(codesAt(r.diagnostics)).toEqual([]);
    const plan = planOf(r);
    expect(plan.schemaVersion).toBe(1);
    expect(plan.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(verifyPlanHash(plan)).toBe(true);
    expect(Object.keys(plan.groups)).toEqual(['chat', 'chat-anthropic', 'chat-azure', 'chat-local', 'chat-mini', 'premium']);
  });

  it('keeps the interactive fallback chain in declared order', async () => {
    const plan = planOf(compilePolicy(await referencePolicy()));
    expect(plan.groups.chat!.fallbacks).toEqual(['chat-azure', 'chat-anthropic', 'chat-local']);
    expect(plan.groups['chat-local']!.contextWindowFallbacks).toEqual(['chat-mini']);
  });

  it('resolves and defaults the reference values', async () => {
    const policy = await referencePolicy();
    const plan = planOf(compilePolicy(policy));
    expect(plan.deployments['azure-eastus-gpt-4o']!.providerKind).toBe('azure_openai');
    expect(plan.providers.openai!.apiKey).toEqual({
      ref: 'vault:secret/switchyard/openai#key',
      scheme: 'vault',
      path: 'secret/switchyard/openai',
      field: 'key',
    });
    expect(plan.routerState).toEqual({
      kind: 'redis',
      url: { ref: 'env:SWITCHYARD_REDIS_URL', scheme: 'env', name: 'SWITCHYARD_REDIS_URL' },
      keyPrefix: 'switchyard:',
      cluster: true,
    });
    expect(plan.groups.chat!.timeouts).toEqual({ requestMs: 600, streamFirstTokenMs: 400 });
    expect(plan.groups.chat!.circuitBreaker).toEqual({ errorRateThreshold: 0.05, minRequests: 20, windowMs: 60_000, cooldownMs: 30_000, halfOpenProbes: 3 });
    // The policy gives no monthly volume: its peak rate for 8 hours a day, 30 days.
    const chatTraffic = policy.modelGroups.find((g) => g.name === 'chat')!.traffic!;
    expect(chatTraffic.monthlyRequests).toBeUndefined();
    expect(plan.groups.chat!.traffic).toEqual({ ...chatTraffic, monthlyRequests: chatTraffic.peakRpm * 60 * 8 * 30 });
    expect(plan.groups['chat-local']!.maxContextWindow).toBe(32_768);
    expect(plan.pools['pool-a']!.models['llama-3.1-70b-instruct']!.id).toBe('pool-a/llama-3.1-70b-instruct');
    expect(plan.pools['pool-c']!.models['llama-3.1-8b-instruct']!.maxModelLen).toBe(16_384);
    expect(plan.batchProfiles.research!.completionWindowHours).toBe(24);
    expect(plan.slos.targets['cost-reduction']!.objective).toEqual([
      { op: '>=', value: 0.4 },
      { op: '<=', value: 0.6 },
    ]);
    expect(plan.slos.alerts['batch-queue-stuck']!.forMs).toBe(2 * 3_600_000);
  });
});

describe('normalization', () => {
  it('applies defaults and writes absent optional fields as null', () => {
    const plan = planOf(compileInput(basePolicy()));
    expect(plan.description).toBeNull();
    expect(plan.routerState).toEqual({ kind: 'memory' });
    expect(plan.providers.openai).toEqual({
      id: 'openai',
      kind: 'openai',
      apiBase: null,
      apiBaseEnv: null,
      apiVersion: null,
      apiVersionEnv: null,
      region: null,
      apiKey: { ref: 'env:OPENAI_API_KEY', scheme: 'env', name: 'OPENAI_API_KEY' },
      openaiCompatible: null,
      passthrough: null,
    });
    expect(plan.deployments['openai-gpt-4o']).toMatchObject({ rpm: null, tpm: null, order: null, pool: null, timeoutMs: null, weight: 1, tags: [] });
    const chat = plan.groups.chat!;
    expect(chat.retries).toEqual({ count: 2, backoff: { initialMs: 250, maxMs: 4_000, multiplier: 2 }, retryOn: [429, 500, 502, 503, 504] });
    expect(chat.timeouts).toEqual({ requestMs: 30_000, streamFirstTokenMs: null });
    expect(chat.traffic).toBeNull();
    const model = plan.pools['pool-a']!.models['llama-3.1-8b-instruct']!;
    expect(model).toMatchObject({ servedName: 'llama-3.1-8b-instruct', quantization: null, gpuMemoryUtilization: null, port: null, maxModelLen: 32_768 });
    expect(plan.batchProfiles.extraction!.redaction.rules).toEqual([{ name: 'email', pattern: '@', replacement: '[REDACTED]' }]);
    expect(JSON.stringify(plan)).not.toContain('undefined');
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('uses the group breaker override, else the policy default', () => {
    const plan = planOf(
      compileEdited((p) => {
        p.circuitBreaker = { cooldown: '45s' };
        p.modelGroups[1]!.circuitBreaker = { window: '2m', errorRateThreshold: 0.1 };
      }),
    );
    expect(plan.groups.chat!.circuitBreaker).toEqual({ errorRateThreshold: 0.05, minRequests: 20, windowMs: 60_000, cooldownMs: 45_000, halfOpenProbes: 3 });
    expect(plan.groups['chat-azure']!.circuitBreaker).toEqual({
      errorRateThreshold: 0.1,
      minRequests: 20,
      windowMs: 120_000,
      cooldownMs: 30_000,
      halfOpenProbes: 3,
    });
  });

  it('defaults monthly requests to the peak rate for 8 hours a day, 30 days, unless given', () => {
    const plan = planOf(
      compileEdited((p) => {
        p.modelGroups[0]!.traffic = { peakRpm: 10, meanInputTokens: 100, meanOutputTokens: 10 };
        p.modelGroups[1]!.traffic = { peakRpm: 10, meanInputTokens: 100, meanOutputTokens: 10, monthlyRequests: 5 };
      }),
    );
    expect(plan.groups.chat!.traffic!.monthlyRequests).toBe(144_000);
    expect(plan.groups['chat-azure']!.traffic!.monthlyRequests).toBe(5);
  });

  it('caps maxModelLen at the pool context and defaults the served name', () => {
    const plan = planOf(
      compileEdited((p) => {
        p.gpuPools[0]!.gpu.count = 3;
        p.gpuPools[0]!.models.push({ model: 'meta-llama/Llama-3.2-1B-Instruct', maxModelLen: 99_999, expected: { promptTokens: 1, completionTokens: 1 } });
        p.gpuPools[0]!.models.push({
          model: 'Qwen/Qwen2.5-7B-Instruct',
          servedName: 'other',
          maxModelLen: 4_096,
          expected: { promptTokens: 1, completionTokens: 1 },
        });
      }),
    );
    const models = plan.pools['pool-a']!.models;
    expect(Object.keys(models)).toEqual(['llama-3.1-8b-instruct', 'llama-3.2-1b-instruct', 'other']);
    expect(models['llama-3.2-1b-instruct']!.maxModelLen).toBe(32_768);
    expect(models.other!.maxModelLen).toBe(4_096);
  });

  it('sorts arrays without semantic order and keeps the ones whose order is the meaning', () => {
    const plan = planOf(
      compileEdited((p) => {
        p.deployments[0]!.tags = ['b', 'a', 'c'];
        p.modelGroups[0]!.retries = { retryOn: [503, 429, 500] };
        p.modelGroups[0]!.fallbacks = ['local', 'chat-azure'];
        p.modelGroups[1]!.fallbacks = [];
        p.tenants[1]!.apiKeys = ['vault:z/docs#key', 'env:DOCS_KEY'];
        p.batchProfiles[0]!.dataClasses = ['pii', 'internal'];
        p.batchProfiles[0]!.redaction.rules = [
          { name: 'z', pattern: 'z' },
          { name: 'a', pattern: 'a' },
        ];
        p.batchProfiles[0]!.metadata = { team: 'x', cost_center: 'y' };
      }),
    );
    expect(plan.deployments['openai-gpt-4o']!.tags).toEqual(['a', 'b', 'c']);
    expect(plan.groups.chat!.retries.retryOn).toEqual([429, 500, 503]);
    expect(plan.groups.chat!.fallbacks).toEqual(['local', 'chat-azure']);
    expect(plan.tenants.docs!.allowedGroups).toEqual(['chat', 'local']);
    expect(plan.tenants.docs!.apiKeys.map((k) => k.ref)).toEqual(['env:DOCS_KEY', 'vault:z/docs#key']);
    expect(plan.batchProfiles.extraction!.dataClasses).toEqual(['internal', 'pii']);
    expect(plan.batchProfiles.extraction!.redaction.rules.map((r) => r.name)).toEqual(['z', 'a']);
    expect(Object.keys(plan.batchProfiles.extraction!.metadata)).toEqual(['cost_center', 'team']);
  });

  it('sorts group deployments by id, and ordered groups by order then id', () => {
    const plan = planOf(
      compileEdited((p) => {
        p.deployments.push(
          { id: 'z-first', provider: 'openai', model: 'gpt-4o', contextWindow: 128_000, pricing: { inputPer1M: 1, outputPer1M: 1 }, order: 0 },
          { id: 'a-second', provider: 'openai', model: 'gpt-4o', contextWindow: 128_000, pricing: { inputPer1M: 1, outputPer1M: 1 }, order: 5 },
          { id: 'b-second', provider: 'openai', model: 'gpt-4o', contextWindow: 128_000, pricing: { inputPer1M: 1, outputPer1M: 1 }, order: 5 },
        );
        p.modelGroups.push({ name: 'ordered', strategy: 'ordered', deployments: ['b-second', 'a-second', 'z-first'] });
        p.modelGroups.push({ name: 'mixed', deployments: ['z-first', 'b-second', 'a-second'] });
      }),
    );
    expect(plan.groups.ordered!.deployments).toEqual(['z-first', 'a-second', 'b-second']);
    expect(plan.groups.mixed!.deployments).toEqual(['a-second', 'b-second', 'z-first']);
  });

  it('returns no plan when there is an error, but warnings ride along with the plan', () => {
    const bad = compileEdited((p) => {
      p.modelGroups[0]!.fallbacks = ['nope'];
    });
    expect(bad.plan).toBeUndefined();
    expect(bad.origins).toEqual({});
    const warned = compileEdited((p) => {
      p.deployments.push({ id: 'spare', provider: 'openai', model: 'gpt-4o', contextWindow: 1, pricing: { inputPer1M: 1, outputPer1M: 1 } });
    });
    expect(warned.plan).toBeDefined();
    expect(codesAt(warned.diagnostics)).toEqual(['unused-deployment @ deployments[3]']);
  });

  it('is pure: the policy is not modified', () => {
    const policy = Policy.parse(basePolicy());
    const before = structuredClone(policy);
    compilePolicy(policy);
    expect(policy).toEqual(before);
  });
});

describe('origins and planPathToPolicyPath', () => {
  it('records where each entity came from', async () => {
    const { origins } = compilePolicy(await referencePolicy());
    expect(origins['groups.chat']).toEqual(['modelGroups', 0]);
    expect(origins['deployments["openai-gpt-4o"]']).toEqual(['deployments', 0]);
    expect(origins['pools["pool-a"].models["llama-3.1-70b-instruct"]']).toEqual(['gpuPools', 0, 'models', 1]);
    expect(origins['slos.targets["error-rate"]']).toEqual(['slos', 'targets', 1]);
    expect(origins['batchProfiles.research']).toEqual(['batchProfiles', 3]);
  });

  it('maps plan paths to policy paths, translating renamed fields', async () => {
    const { origins } = compilePolicy(await referencePolicy());
    const map = (p: string) => planPathToPolicyPath(origins, p);
    expect(map('groups.chat.fallbacks[1]')).toBe('modelGroups[0].fallbacks[1]');
    expect(map('groups.chat.timeouts.requestMs')).toBe('modelGroups[0].timeouts.request');
    expect(map('groups.chat.retries.backoff.initialMs')).toBe('modelGroups[0].retries.backoff.initial');
    // The reference groups use the policy-wide breaker, so that is where to edit it.
    expect(map('groups.chat.circuitBreaker.cooldownMs')).toBe('circuitBreaker.cooldown');
    expect(map('slos.targets["error-rate"].windowMs')).toBe('slos.targets[1].window');
    expect(map('slos.alerts["vllm-engine-down"].forMs')).toBe('slos.alerts[1].for');
    expect(map('deployments["vllm-c-llama-8b"].pool')).toBe('deployments[7].pool');
    expect(map('pools["pool-a"].models["llama-3.1-70b-instruct"].tensorParallel')).toBe('gpuPools[0].models[1].tensorParallel');
    expect(map('batchProfiles.research.completionWindowHours')).toBe('batchProfiles[3].completionWindow');
  });

  it('follows sorted arrays back to their policy index, and falls back to the entity for derived fields', () => {
    const r = compileEdited((p) => {
      p.modelGroups[0]!.deployments = ['openai-gpt-4o', 'azure-gpt-4o'];
      p.tenants[1]!.allowedGroups = ['local', 'chat'];
    });
    const map = (p: string) => planPathToPolicyPath(r.origins, p);
    expect(map('groups.chat.deployments[0]')).toBe('modelGroups[0].deployments[1]');
    expect(map('tenants.docs.allowedGroups[0]')).toBe('tenants[1].allowedGroups[1]');
    expect(map('groups.chat.maxContextWindow')).toBe('modelGroups[0]');
    expect(map('deployments["openai-gpt-4o"].providerKind')).toBe('deployments[0]');
    expect(map('deployments["openai-gpt-4o"].tags[0]')).toBe('deployments[0].tags');
    expect(map('groups')).toBe('modelGroups');
    expect(map('pools')).toBe('gpuPools');
    expect(map('routerState.keyPrefix')).toBe('routerState.keyPrefix');
    expect(map('hash')).toBe('');
  });
});

it('compiles a policy that names nothing but itself', () => {
  const r = compileInput({ name: 'empty' });
  expect(r.diagnostics).toEqual([]);
  expect(r.plan!.groups).toEqual({});
});
