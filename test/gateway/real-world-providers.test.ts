/**
 * `switchyard serve` over a real-world plan (test/fixtures/real-world-policy.ts)
 * with every upstream a strict local stand-in (compat-standin.ts): the
 * OpenAI-compatible quirks through the OpenAI adapter (Ollama's /v1 below its
 * root, OpenRouter's headers, a llama.cpp server without n and
 * stream_options), endpoints read from the environment at start, and
 * pass-through groups served by their fallbacks with the reason logged.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayConfigError } from '../../src/gateway/generation.ts';
import { createLogger } from '../../src/gateway/log.ts';
import { resolveServingSecrets, type ServingSecrets } from '../../src/gateway/secrets.ts';
import { type RunningGateway, startGateway } from '../../src/gateway/start.ts';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { memoryRequestLog } from '../../src/request-log/memory.ts';
import { memoryStore } from '../../src/runtime/stores/memory.ts';
import { createSecretResolver } from '../../src/secrets/resolve.ts';
import { realWorldPolicy } from '../fixtures/real-world-policy.ts';
import { type Seen, standIn, wire } from './compat-standin.ts';

type StandIn = Awaited<ReturnType<typeof standIn>>;
const KEYS = {
  APP_KEY: 'sk-app-tenant-3c9e1a7b5d2f',
  GROQ_API_KEY: 'gsk-groq-key-8d1f3a5c7e9b',
  OPENROUTER_KEY: 'sk-or-key-2b4d6f8a1c3e',
  OPENAI_API_KEY: 'sk-openai-key-5e7a9c1b3d',
};

let s: Record<'openai' | 'groq' | 'openrouter' | 'ollama' | 'llamacpp', StandIn>;
let plan: CompiledPlan;
let env: Record<string, string>;
let secrets: ServingSecrets;
let gateway: RunningGateway;
let url: string;
const logLines: string[] = [];

function policy(): Policy {
  const p = realWorldPolicy();
  // Azure's layout needs its own stand-in (test/gateway/gateway.test.ts has it); this test is about the new kinds.
  p.providers = p.providers!.filter((x) => x.id !== 'azure');
  p.deployments = p.deployments!.filter((d) => d.id !== 'azure-gpt-4o-mini');
  p.modelGroups = p.modelGroups!.map((g) => ({ ...g, deployments: g.deployments.filter((d) => d !== 'azure-gpt-4o-mini') }));
  for (const x of p.providers!) {
    if (x.kind === 'passthrough') continue;
    x.apiBase = `env:${x.id.toUpperCase()}_BASE`;
  }
  p.providers!.find((x) => x.id === 'openrouter')!.apiKey = 'env:OPENROUTER_KEY';
  return Policy.parse(p);
}

const seenBy = (x: StandIn, from: number): Seen[] => x.seen.slice(from);

async function post(body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.APP_KEY}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, text: await res.text() };
}

const request = (model: string, extra: Record<string, unknown> = {}) => ({ ...(JSON.parse(wire('chat_request.json')) as object), model, ...extra });

beforeAll(async () => {
  s = {
    openai: await standIn({ prefix: '/v1', refuses: [] }),
    groq: await standIn({ prefix: '/openai/v1', refuses: ['n'] }),
    openrouter: await standIn({ prefix: '/api/v1', refuses: [] }),
    ollama: await standIn({ prefix: '/v1', refuses: [] }),
    llamacpp: await standIn({ prefix: '/v1', refuses: ['n', 'stream_options'] }),
  };
  env = {
    ...KEYS,
    OPENAI_BASE: `${s.openai.root}/v1`,
    GROQ_BASE: `${s.groq.root}/openai/v1`,
    OPENROUTER_BASE: `${s.openrouter.root}/api/v1`,
    OLLAMA_BASE: s.ollama.root,
    LLAMACPP_BASE: s.llamacpp.root,
  };
  plan = compilePolicy(policy()).plan!;
  // The tenant may call every group.
  plan.tenants.app!.allowedGroups = Object.keys(plan.groups).sort();
  secrets = await resolveServingSecrets(plan, createSecretResolver({ env }));
  gateway = await startGateway({
    plan,
    env,
    store: memoryStore(),
    secrets,
    requestLog: memoryRequestLog(),
    log: createLogger((line) => logLines.push(line), Object.values(KEYS)),
  });
  url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
});
afterAll(async () => {
  await gateway?.close(2_000);
  for (const x of Object.values(s ?? {})) await new Promise((ok) => (x.server as Server).close(ok));
});

describe('serve with OpenAI-compatible and pass-through providers', () => {
  it('serves Ollama below its root and llama.cpp without n, whichever the router picks', async () => {
    const [o0, l0] = [s.ollama.seen.length, s.llamacpp.seen.length];
    for (let i = 0; i < 12; i++) expect((await post(request('qwen2.5:7b', { n: 1 }))).status).toBe(200);
    const ollama = seenBy(s.ollama, o0);
    const llamacpp = seenBy(s.llamacpp, l0);
    expect(ollama.length + llamacpp.length).toBe(12);
    for (const r of ollama) expect([r.path, r.body.model, r.body.n]).toEqual(['/v1/chat/completions', 'qwen2.5:7b', 1]);
    for (const r of llamacpp) {
      expect([r.path, r.body.model]).toEqual(['/v1/chat/completions', 'qwen2.5-7b-instruct-q4_k_m']);
      expect(r.body).not.toHaveProperty('n');
    }
  });

  it('streams from a server without stream_options: none is sent, the stream ends with [DONE]', async () => {
    const l0 = s.llamacpp.seen.length;
    let sawLlamacpp = false;
    for (let i = 0; i < 12 && !sawLlamacpp; i++) {
      const r = await post(request('qwen2.5:7b', { stream: true }));
      expect(r.status).toBe(200);
      expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      sawLlamacpp = s.llamacpp.seen.length > l0;
    }
    expect(sawLlamacpp).toBe(true);
    for (const r of seenBy(s.llamacpp, l0)) expect(r.body).not.toHaveProperty('stream_options');
  });

  it('never sends n > 1 to a server without n: the other deployment serves it', async () => {
    const [o0, l0] = [s.ollama.seen.length, s.llamacpp.seen.length];
    for (let i = 0; i < 6; i++) expect((await post(request('qwen2.5:7b', { n: 2 }))).status).toBe(200);
    expect(seenBy(s.llamacpp, l0)).toEqual([]);
    expect(seenBy(s.ollama, o0).map((r) => r.body.n)).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it("sends OpenRouter its headers and the key, Groq its key, each at its service's path", async () => {
    const [g0, r0] = [s.groq.seen.length, s.openrouter.seen.length];
    for (let i = 0; i < 8; i++) expect((await post(request('Llama-3.1-8B-Instruct'))).status).toBe(200);
    const groq = seenBy(s.groq, g0);
    const openrouter = seenBy(s.openrouter, r0);
    expect(groq.length + openrouter.length).toBe(8);
    for (const r of groq) expect([r.path, r.headers.authorization]).toEqual(['/openai/v1/chat/completions', `Bearer ${KEYS.GROQ_API_KEY}`]);
    for (const r of openrouter)
      expect([r.path, r.headers.authorization, r.headers['http-referer'], r.headers['x-title']]).toEqual([
        '/api/v1/chat/completions',
        `Bearer ${KEYS.OPENROUTER_KEY}`,
        'https://switchyard.example',
        'Switchyard',
      ]);
  });

  it('serves a pass-through-only group from its fallback, and said so at start', async () => {
    const a0 = s.openai.seen.length;
    const r = await post(request('gemini-1.5-pro'));
    expect(r.status).toBe(200);
    expect(seenBy(s.openai, a0).map((x) => x.body.model)).toEqual(['gpt-4o-mini']);
    const warnings = logLines.filter((l) => l.includes('"level":"warning"')).map((l) => JSON.parse(l) as { msg: string; path: string });
    expect(warnings.map((w) => w.path)).toEqual(['groups.claude-3.5-sonnet@bedrock', 'groups.gemini-1.5-pro']);
    expect(warnings[1]!.msg).toContain('cannot be served by Switchyard');
    for (const line of logLines) for (const key of Object.values(KEYS)) expect(line).not.toContain(key);
  });

  it('reads the endpoints again on every reload: a moved server is followed; a variable gone fails the reload and the plan served stays', async () => {
    // The gateway reads the environment object it was started with at each reload (process.env in `serve`).
    const moved = await standIn({ prefix: '/v1', refuses: [] });
    const before = env.OPENAI_BASE!;
    const old0 = s.openai.seen.length;
    try {
      env.OPENAI_BASE = `${moved.root}/v1`;
      await gateway.reload(plan, secrets);
      expect((await post(request('openai/gpt-4o-mini'))).status).toBe(200);
      expect(moved.seen.map((x) => [x.path, x.body.model])).toEqual([['/v1/chat/completions', 'gpt-4o-mini']]);
      delete env.OPENAI_BASE;
      await expect(gateway.reload(plan, secrets)).rejects.toThrow('provider "openai": apiBase reads OPENAI_BASE, which is not set');
      // The failed reload changed nothing: the moved server still answers.
      expect((await post(request('openai/gpt-4o-mini'))).status).toBe(200);
      expect(moved.seen).toHaveLength(2);
      expect(s.openai.seen.length).toBe(old0);
    } finally {
      env.OPENAI_BASE = before;
      await gateway.reload(plan, secrets);
      await new Promise((ok) => (moved.server as Server).close(ok));
    }
  });

  it('refuses to start when an endpoint variable is unset, naming it', async () => {
    const { OLLAMA_BASE: _, ...without } = env;
    const start = startGateway({
      plan,
      env: without,
      store: memoryStore(),
      secrets: await resolveServingSecrets(plan, createSecretResolver({ env })),
      requestLog: memoryRequestLog(),
    });
    await expect(start).rejects.toThrow(GatewayConfigError);
    await expect(start).rejects.toThrow('provider "ollama": apiBase reads OLLAMA_BASE, which is not set');
  });
});
