/**
 * The importer's provider table inverts the emitter's: a provider of every
 * kind (and every OpenAI-compatible service), emitted to LiteLLM and
 * imported, comes back as the same kind, service, endpoint and LiteLLM
 * parameters. Prefixes LiteLLM does not have are reported, not guessed.
 */
import { describe, expect, it } from 'vitest';
import { importLitellm } from '../../src/import/litellm.ts';
import { parseModelRef } from '../../src/import/provider-prefix.ts';
import { OPENAI_COMPATIBLE_SERVICE_NAMES, PROVIDER_KINDS } from '../../src/model/closed-sets.ts';
import type { PolicyInput } from '../../src/model/policy.ts';
import type { ProviderInput } from '../../src/model/provider.ts';
import { emitLitellm } from '../../src/targets/litellm.ts';
import { compileInput } from '../fixtures/policies.ts';

const PROVIDERS: ProviderInput[] = [
  { id: 'p', kind: 'openai', apiBase: 'https://api.openai.com/v1', apiKey: 'env:K' },
  { id: 'p', kind: 'azure_openai', apiBase: 'env:AZURE_BASE', apiVersion: '2024-10-21', apiKey: 'env:K' },
  { id: 'p', kind: 'anthropic', apiKey: 'vault:secret/anthropic#key' },
  { id: 'p', kind: 'vllm', apiBase: 'http://gpu.internal:8000/v1' },
  ...OPENAI_COMPATIBLE_SERVICE_NAMES.map(
    (service): ProviderInput => ({
      id: 'p',
      kind: 'openai_compatible',
      service,
      // `openai/` with a key is OpenAI's kind (behind a proxy, say); a generic server is told apart by having none.
      ...(service === 'generic' ? {} : { apiKey: 'env:K' }),
      ...(service === 'generic' || service === 'ollama' || service === 'lm_studio' || service === 'llamafile' ? { apiBase: 'http://box.internal:8080' } : {}),
      ...(service === 'openrouter' ? { compat: { headers: { 'HTTP-Referer': 'https://example.com' }, n: false } } : {}),
    }),
  ),
  {
    id: 'p',
    kind: 'passthrough',
    litellm: { provider: 'bedrock', params: { aws_region_name: 'eu-west-1' }, secrets: { aws_secret_access_key: 'env:AWS_SECRET' } },
  },
  { id: 'p', kind: 'passthrough', apiKey: 'env:GEMINI_API_KEY', litellm: { provider: 'gemini' } },
];

function policyOf(provider: ProviderInput): PolicyInput {
  const vllm = provider.kind === 'vllm';
  return {
    name: 'one',
    providers: [provider],
    deployments: [
      {
        id: 'd',
        provider: 'p',
        model: vllm ? 'model-name' : 'vendor/model-name',
        contextWindow: 8192,
        pricing: { inputPer1M: 1, outputPer1M: 2 },
        ...(vllm ? { pool: 'gpu' } : {}),
      },
    ],
    modelGroups: [{ name: 'openai/gpt-4o-mini', deployments: ['d'] }],
    gpuPools: vllm
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
}

describe('LiteLLM provider prefixes', () => {
  it('cover every provider kind', () => {
    expect(new Set(PROVIDERS.map((p) => p.kind))).toEqual(new Set(PROVIDER_KINDS));
  });

  it.each(
    PROVIDERS.filter((p) => p.kind !== 'vllm').map(
      (p) => [`${p.kind}${p.service ? ` ${p.service}` : ''}${p.litellm ? ` ${p.litellm.provider}` : ''}`, p] as const,
    ),
  )('%s: emitted, imported, the same provider', (_name, provider) => {
    const plan = compileInput(policyOf(provider)).plan!;
    const text = emitLitellm(plan)[0]!.content;
    const back = importLitellm(text, { name: 'one', file: 'config.yaml' });
    // The compiler's note on a group only LiteLLM can serve, as for the policy emitted.
    expect(back.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code)).toEqual(provider.kind === 'passthrough' ? ['passthrough-only-group'] : []);
    expect({ ...back.plan!.providers[Object.keys(back.plan!.providers)[0]!]!, id: 'p' }).toEqual(plan.providers.p);
    expect({ ...back.plan!.deployments.d!, provider: 'p' }).toEqual(plan.deployments.d);
    // A group named as clients call it survives too.
    expect(Object.keys(back.plan!.groups)).toEqual(['openai/gpt-4o-mini']);
  });

  it('read the kind, service or LiteLLM provider, and report the rest', () => {
    expect(parseModelRef('hosted_vllm/meta-llama/Llama-3.1-8B')).toEqual({
      kind: 'vllm',
      prefix: 'hosted_vllm',
      model: 'meta-llama/Llama-3.1-8B',
      inferred: false,
    });
    expect(parseModelRef('ollama/qwen2.5:7b')).toEqual({
      kind: 'openai_compatible',
      service: 'ollama',
      prefix: 'ollama',
      model: 'qwen2.5:7b',
      inferred: false,
    });
    expect(parseModelRef('groq/llama-3.1-8b-instant')).toMatchObject({ kind: 'openai_compatible', service: 'groq' });
    expect(parseModelRef('vertex_ai/gemini-1.5-pro')).toEqual({ kind: 'passthrough', prefix: 'vertex_ai', model: 'gemini-1.5-pro', inferred: false });
    expect(parseModelRef('gpt-4o-mini')).toMatchObject({ kind: 'openai', inferred: true });
    expect(parseModelRef('claude-3-5-haiku-20241022')).toMatchObject({ kind: 'anthropic', inferred: true });
    expect(parseModelRef('llama3')).toMatchObject({ kind: null, reason: 'a model without a provider prefix that Switchyard cannot attribute' });
    expect(parseModelRef('made_up/x')).toMatchObject({ kind: null, reason: 'the LiteLLM provider "made_up", which Switchyard does not know' });
    // Object.prototype names are not prefixes.
    expect(parseModelRef('constructor/x')).toMatchObject({ kind: null });
  });
});
