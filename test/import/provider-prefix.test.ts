/**
 * The importer's provider table inverts the emitter's: every provider kind,
 * emitted to LiteLLM, comes back as the same kind and upstream model.
 * Prefixes LiteLLM knows and Switchyard has no kind for are reported, not
 * guessed.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseModelRef } from '../../src/import/provider-prefix.ts';
import { PROVIDER_KINDS } from '../../src/model/closed-sets.ts';
import { compileInput } from '../fixtures/policies.ts';
import { emitLitellm } from '../../src/targets/litellm.ts';
import type { PolicyInput } from '../../src/model/policy.ts';

describe('LiteLLM provider prefixes', () => {
  it.each(PROVIDER_KINDS)('%s: emitted, then read back as the same kind', (kind) => {
    const input: PolicyInput = {
      name: 'one',
      providers: [{ id: 'p', kind, apiBase: 'https://example.com/v1', apiVersion: '2024-10-21', apiKey: 'env:K' }],
      deployments: [
        {
          id: 'd',
          provider: 'p',
          model: 'some/model-name',
          contextWindow: 8192,
          pricing: { inputPer1M: 1, outputPer1M: 1 },
          ...(kind === 'vllm' ? { pool: 'gpu' } : {}),
        },
      ],
      modelGroups: [{ name: 'g', deployments: ['d'] }],
      gpuPools:
        kind === 'vllm'
          ? [
              {
                id: 'gpu',
                gpu: { model: 'RTX 4090', vramGb: 24 },
                maxContext: 8192,
                models: [{ model: 'meta-llama/Llama-3.2-1B-Instruct', servedName: 'model-name', expected: { promptTokens: 100, completionTokens: 10 } }],
              },
            ]
          : [],
    };
    if (kind === 'vllm') input.deployments![0]!.model = 'model-name';
    const plan = compileInput(input).plan!;
    const model = (parse(emitLitellm(plan)[0]!.content) as { model_list: { litellm_params: { model: string } }[] }).model_list[0]!.litellm_params.model;
    expect(parseModelRef(model)).toEqual({ kind, prefix: model.slice(0, model.indexOf('/')), model: plan.deployments.d!.model, inferred: false });
  });

  it('infers only the unambiguous unprefixed families, and reports the rest', () => {
    expect(parseModelRef('gpt-4o-mini')).toMatchObject({ kind: 'openai', inferred: true });
    expect(parseModelRef('claude-3-5-haiku-20241022')).toMatchObject({ kind: 'anthropic', inferred: true });
    expect(parseModelRef('llama3')).toMatchObject({ kind: null, reason: 'a model without a provider prefix that Switchyard cannot attribute' });
    expect(parseModelRef('bedrock/anthropic.claude-3-5-sonnet')).toMatchObject({ kind: null, prefix: 'bedrock' });
    expect(parseModelRef('ollama/qwen2.5:7b')).toMatchObject({ kind: null, prefix: 'ollama', model: 'qwen2.5:7b' });
    expect(parseModelRef('made_up/x')).toMatchObject({ kind: null, reason: 'the LiteLLM provider "made_up", which Switchyard has no provider kind for' });
    // Object.prototype names are not prefixes.
    expect(parseModelRef('constructor/x')).toMatchObject({ kind: null });
  });
});
