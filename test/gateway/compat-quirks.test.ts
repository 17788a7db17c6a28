/**
 * The OpenAI-compatible quirks against a local stand-in that is as strict
 * as the servers it stands for: it serves OpenAI's API only under its path
 * prefix (Ollama: `/v1` below the root), answers 400 to `stream_options` or
 * `n` when told it does not support them (as llama.cpp's server and several
 * hosted services do), and records headers. Bodies and streams are the
 * shared wire fixtures (fixtures/wire/openai). Endpoints come from the
 * environment through resolveProviderEnv, as the gateway resolves them at
 * start.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatRefusal, compatBody, compatHeaders, compatPath, compatStreamUsage } from '../../src/gateway/providers/compat-quirks.ts';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { PlanProvider } from '../../src/plan/types.ts';
import { resolveProviderEnv } from '../../src/runtime/provider-env.ts';
import { realWorldPolicy } from '../fixtures/real-world-policy.ts';
import { standIn, wire } from './compat-standin.ts';

/** What the adapter sends for one client body to one provider. */
async function send(p: PlanProvider, key: string | null, client: Record<string, unknown>, model: string) {
  const base = new URL(p.apiBase!);
  const body: Record<string, unknown> = { ...(compatBody(p, client) ?? client), model };
  if (body.stream === true && compatStreamUsage(p) && body.stream_options === undefined) body.stream_options = { include_usage: true };
  return fetch(`${base.origin}${compatPath(p, base.pathname, '/chat/completions')}`, {
    method: 'POST',
    headers: compatHeaders(p, key),
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

const servers: Server[] = [];
let ollama: Awaited<ReturnType<typeof standIn>>;
let llamacpp: Awaited<ReturnType<typeof standIn>>;
let openrouter: Awaited<ReturnType<typeof standIn>>;
let providers: Record<string, PlanProvider>;

beforeAll(async () => {
  ollama = await standIn({ prefix: '/v1', refuses: [] });
  llamacpp = await standIn({ prefix: '/v1', refuses: ['n', 'stream_options'] });
  openrouter = await standIn({ prefix: '/api/v1', refuses: [] });
  servers.push(ollama.server, llamacpp.server, openrouter.server);
  const p = realWorldPolicy();
  p.providers!.find((x) => x.id === 'llamacpp')!.apiBase = 'env:LLAMACPP_BASE';
  p.providers!.find((x) => x.id === 'openrouter')!.apiBase = 'env:OPENROUTER_BASE';
  const plan = resolveProviderEnv(compilePolicy(Policy.parse(p)).plan!, {
    OLLAMA_API_BASE: ollama.root,
    LLAMACPP_BASE: llamacpp.root,
    OPENROUTER_BASE: `${openrouter.root}/api/v1`,
    AZURE_API_BASE: 'https://acme.openai.azure.com',
    AZURE_API_VERSION: '2024-10-21',
  });
  providers = plan.providers;
});
afterAll(async () => {
  for (const s of servers) await new Promise((ok) => s.close(ok));
});

const request = () => JSON.parse(wire('chat_request.json')) as Record<string, unknown>;

describe('OpenAI-compatible quirks against a stand-in', () => {
  it('Ollama: the gateway adds /v1 below the root LiteLLM is given; no key, no Authorization header', async () => {
    const r = await send(providers.ollama!, null, request(), 'qwen2.5:7b');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { object: string }).object).toBe('chat.completion');
    expect(ollama.seen.at(-1)!.path).toBe('/v1/chat/completions');
    expect(ollama.seen.at(-1)!.headers.authorization).toBeUndefined();
    expect(ollama.seen.at(-1)!.body.model).toBe('qwen2.5:7b');
  });

  it('OpenRouter: its extra headers and the Bearer key on every call', async () => {
    const r = await send(providers.openrouter!, 'sk-or-test', request(), 'meta-llama/llama-3.1-8b-instruct');
    expect(r.status).toBe(200);
    const h = openrouter.seen.at(-1)!.headers;
    expect([h['http-referer'], h['x-title'], h.authorization]).toEqual(['https://switchyard.example', 'Switchyard', 'Bearer sk-or-test']);
    expect(openrouter.seen.at(-1)!.path).toBe('/api/v1/chat/completions');
  });

  it('llama.cpp without n and stream_options: the raw client body is refused, the shaped one served', async () => {
    const client = { ...request(), n: 1, stream: true, stream_options: { include_usage: true } };
    // The stand-in refuses what the client sent as it is: the quirk is real.
    const raw = await fetch(`${llamacpp.root}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(client),
    });
    expect(raw.status).toBe(400);
    const r = await send(providers.llamacpp!, null, client, 'qwen2.5-7b-instruct-q4_k_m');
    expect(r.status).toBe(200);
    const sent = llamacpp.seen.at(-1)!.body;
    expect(sent).not.toHaveProperty('n');
    expect(sent).not.toHaveProperty('stream_options');
    const events = (await r.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(events.some((e) => e.includes('"usage":{'))).toBe(false);
    expect(compatStreamUsage(providers.llamacpp!)).toBe(false);
  });

  it('n > 1 on a server without n is refused before any call', () => {
    const before = llamacpp.seen.length;
    expect(() => compatBody(providers.llamacpp!, { ...request(), n: 3 })).toThrow(CompatRefusal);
    expect(() => compatBody(providers.llamacpp!, { ...request(), n: 3 })).toThrow(/cannot return several choices/);
    expect(llamacpp.seen.length).toBe(before);
  });

  it('a server with every OpenAI parameter gets the client body untouched (null: splice the model only)', () => {
    const client = { ...request(), n: 2, stream: true, stream_options: { include_usage: true } };
    expect(compatBody(providers.ollama!, client)).toBeNull();
    expect(compatStreamUsage(providers.ollama!)).toBe(true);
  });

  it('a provider that is not openai_compatible is a programming error, not a silent default', () => {
    expect(() => compatPath(providers.openai!, '/v1', '/chat/completions')).toThrow(/not openai_compatible/);
  });
});
