/**
 * What Switchyard's serving side can serve of a real-world plan: pass-through
 * deployments out, groups that keep other deployments served from those,
 * groups left empty served by their fallbacks, each said in one line; and
 * provider endpoints read from the environment at start.
 */
import { describe, expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { manualClock, seededRandom } from '../../src/runtime/clock.ts';
import { dryRunTransport } from '../../src/runtime/dry-run.ts';
import { ProviderEnvError, providerEnvRefs, resolveProviderEnv } from '../../src/runtime/provider-env.ts';
import { createRouter } from '../../src/runtime/router.ts';
import { servablePlan } from '../../src/runtime/servable.ts';
import { memoryStore } from '../../src/runtime/stores/memory.ts';
import { realWorldPolicy } from '../fixtures/real-world-policy.ts';

const plan = (): CompiledPlan => compilePolicy(Policy.parse(realWorldPolicy())).plan!;

describe('servablePlan', () => {
  it('takes pass-through deployments out and says which groups that touches, and how', () => {
    const { plan: served, unserved } = servablePlan(plan());
    expect(Object.keys(served.deployments).sort()).not.toContain('bedrock-claude');
    expect(Object.keys(served.deployments).sort()).not.toContain('vertex-gemini');
    expect(served.groups['claude-3.5-sonnet@bedrock']!.deployments).toEqual(['openai-gpt-4o-mini']);
    expect(served.groups['gemini-1.5-pro']!.deployments).toEqual([]);
    expect(unserved.map((u) => [u.path, u.remaining, u.dropped])).toEqual([
      ['groups.claude-3.5-sonnet@bedrock', ['openai-gpt-4o-mini'], [{ deployment: 'bedrock-claude', provider: 'bedrock' }]],
      ['groups.gemini-1.5-pro', [], [{ deployment: 'vertex-gemini', provider: 'vertex_ai' }]],
    ]);
    expect(unserved[0]!.message).toBe(
      'group "claude-3.5-sonnet@bedrock" is served from openai-gpt-4o-mini only: bedrock-claude (bedrock) is a pass-through deployment that only LiteLLM can call',
    );
    expect(unserved[1]!.message).toContain('cannot be served by Switchyard');
    expect(unserved[1]!.message).toContain('its fallbacks openai/gpt-4o-mini serve its requests');
    // The plan keeps naming what was compiled.
    expect(served.hash).toBe(plan().hash);
  });

  it('leaves a plan without pass-through deployments as it is (same object)', () => {
    const p = realWorldPolicy();
    p.providers = p.providers!.filter((x) => x.kind !== 'passthrough');
    p.deployments = p.deployments!.filter((d) => d.provider !== 'bedrock' && d.provider !== 'vertex');
    p.modelGroups = p
      .modelGroups!.filter((g) => g.name !== 'gemini-1.5-pro')
      .map((g) => ({ ...g, deployments: g.deployments.filter((d) => d !== 'bedrock-claude') }));
    p.tenants = [];
    const compiled = compilePolicy(Policy.parse(p)).plan!;
    const r = servablePlan(compiled);
    expect(r.unserved).toEqual([]);
    expect(r.plan).toBe(compiled);
  });

  it('the router serves a pass-through-only group from its fallback, and never calls a pass-through deployment', async () => {
    const { plan: served } = servablePlan(plan());
    const called: string[] = [];
    const transport = dryRunTransport();
    const router = createRouter(served, {
      store: memoryStore(),
      clock: manualClock(),
      random: seededRandom(7),
      transport: { call: (d, r, o) => (called.push(d.id), transport.call(d, r, o)) },
    });
    const gemini = await router.route({ group: 'gemini-1.5-pro', tenant: 'app', estimatedInputTokens: 10 });
    expect(gemini).toMatchObject({ ok: true, group: 'openai/gpt-4o-mini' });
    for (let i = 0; i < 20; i++)
      expect((await router.route({ group: 'claude-3.5-sonnet@bedrock', estimatedInputTokens: 10 })).deployment).toBe('openai-gpt-4o-mini');
    expect(called.filter((id) => id === 'bedrock-claude' || id === 'vertex-gemini')).toEqual([]);
  });
});

describe('resolveProviderEnv', () => {
  it('lists every setting read from the environment', () => {
    expect(providerEnvRefs(plan())).toEqual([
      { provider: 'azure', setting: 'apiBase', name: 'AZURE_API_BASE' },
      { provider: 'azure', setting: 'apiVersion', name: 'AZURE_API_VERSION' },
      { provider: 'ollama', setting: 'apiBase', name: 'OLLAMA_API_BASE' },
    ]);
  });

  it('fills them in from the environment given', () => {
    const r = resolveProviderEnv(plan(), {
      AZURE_API_BASE: 'https://acme.openai.azure.com',
      AZURE_API_VERSION: '2024-10-21',
      OLLAMA_API_BASE: ' http://127.0.0.1:11434 ',
    });
    expect(r.providers.azure).toMatchObject({ apiBase: 'https://acme.openai.azure.com', apiVersion: '2024-10-21' });
    expect(r.providers.ollama!.apiBase).toBe('http://127.0.0.1:11434');
    expect(r.providers.groq!.apiBase).toBe('https://api.groq.com/openai/v1');
  });

  it('fails naming every unset or unusable variable, never its value', () => {
    const secretish = 'https://user:hunter2@x.example/v1';
    let err: unknown;
    try {
      resolveProviderEnv(plan(), { AZURE_API_BASE: secretish, AZURE_API_VERSION: 'latest' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProviderEnvError);
    const message = (err as Error).message;
    expect(message).toBe(
      'provider "azure": AZURE_API_BASE (its apiBase) is not an http(s) URL without credentials, query or fragment; ' +
        'provider "azure": AZURE_API_VERSION (its apiVersion) is not an API version such as 2024-10-21; ' +
        'provider "ollama": apiBase reads OLLAMA_API_BASE, which is not set',
    );
    expect(message).not.toContain('hunter2');
  });
});
