/**
 * OpenAI, Azure OpenAI and vLLM against the wire fixtures: bodies go
 * upstream with only the model changed, answers and streams come back byte
 * for byte (less the usage chunk the gateway asked for on the client's
 * behalf), usage is read from the provider's counts or, without them,
 * counted; Azure's deployment URL and api-version; vLLM's mid-stream error.
 */
import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import type { EndpointKind } from '../../../src/gateway/endpoints.ts';
import type { ExchangeView } from '../../../src/gateway/exchange.ts';
import { azureAdapter } from '../../../src/gateway/providers/azure.ts';
import { OpenAiRelay, upstreamBody } from '../../../src/gateway/providers/openai-compatible.ts';
import { openAiAdapter } from '../../../src/gateway/providers/openai.ts';
import type { Target } from '../../../src/gateway/providers/types.ts';
import { usageOf } from '../../../src/gateway/providers/usage.ts';
import { vllmAdapter } from '../../../src/gateway/providers/vllm.ts';
import type { PlanProvider } from '../../../src/plan/types.ts';
import { deployment } from '../../runtime/plans.ts';
import { wireJson, wireText } from '../../fixtures/upstream-standins.ts';

function exchange(body: Record<string, unknown>, endpoint: EndpointKind = 'chat', raw?: string): ExchangeView {
  const stream = body.stream === true;
  return {
    endpoint,
    body,
    raw: Buffer.from(raw ?? JSON.stringify(body)),
    stream,
    clientUsage: stream && (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true,
    estimatedInputTokens: 42,
    requestId: 'r1',
  };
}

function target(provider: Partial<PlanProvider>, model = 'gpt-4o-mini', base = 'http://up/v1'): Target {
  const p: PlanProvider = {
    id: 'p',
    kind: 'openai',
    apiBase: base,
    apiBaseEnv: null,
    apiVersion: null,
    apiVersionEnv: null,
    region: null,
    apiKey: null,
    openaiCompatible: null,
    passthrough: null,
    ...provider,
  };
  const adapter = p.kind === 'azure_openai' ? azureAdapter : p.kind === 'vllm' ? vllmAdapter : openAiAdapter;
  const url = new URL(base);
  return {
    deployment: deployment('d', { model }),
    provider: p,
    adapter,
    origin: url.origin,
    pool: new Pool(url.origin),
    basePath: url.pathname.replace(/\/+$/, ''),
    headers: adapter.headers('k', p),
    modelJson: JSON.stringify(model),
    streamUsage: adapter.streamUsage(p),
  };
}

function relayed(file: string, strip: boolean, chunkSize = 11) {
  const r = new OpenAiRelay(strip, 42);
  const bytes = Buffer.from(wireText(file));
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) {
    const out = r.push(bytes.subarray(i, i + chunkSize));
    if (out) parts.push(out);
  }
  return { r, out: Buffer.concat(parts).toString('utf8'), end: r.end() };
}

describe('request bodies', () => {
  it('forward the client body with only model changed; streams also ask for usage', () => {
    const t = target({});
    const plain = wireJson('openai/chat_request.json');
    const out = upstreamBody(exchange({ ...plain, model: 'chat' }), t);
    expect(JSON.parse(out.toString())).toEqual({ ...plain, model: 'gpt-4o-mini' });
    const stream = upstreamBody(exchange({ model: 'chat', messages: [], stream: true }), t);
    expect(JSON.parse(stream.toString())).toEqual({ model: 'gpt-4o-mini', messages: [], stream: true, stream_options: { include_usage: true } });
    // A client's own stream_options are kept and completed.
    const merged = upstreamBody(exchange({ model: 'chat', messages: [], stream: true, stream_options: { continuous_usage_stats: false } }), t);
    expect(JSON.parse(merged.toString()).stream_options).toEqual({ continuous_usage_stats: false, include_usage: true });
  });

  it('keep the bytes of everything but model (no re-serialisation)', () => {
    const raw = '{"messages":[{"role":"user","content":"caf\\u00e9 \\"x\\""}],  "model" :"chat","temperature":1.50}';
    const out = upstreamBody(exchange(JSON.parse(raw), 'chat', raw), target({}));
    expect(out.toString()).toBe('{"messages":[{"role":"user","content":"caf\\u00e9 \\"x\\""}],  "model" :"gpt-4o-mini","temperature":1.50}');
  });
});

describe('paths and headers', () => {
  it('OpenAI and vLLM: endpoints under the base URL, Bearer key', () => {
    const t = target({});
    expect(openAiAdapter.request(exchange({ model: 'x', input: 'a' }, 'embeddings'), t).path).toBe('/v1/embeddings');
    expect(t.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer k' });
    expect(vllmAdapter.headers(null, t.provider)).toEqual({ 'content-type': 'application/json' });
  });

  it('Azure: the deployment in the URL, api-version, the api-key header; usage in streams from 2024-09-01 on', () => {
    const t = target({ kind: 'azure_openai', apiVersion: '2024-10-21' }, 'chat-prod', 'https://fixture-res.openai.azure.com');
    expect(azureAdapter.request(exchange({ model: 'chat', messages: [] }), t).path).toBe(
      '/openai/deployments/chat-prod/chat/completions?api-version=2024-10-21',
    );
    expect(t.headers).toEqual({ 'content-type': 'application/json', 'api-key': 'k' });
    expect(t.streamUsage).toBe(true);
    expect(target({ kind: 'azure_openai', apiVersion: '2024-06-01' }, 'd', 'https://r.openai.azure.com').streamUsage).toBe(false);
    expect(target({ kind: 'azure_openai', apiVersion: '2024-09-01-preview' }, 'd', 'https://r.openai.azure.com').streamUsage).toBe(true);
    const v1 = target({ kind: 'azure_openai', apiBase: 'https://r.openai.azure.com/openai/v1/' }, 'd', 'https://r.openai.azure.com/openai/v1/');
    expect(azureAdapter.request(exchange({ model: 'chat', input: 'x' }, 'embeddings'), v1).path).toBe('/openai/v1/embeddings');
  });
});

describe('answers', () => {
  it('usage is read from chat, legacy completion and embedding bodies', () => {
    expect(usageOf(Buffer.from(wireText('openai/chat_response.json')))).toEqual({ inputTokens: 27, outputTokens: 7 });
    expect(usageOf(Buffer.from(wireText('openai/completions_response.json')))).toEqual({ inputTokens: 8, outputTokens: 5 });
    expect(usageOf(Buffer.from(wireText('openai/embeddings_response.json')))).toEqual({ inputTokens: 4, outputTokens: 0 });
    expect(usageOf(Buffer.from(wireText('azure/chat_response.json')))).toEqual({ inputTokens: 27, outputTokens: 7 });
    // Text that merely mentions usage is escaped inside JSON strings and never matches.
    expect(usageOf(Buffer.from(JSON.stringify({ choices: [{ message: { content: '"usage": {"prompt_tokens": 999}' } }] })))).toBeNull();
  });

  it('an answer without usage is decoded with the input estimate', () => {
    const d = openAiAdapter.decode(exchange({ model: 'x', messages: [] }), Buffer.from('{"choices":[]}'));
    expect(d!.usage).toEqual({ inputTokens: 42, outputTokens: 0 });
  });
});

describe('stream relays', () => {
  it('OpenAI: passes every event through byte for byte, leaving out only the usage chunk the client did not ask for', () => {
    const original = wireText('openai/chat_stream.sse');
    const kept = relayed('openai/chat_stream.sse', false);
    expect(kept.out).toBe(original);
    expect(kept.r.usage()).toEqual({ inputTokens: 9, outputTokens: 3 });
    const stripped = relayed('openai/chat_stream.sse', true, 5);
    expect(stripped.out).toBe(original.replace(/data: \{[^\n]*"choices":\[\],"usage":\{[^\n]*\n\n/, ''));
    expect(stripped.r.usage()).toEqual({ inputTokens: 9, outputTokens: 3 });
    expect(stripped.end.failure).toBeNull();
    const tools = relayed('openai/chat_tools_stream.sse', false, 64);
    expect(tools.out).toBe(wireText('openai/chat_tools_stream.sse'));
    expect(tools.r.usage()).toEqual({ inputTokens: 61, outputTokens: 46 });
  });

  it('vLLM: finish_reason with the last token and the usage chunk pass unchanged', () => {
    const v = relayed('vllm/chat_stream_include_usage.sse', false);
    expect(v.out).toBe(wireText('vllm/chat_stream_include_usage.sse'));
    expect(v.r.usage()).toEqual({ inputTokens: 12, outputTokens: 3 });
  });

  it('Azure without a usage chunk: the prompt filter preamble passes, output tokens are counted one per fragment', () => {
    const a = relayed('azure/chat_stream.sse', false);
    expect(a.out).toBe(wireText('azure/chat_stream.sse'));
    expect(a.r.usage()).toEqual({ inputTokens: 42, outputTokens: 2 });
  });

  it("vLLM's mid-stream error is passed on and read as a failure with its status", () => {
    const sse = (wireJson('vllm/errors.json').mid_stream_error as { sse: string }).sse;
    const r = new OpenAiRelay(false, 1);
    const first = wireText('vllm/chat_stream_include_usage.sse').split('\n\n')[0]!;
    const out = Buffer.concat([r.push(Buffer.from(`${first}\n\n`))!, r.push(Buffer.from(sse))!]).toString();
    expect(out).toBe(`${first}\n\n${sse}`);
    expect(r.end().failure).toMatchObject({ status: 500, reported: true });
  });

  it('a stream that ends without [DONE] is a failure the client was not told about', () => {
    const text = wireText('openai/chat_stream.sse');
    const r = new OpenAiRelay(true, 1);
    r.push(Buffer.from(text.slice(0, text.indexOf('data: [DONE]'))));
    expect(r.end().failure).toMatchObject({ status: 502, reported: false });
  });
});
