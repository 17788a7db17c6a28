/**
 * The LiteLLM config for every provider kind a real-world policy uses:
 * OpenAI-compatible services, pass-through providers, endpoints from the
 * environment and group names as clients send them.
 *
 * Provider names are checked against LITELLM_CHAT_PROVIDERS of
 * litellm/constants.py (BerriAI/litellm, commit 000db7e8c24232379697f5dc30ab954ef4d10ea4),
 * transcribed below; parameter names against litellm_params_keys.json
 * (litellm/types/router.py, see the shared fixtures' SOURCES.md) plus the
 * completion parameters LiteLLM takes in litellm_params
 * (DEFAULT_CHAT_COMPLETION_PARAM_VALUES in the same constants.py:
 * `extra_headers`, `additional_drop_params`).
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LITELLM_PASSTHROUGH_PROVIDERS, OPENAI_COMPATIBLE_SERVICES } from '../../src/model/closed-sets.ts';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { emitLitellm, litellmLimitations } from '../../src/targets/litellm.ts';
import { realWorldPolicy } from '../fixtures/real-world-policy.ts';
import { haveFixtures, litellmKeys, unknownKeys } from './litellm-fixtures.ts';

/** LITELLM_CHAT_PROVIDERS, litellm/constants.py @ 000db7e8 (BerriAI/litellm). */
const LITELLM_CHAT_PROVIDERS = new Set([
  'openai', 'openai_like', 'bytez', 'xai', 'custom_openai', 'text-completion-openai', 'cohere', 'cohere_chat', 'clarifai', 'anthropic',
  'anthropic_text', 'replicate', 'huggingface', 'together_ai', 'datarobot', 'helicone', 'openrouter', 'cometapi', 'vertex_ai', 'vertex_ai_beta',
  'gemini', 'ai21', 'baseten', 'azure', 'azure_text', 'azure_ai', 'sagemaker', 'sagemaker_chat', 'sagemaker_nova', 'bedrock', 'vllm',
  'nlp_cloud', 'petals', 'oobabooga', 'ollama', 'ollama_chat', 'deepinfra', 'perplexity', 'mistral', 'groq', 'gigachat', 'nvidia_nim',
  'cerebras', 'ai21_chat', 'volcengine', 'codestral', 'text-completion-codestral', 'deepseek', 'sambanova', 'maritalk', 'cloudflare',
  'fireworks_ai', 'friendliai', 'watsonx', 'watsonx_text', 'triton', 'predibase', 'databricks', 'empower', 'github', 'custom',
  'litellm_proxy', 'hosted_vllm', 'llamafile', 'lm_studio', 'galadriel', 'gradient_ai', 'github_copilot', 'chatgpt', 'novita', 'meta_llama',
  'featherless_ai', 'nscale', 'nebius', 'dashscope', 'moonshot', 'publicai', 'v0', 'heroku', 'oci', 'morph', 'lambda_ai',
  'vercel_ai_gateway', 'wandb', 'ovhcloud', 'lemonade', 'docker_model_runner', 'amazon_nova',
]); // biome-ignore format: one upstream list

/** Completion parameters LiteLLM accepts in litellm_params (DEFAULT_CHAT_COMPLETION_PARAM_VALUES, litellm/constants.py). */
const COMPLETION_PARAMS = ['extra_headers', 'additional_drop_params'];

type Obj = Record<string, any>;

function compiled(): CompiledPlan {
  const r = compilePolicy(Policy.parse(realWorldPolicy()));
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.plan!;
}
const config = (plan: CompiledPlan): Obj => parse(emitLitellm(plan)[0]!.content) as Obj;
const entry = (cfg: Obj, id: string): Obj => {
  const e = cfg.model_list.find((m: Obj) => m.model_info.id === id);
  if (!e) throw new Error(`no model_list entry ${id}`);
  return e.litellm_params;
};

describe('provider prefixes', () => {
  it("every OpenAI-compatible service's prefix and every pass-through provider is a LiteLLM provider", () => {
    for (const [service, s] of Object.entries(OPENAI_COMPATIBLE_SERVICES))
      expect([service, LITELLM_CHAT_PROVIDERS.has(s.litellmPrefix)]).toEqual([service, true]);
    for (const p of LITELLM_PASSTHROUGH_PROVIDERS) expect([p, LITELLM_CHAT_PROVIDERS.has(p)]).toEqual([p, true]);
  });

  it('writes <prefix>/<model> for each kind', () => {
    const cfg = config(compiled());
    expect(entry(cfg, 'Llama-3.1-8B-Instruct/groq-llama-8b').model).toBe('groq/llama-3.1-8b-instant');
    expect(entry(cfg, 'Llama-3.1-8B-Instruct/openrouter-llama-8b').model).toBe('openrouter/meta-llama/llama-3.1-8b-instruct');
    expect(entry(cfg, 'qwen2.5:7b/ollama-qwen').model).toBe('ollama_chat/qwen2.5:7b');
    expect(entry(cfg, 'qwen2.5:7b/llamacpp-qwen').model).toBe('openai/qwen2.5-7b-instruct-q4_k_m');
    expect(entry(cfg, 'claude-3.5-sonnet@bedrock/bedrock-claude').model).toBe('bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0');
    expect(entry(cfg, 'gemini-1.5-pro/vertex-gemini').model).toBe('vertex_ai/gemini-1.5-pro');
    expect(entry(cfg, 'openai/gpt-4o-mini/azure-gpt-4o-mini').model).toBe('azure/gpt-4o-mini');
    for (const m of cfg.model_list) expect(LITELLM_CHAT_PROVIDERS.has(m.litellm_params.model.split('/')[0])).toBe(true);
  });

  it.skipIf(!haveFixtures)('uses only parameter names LiteLLM knows', () => {
    const keys = litellmKeys();
    for (const k of COMPLETION_PARAMS) keys.litellmParams.add(k);
    expect(unknownKeys(config(compiled()), keys)).toEqual([]);
  });
});

describe('OpenAI-compatible services', () => {
  it("takes a public service's endpoint from the service, a local server's from the policy (path prefix on the end)", () => {
    const cfg = config(compiled());
    expect(entry(cfg, 'Llama-3.1-8B-Instruct/groq-llama-8b').api_base).toBe('https://api.groq.com/openai/v1');
    expect(entry(cfg, 'Llama-3.1-8B-Instruct/openrouter-llama-8b').api_base).toBe('https://openrouter.ai/api/v1');
    expect(entry(cfg, 'qwen2.5:7b/llamacpp-qwen').api_base).toBe('http://llamacpp.internal:8080/v1');
  });

  it('carries extra headers, and drops n and stream_options where the server refuses them', () => {
    const cfg = config(compiled());
    expect(entry(cfg, 'Llama-3.1-8B-Instruct/openrouter-llama-8b').extra_headers).toEqual({
      'HTTP-Referer': 'https://switchyard.example',
      'X-Title': 'Switchyard',
    });
    expect(entry(cfg, 'qwen2.5:7b/llamacpp-qwen').additional_drop_params).toEqual(['n', 'stream_options']);
    expect(entry(cfg, 'Llama-3.1-8B-Instruct/groq-llama-8b')).not.toHaveProperty('additional_drop_params');
    expect(entry(cfg, 'Llama-3.1-8B-Instruct/groq-llama-8b')).not.toHaveProperty('extra_headers');
  });

  it('a local server without a key gets no api_key', () => {
    expect(entry(config(compiled()), 'qwen2.5:7b/ollama-qwen')).not.toHaveProperty('api_key');
  });
});

describe('endpoints from the environment', () => {
  it('writes env:NAME as os.environ/NAME and lists the variable in the header', () => {
    const plan = compiled();
    const cfg = config(plan);
    expect(entry(cfg, 'qwen2.5:7b/ollama-qwen').api_base).toBe('os.environ/OLLAMA_API_BASE');
    expect(entry(cfg, 'openai/gpt-4o-mini/azure-gpt-4o-mini')).toMatchObject({
      api_base: 'os.environ/AZURE_API_BASE',
      api_version: 'os.environ/AZURE_API_VERSION',
    });
    const env = /^# Environment: (.*)$/m.exec(emitLitellm(plan)[0]!.content)![1]!.split(', ');
    expect(env).toEqual(expect.arrayContaining(['OLLAMA_API_BASE', 'AZURE_API_BASE', 'AZURE_API_VERSION']));
    expect(plan.providers.ollama).toMatchObject({ apiBase: null, apiBaseEnv: 'OLLAMA_API_BASE' });
  });

  it('notes that LiteLLM does not add a path prefix to an environment endpoint', () => {
    const p = realWorldPolicy();
    const llamacpp = p.providers!.find((x) => x.id === 'llamacpp')!;
    llamacpp.apiBase = 'env:LLAMACPP_BASE';
    const plan = compilePolicy(Policy.parse(p)).plan!;
    const notes = litellmLimitations(plan).filter((d) => d.path === 'providers.llamacpp.compat.pathPrefix');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.message).toContain('LLAMACPP_BASE');
    expect(entry(config(plan), 'qwen2.5:7b/llamacpp-qwen').api_base).toBe('os.environ/LLAMACPP_BASE');
  });
});

describe('pass-through providers', () => {
  it('write their parameters and their credentials as references, never literals', () => {
    const cfg = config(compiled());
    expect(entry(cfg, 'claude-3.5-sonnet@bedrock/bedrock-claude')).toMatchObject({
      aws_region_name: 'eu-west-1',
      aws_access_key_id: 'os.environ/AWS_ACCESS_KEY_ID',
      aws_secret_access_key: 'os.environ/AWS_SECRET_ACCESS_KEY',
    });
    expect(entry(cfg, 'gemini-1.5-pro/vertex-gemini')).toMatchObject({ vertex_project: 'acme-ml', vertex_location: 'us-central1' });
    // A Vault reference goes through LiteLLM's secret manager or its environment bridge (litellm/secrets.ts): a reference either way.
    expect(entry(cfg, 'gemini-1.5-pro/vertex-gemini').vertex_credentials).toMatch(/^os\.environ\/[A-Za-z0-9_-]+$/);
    expect(JSON.stringify(cfg)).not.toContain('secret/gcp-vertex#key');
  });

  it('refuses a credential among plain parameters, and a parameter Switchyard writes itself', () => {
    const bad = (params: Record<string, string>) => {
      const p = realWorldPolicy();
      p.providers!.find((x) => x.id === 'bedrock')!.litellm!.params = params;
      const r = Policy.safeParse(p);
      expect(r.success).toBe(false);
      return r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(bad({ aws_secret_access_key: 'AKIA...' })).toEqual([expect.stringMatching(/^providers\.5\.litellm\.params\.aws_secret_access_key: .*secrets/)]);
    expect(bad({ api_base: 'https://x' })).toEqual([expect.stringMatching(/^providers\.5\.litellm\.params\.api_base: .*written by Switchyard/)]);
  });
});
