/**
 * Secrets never travel as values (issue 18, point 2): a literal credential
 * anywhere a LiteLLM or vLLM config may hold one (api_key, master_key,
 * database_url, redis_password, a logging integration's key, an
 * environment_variables block, vLLM's --api-key) is in no generated file
 * and no Diagnostic, and each literal the policy needs becomes an env:
 * reference with a generated name that no os.environ/ reference of the
 * config already uses, with a warning at its line.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importLitellm } from '../../src/import/litellm.ts';
import { renderJson } from '../../src/diagnostics/render.ts';

const secret = fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/).map((s) => `x${s}`);

function config(s: { key: string; master: string; db: string; redis: string; langfuse: string; env: string }): string {
  const q = JSON.stringify;
  return `model_list:
  - model_name: chat
    litellm_params:
      model: openai/gpt-4o
      api_key: ${q(s.key)}
    model_info:
      max_input_tokens: 128000
      input_cost_per_token: 0.0000025
      output_cost_per_token: 0.00001
  - model_name: chat-mini
    litellm_params:
      model: openai/gpt-4o-mini
      api_key: os.environ/OPENAI_API_KEY
    model_info:
      max_input_tokens: 128000
      input_cost_per_token: 0.00000015
      output_cost_per_token: 0.0000006
router_settings:
  redis_host: redis.internal
  redis_port: 6379
  redis_password: ${q(s.redis)}
litellm_settings:
  langfuse_secret_key: ${q(s.langfuse)}
general_settings:
  master_key: ${q(s.master)}
  database_url: ${q(`postgresql://llm:${s.db}@db.internal:5432/litellm`)}
environment_variables:
  LANGFUSE_PUBLIC_KEY: ${q(s.env)}
`;
}

describe('literal secrets in an imported config', () => {
  it('appear in no file and no Diagnostic; the api key becomes a fresh env: reference, warned at its line', () => {
    fc.assert(
      fc.property(fc.record({ key: secret, master: secret, db: secret, redis: secret, langfuse: secret, env: secret, vllm: secret }), (s) => {
        const text = config(s);
        const result = importLitellm(text, {
          name: 't',
          file: 'config.yaml',
          vllm: [
            {
              pools: ['gpu'],
              file: 'serve.sh',
              text: `vllm serve meta-llama/Llama-3.1-8B-Instruct --served-model-name llama --max-model-len 16384 --api-key ${s.vllm}`,
            },
          ],
          gpus: [{ model: 'RTX 4090', vramGb: 24 }],
        });
        expect(result.files).toBeDefined();
        const out = result.files!.map((f) => f.content).join('\n') + renderJson(result.diagnostics);
        for (const value of Object.values(s)) expect(out).not.toContain(value);
        // OPENAI_API_KEY is taken by the other entry, so the literal gets the next free name.
        expect(result.plan!.providers.openai!.apiKey!.ref).toBe('env:OPENAI_API_KEY_2');
        const warned = result.diagnostics.filter((d) => d.code === 'import-literal-secret').map((d) => `${d.source!.file}:${d.source!.line}`);
        expect(warned).toEqual(['config.yaml:5', 'config.yaml:21', 'config.yaml:23', 'config.yaml:25', 'config.yaml:26', 'config.yaml:28', 'serve.sh:1']);
      }),
      { numRuns: 40 },
    );
  });
});
