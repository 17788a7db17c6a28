/**
 * Five LiteLLM configs of the kinds LiteLLM's documentation shows (issue 18,
 * point 5), written for these tests from the documented fields (each
 * fixture names the page it follows; every key is checked against the
 * documented key lists of /work/shared/fixtures/litellm). Each one imports
 * with exactly the findings listed, its files are formatted as Biome
 * formats them, and the files compile, through the real loader, to the plan
 * the import checked.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../src/import/litellm.ts';
import { haveFixtures, litellmKeys, unknownKeys } from '../targets/litellm-fixtures.ts';
import { biomeFormat, compileWritten, findings, fixture, importFixture } from './import-fixture.ts';

interface Case {
  file: string;
  vllm?: string[];
  gpus?: { pool?: string; model: string; vramGb: number }[];
  /** Every warning, as code@file:line. */
  findings: string[];
  check(r: ImportResult): void;
}

const CASES: Case[] = [
  {
    file: 'azure-openai-fallbacks.yaml',
    findings: ['import-unsupported@azure-openai-fallbacks.yaml:50', 'import-literal-secret@azure-openai-fallbacks.yaml:53'],
    check(r) {
      const p = r.plan!;
      expect(p.groups['gpt-4o']).toMatchObject({
        strategy: 'weighted',
        workload: 'interactive',
        fallbacks: ['gpt-4o-openai'],
        deployments: ['azure-gpt-4o-eastus', 'azure-gpt-4o-westeurope'],
      });
      expect(p.groups['gpt-4o']!.retries.count).toBe(2);
      expect(p.groups['gpt-4o']!.timeouts.requestMs).toBe(30_000);
      // 60 s against router_settings.timeout 30 s: not one of the groups router_settings describe.
      expect(p.groups['gpt-4o-openai']).toMatchObject({ workload: 'cost_sensitive', timeouts: { requestMs: 60_000, streamFirstTokenMs: null } });
      // allowed_fails 3 -> 3 failures of 20 in a minute; cooldown_time 30.
      // LiteLLM counts failures that come less than cooldown_time apart: the breaker's window is the cooldown.
      expect(p.groups['gpt-4o']!.circuitBreaker).toMatchObject({ errorRateThreshold: 0.15, minRequests: 20, windowMs: 30_000, cooldownMs: 30_000 });
      expect(Object.values(p.providers).map((x) => `${x.id} ${x.kind} ${x.apiBase} ${x.apiVersion} ${x.apiKey!.ref}`)).toEqual([
        'azure-contoso-eastus azure_openai https://contoso-eastus.openai.azure.com/ 2024-10-21 env:AZURE_EASTUS_API_KEY',
        'azure-contoso-westeurope azure_openai https://contoso-westeurope.openai.azure.com/ 2024-10-21 env:AZURE_WESTEUROPE_API_KEY',
        'openai openai null null env:OPENAI_API_KEY',
      ]);
      const index = r.files!.find((f) => f.path === 'index.ts')!.content;
      expect(index).toContain('// azure-openai-fallbacks.yaml:50: litellm_settings.success_callback (LiteLLM logging callbacks;');
      expect(index).toContain('//   success_callback:\n//     - langfuse\n');
      expect(index).toContain('general_settings.master_key was a literal secret; the generated LiteLLM config reads it from LITELLM_MASTER_KEY');
    },
  },
  {
    file: 'usage-based-redis.yaml',
    findings: [
      'import-defaulted@usage-based-redis.yaml:6',
      'import-defaulted@usage-based-redis.yaml:7',
      'import-defaulted@usage-based-redis.yaml:14',
      'import-defaulted@usage-based-redis.yaml:15',
      'import-redis-url@usage-based-redis.yaml:23',
      'import-unsupported@usage-based-redis.yaml:31',
      'import-unsupported@usage-based-redis.yaml:32',
    ],
    check(r) {
      const p = r.plan!;
      expect(p.routerState).toEqual({
        kind: 'redis',
        url: { ref: 'env:SWITCHYARD_REDIS_URL', scheme: 'env', name: 'SWITCHYARD_REDIS_URL' },
        keyPrefix: 'switchyard:',
        cluster: false,
      });
      expect(p.groups['gpt-4o-mini']).toMatchObject({ strategy: 'usage_based', deployments: ['azure-gpt-4o-mini', 'openai-gpt-4o-mini'] });
      expect(Object.values(p.deployments).map((d) => [d.id, d.rpm, d.tpm, d.contextWindow, d.pricing.inputPer1M])).toEqual([
        ['azure-gpt-4o-mini', 6000, 1_000_000, 8192, 0],
        ['openai-gpt-4o-mini', 10_000, 2_000_000, 8192, 0],
      ]);
      const hint = r.diagnostics.find((d) => d.code === 'import-redis-url')!.hint;
      expect(hint).toBe('export SWITCHYARD_REDIS_URL=redis://:$REDIS_PASSWORD@$REDIS_HOST:$REDIS_PORT where Switchyard and LiteLLM run');
      const routing = r.files!.find((f) => f.path === 'routing.ts')!.content;
      expect(routing).toContain(
        "    // defaulted: usage-based-redis.yaml:6 gives no model_info.max_input_tokens; set the model's context window\n    contextWindow: 8192,",
      );
    },
  },
  {
    file: 'context-window-fallbacks.yaml',
    findings: [],
    check(r) {
      const p = r.plan!;
      expect(p.groups['gpt-3.5-turbo']).toMatchObject({ contextWindowFallbacks: ['gpt-4o', 'claude-haiku'], fallbacks: ['gpt-4o'], maxContextWindow: 16_385 });
      expect(p.groups['gpt-4o']!.fallbacks).toEqual(['claude-haiku']);
      // No routing_strategy: LiteLLM's default, simple-shuffle, is weighted.
      for (const g of Object.values(p.groups)) expect(g.strategy).toBe('weighted');
      expect(p.deployments['anthropic-claude-3-5-haiku-20241022']!.pricing).toEqual({ inputPer1M: 0.8, outputPer1M: 4 });
    },
  },
  {
    file: 'per-model-rpm-tpm.yaml',
    findings: [
      'import-defaulted@per-model-rpm-tpm.yaml:7',
      'import-literal-secret@per-model-rpm-tpm.yaml:9',
      'import-unsupported@per-model-rpm-tpm.yaml:14',
      'import-defaulted@per-model-rpm-tpm.yaml:17',
      'import-unsupported@per-model-rpm-tpm.yaml:26',
      'import-defaulted@per-model-rpm-tpm.yaml:28',
      'import-defaulted@per-model-rpm-tpm.yaml:29',
      'import-defaulted@per-model-rpm-tpm.yaml:35',
      'import-defaulted@per-model-rpm-tpm.yaml:36',
      'import-changed@per-model-rpm-tpm.yaml:51',
    ],
    check(r) {
      const p = r.plan!;
      expect(p.groups['gpt-4o']).toMatchObject({ strategy: 'weighted', deployments: ['azure-gpt-4o', 'openai-gpt-4o'] });
      expect([p.deployments['openai-gpt-4o']!.weight, p.deployments['azure-gpt-4o']!.weight]).toEqual([3, 1]);
      expect([p.deployments['openai-gpt-4o']!.rpm, p.deployments['openai-gpt-4o']!.tpm]).toEqual([500, 300_000]);
      expect(p.groups['claude-sonnet']).toMatchObject({
        strategy: 'ordered',
        deployments: ['anthropic-claude-3-5-sonnet-20241022', 'anthropic-claude-3-5-sonnet-20240620'],
      });
      // The literal key moved to OPENAI_API_KEY, which no other reference used.
      expect(p.providers.openai!.apiKey!.ref).toBe('env:OPENAI_API_KEY');
      expect(p.groups['gpt-4o']!.circuitBreaker).toMatchObject({ errorRateThreshold: 0.1, windowMs: 60_000, cooldownMs: 60_000 });
      // InternalServerErrorRetries is read from LiteLLM 1.110 on: the config was written for that range, which
      // retries 503 by its own class (not listed here) and 502 like a connection error.
      expect(p.targets?.litellm.release).toBe('1.110+');
      expect(p.groups['gpt-4o']!.retries.retryOn).toEqual([408, 429, 500, 502, 504]);
    },
  },
  {
    file: 'hosted-vllm.yaml',
    vllm: ['gpu-a=vllm-gpu-a.yaml', 'gpu-b=vllm-gpu-b.sh'],
    gpus: [{ model: 'RTX 4090', vramGb: 24 }],
    findings: ['import-unsupported@vllm-gpu-a.yaml:12', 'import-literal-secret@vllm-gpu-b.sh:7'],
    check(r) {
      const p = r.plan!;
      expect(Object.keys(p.pools)).toEqual(['gpu-a', 'gpu-b']);
      expect(p.pools['gpu-a']).toMatchObject({ gpu: { model: 'RTX 4090', vramGb: 24, count: 1 }, maxContext: 32_768 });
      expect(p.pools['gpu-b']!.maxContext).toBe(16_384);
      expect(p.pools['gpu-b']!.models['llama-3.1-8b-instruct']).toMatchObject({
        model: 'meta-llama/Llama-3.1-8B-Instruct',
        gpuMemoryUtilization: 0.85,
        port: 8000,
      });
      expect(Object.values(p.deployments).map((d) => [d.id, d.pool, d.contextWindow])).toEqual([
        ['openai-gpt-4o-mini', null, 128_000],
        ['vllm-llama-3.1-8b-instruct', 'gpu-a', 32_768],
        ['vllm-llama-3.1-8b-instruct-2', 'gpu-b', 16_384],
      ]);
      expect(p.groups['llama-local']).toMatchObject({
        strategy: 'usage_based',
        workload: 'interactive',
        fallbacks: ['gpt-4o-mini'],
        contextWindowFallbacks: ['gpt-4o-mini'],
      });
      expect(p.groups['llama-local']!.timeouts.requestMs).toBe(20_000);
      // The literal --api-key of the command line is nowhere in the files.
      for (const f of r.files!) expect(f.content).not.toContain('sk-vllm-literal-key-42');
    },
  },
  {
    file: 'open-and-cloud-models.yaml',
    // The compiler's own notes: LiteLLM serves these groups, Switchyard's gateway cannot.
    findings: ['passthrough-only-group@open-and-cloud-models.yaml:25', 'passthrough-only-group@open-and-cloud-models.yaml:35'],
    check(r) {
      const p = r.plan!;
      expect(Object.keys(p.groups).sort()).toEqual([
        'anthropic.claude-3-5-sonnet',
        'gemini-1.5-pro',
        'llama-3.1-8b-instant',
        'openai/gpt-4o-mini',
        'qwen2.5:7b',
      ]);
      expect(p.groups['qwen2.5:7b']!.fallbacks).toEqual(['llama-3.1-8b-instant', 'openai/gpt-4o-mini']);
      expect(p.providers.ollama).toMatchObject({
        kind: 'openai_compatible',
        apiBase: 'http://ollama.internal:11434',
        apiKey: null,
        openaiCompatible: { service: 'ollama' },
      });
      expect(p.providers.groq).toMatchObject({ kind: 'openai_compatible', apiBase: 'https://api.groq.com/openai/v1', apiKey: { ref: 'env:GROQ_API_KEY' } });
      expect(p.providers.bedrock!.passthrough).toEqual({
        provider: 'bedrock',
        params: { aws_region_name: 'eu-central-1' },
        secrets: {
          aws_access_key_id: { ref: 'env:AWS_ACCESS_KEY_ID', scheme: 'env', name: 'AWS_ACCESS_KEY_ID' },
          aws_secret_access_key: { ref: 'env:AWS_SECRET_ACCESS_KEY', scheme: 'env', name: 'AWS_SECRET_ACCESS_KEY' },
        },
      });
      expect(p.providers.vertex_ai!.passthrough!.params).toEqual({ vertex_project: 'acme-llm', vertex_location: 'europe-west4' });
      expect(p.providers.azure).toMatchObject({ apiBase: null, apiBaseEnv: 'AZURE_API_BASE', apiVersion: null, apiVersionEnv: 'AZURE_API_VERSION' });
      expect(p.deployments['bedrock-anthropic.claude-3-5-sonnet-20240620-v1-0']!.model).toBe('anthropic.claude-3-5-sonnet-20240620-v1:0');
    },
  },
];

describe.each(CASES)('import of $file', (c) => {
  const result = importFixture(c.file, c.vllm, c.gpus);

  it('reports exactly the expected findings, each at its line', () => {
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(findings(result.diagnostics)).toEqual(c.findings);
    c.check(result);
  });

  it.skipIf(!haveFixtures)('uses only keys LiteLLM documents', () => {
    // The checker was written for emitted configs, which have every section; a hand-written one may leave some out.
    const unknown = unknownKeys(parse(fixture(c.file)), litellmKeys()).filter(
      (k) => k !== 'router_settings.routing_strategy: undefined' && !k.endsWith(': not a mapping'),
    );
    expect(unknown).toEqual([]);
  });

  it('writes files Biome leaves as they are, which compile to the plan the import checked', async () => {
    for (const f of result.files!) expect(biomeFormat(f.content)).toBe(f.content);
    const written = await compileWritten(result);
    try {
      expect(written.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(written.plan!.hash).toBe(result.plan!.hash);
    } finally {
      written.cleanup();
    }
  });
});
