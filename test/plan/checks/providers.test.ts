/**
 * Real-world setups: groups the gateway cannot serve, LiteLLM provider names
 * we do not know, and policies with nothing to route (which compile, with a
 * warning, to every target: never an internal error).
 */
import { describe, expect, it } from 'vitest';
import { Policy } from '../../../src/model/policy.ts';
import { compilePolicy } from '../../../src/plan/compile.ts';
import { emitAll, targetDiagnostics } from '../../../src/targets/index.ts';
import { addBedrockGroup, codesAt } from '../../fixtures/policies.ts';
import { realWorldPolicy } from '../../fixtures/real-world-policy.ts';
import { checkCases } from './cases.ts';

describe('pass-through providers', () => {
  checkCases([
    {
      name: 'a group whose every deployment is pass-through',
      edit: (p) => addBedrockGroup(p, 'claude', 'claude@bedrock'),
      expected: 'passthrough-only-group @ modelGroups[3].deployments',
      mentions: ['"claude@bedrock"', 'claude', 'switchyard serve', 'its requests fail there'],
      severity: 'warning',
    },
    {
      name: 'a LiteLLM provider name off the list, with the nearest one suggested',
      edit: (p) => void p.providers.push({ id: 'v', kind: 'passthrough', litellm: { provider: 'vertexai' } }),
      expected: 'unknown-litellm-provider @ providers[3].litellm.provider',
      mentions: ['"v"', '"vertexai"'],
      severity: 'warning',
    },
    {
      name: 'a pass-through to a provider the gateway serves itself',
      edit: (p) => void p.providers.push({ id: 'g', kind: 'passthrough', litellm: { provider: 'groq' } }),
      expected: 'passthrough-has-kind @ providers[3].litellm.provider',
      mentions: ['"g"', 'kind openai_compatible with service groq'],
      severity: 'warning',
    },
  ]);

  it('suggests the closest LiteLLM provider', () => {
    const p = realWorldPolicy();
    p.providers!.find((x) => x.id === 'vertex')!.litellm!.provider = 'vertexai';
    const d = compilePolicy(Policy.parse(p)).diagnostics.find((x) => x.code === 'unknown-litellm-provider')!;
    expect(d.hint).toBe('did you mean "vertex_ai"?');
  });

  it('a group that keeps a deployment the gateway serves is no warning', () => {
    const r = compilePolicy(Policy.parse(realWorldPolicy()));
    expect(codesAt(r.diagnostics)).toEqual(['passthrough-only-group @ modelGroups[4].deployments']);
  });
});

describe('nothing to route', () => {
  const price = { inputPer1M: 1, outputPer1M: 2 };
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'providers and deployments, no model groups',
      {
        providers: [{ id: 'groq', kind: 'openai_compatible', service: 'groq', apiKey: 'env:GROQ_API_KEY' }],
        deployments: [{ id: 'llama', provider: 'groq', model: 'llama-3.1-8b-instant', contextWindow: 131_072, pricing: price }],
      },
      ['unused-deployment @ deployments[0]', 'no-model-groups @ modelGroups'],
    ],
    [
      'GPU pools, no model groups',
      {
        gpuPools: [
          {
            id: 'pool-a',
            gpu: { model: 'H100-80GB', vramGb: 80 },
            maxContext: 8192,
            models: [{ model: 'meta-llama/Llama-3.1-8B-Instruct', expected: { promptTokens: 1000, completionTokens: 200 } }],
          },
        ],
      },
      ['no-model-groups @ modelGroups'],
    ],
    ['nothing at all', {}, []],
  ];
  for (const [name, body, expected] of cases)
    it(`${name}: compiles with warnings to every target`, () => {
      const r = compilePolicy(Policy.parse({ name: 'bare', ...body }));
      expect(codesAt(r.diagnostics)).toEqual(expected);
      expect(r.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
      const artifacts = emitAll(r.plan!);
      const litellm = artifacts.find((a) => a.path === 'litellm/config.yaml')!.content;
      expect(litellm).toContain('model_list: []');
      expect(litellm).not.toMatch(/Infinity|NaN/);
      for (const a of artifacts) expect(a.content, a.path).not.toMatch(/\bNaN\b|-?Infinity/);
      expect(targetDiagnostics(r.plan!).filter((d) => d.severity === 'error')).toEqual([]);
    });
});
