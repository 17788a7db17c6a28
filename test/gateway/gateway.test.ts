/**
 * The gateway end to end on loopback (in-process server, providers replaced
 * by stand-ins serving the wire fixtures, secrets from a Vault stand-in and
 * the environment): every endpoint through every provider kind, every error
 * the issue lists, retries and fallbacks, metrics and request-log rows with
 * their values, and no secret value anywhere a test can see.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { wireJson, wireText } from '../fixtures/upstream-standins.ts';
import { ALL_SECRETS, type GatewayHarness, OPENAI_KEY, PROVIDER_ENV, type Reply, startHarness, TENANT_KEYS, withTestGroups } from './harness.ts';
import { delta, parseMetrics, type Scrape, series } from './metrics-text.ts';

let h: GatewayHarness;
/** Every answer the tests received, for the secrets check. */
const replies: Reply[] = [];

beforeAll(async () => {
  h = await startHarness({ edit: withTestGroups, maxBodyBytes: 64 * 1024 });
});
afterAll(() => h?.close());
beforeEach(() => {
  for (const s of Object.values(h.standIns)) s.reset();
});

const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'What colour is a ripe banana?' }],
  ...extra,
});
async function post(path: string, body: unknown, o?: Parameters<GatewayHarness['post']>[2]): Promise<Reply> {
  const r = await h.post(path, body, o);
  replies.push(r);
  return r;
}
const scrape = async (): Promise<Scrape> => parseMetrics((await h.get('/metrics')).text);
const rowOf = (requestId: string | null | undefined) => h.logged(requestId);
const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('endpoints through every provider kind', () => {
  it('OpenAI: the fixture answer byte for byte, the deployment model upstream, the request id on the answer and in the log', async () => {
    const r = await post('/v1/chat/completions', chat('chat'));
    expect(r.status).toBe(200);
    expect(r.json).toEqual(wireJson('openai/chat_response.json'));
    expect(r.text).toBe(JSON.stringify(wireJson('openai/chat_response.json')));
    expect(r.headers.get('x-switchyard-deployment')).toBe('openai-gpt-4o');
    const id = r.headers.get('x-request-id');
    expect(id).toMatch(REQUEST_ID);
    const seen = h.standIns.openai!.requests[0]!;
    expect(seen.path).toBe('/v1/chat/completions');
    expect(seen.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(seen.body).toEqual({ ...chat('chat'), model: 'gpt-4o' });
    const row = rowOf(id)!;
    expect(row.request).toMatchObject({
      tenant: 'support-assistant',
      requestedGroup: 'chat',
      modelGroup: 'chat',
      deployment: 'openai-gpt-4o',
      provider: 'openai',
    });
    expect(row.request).toMatchObject({ promptTokens: 27, completionTokens: 7, status: 'success', statusCode: 200, attempts: 1 });
    // 27 input tokens at $2.5/M and 7 output at $10/M.
    expect(row.request.spend).toBeCloseTo(27 * 2.5e-6 + 7 * 10e-6, 12);
    expect(row.attempts).toEqual([expect.objectContaining({ attempt: 1, deployment: 'openai-gpt-4o', outcome: 'success', statusCode: 200 })]);
  });

  it('Azure: the deployment URL with api-version and the api-key header', async () => {
    const r = await post('/v1/chat/completions', chat('chat-azure'));
    expect(r.status).toBe(200);
    expect(r.json).toEqual(wireJson('azure/chat_response.json'));
    const served = r.headers.get('x-switchyard-deployment')!;
    const provider = served === 'azure-eastus-gpt-4o' ? 'azure-eastus' : 'azure-swedencentral';
    const seen = h.standIns[provider]!.requests[0]!;
    expect(seen.path).toBe('/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21');
    expect(seen.headers['api-key']).toBe(PROVIDER_ENV[provider === 'azure-eastus' ? 'AZURE_EASTUS_API_KEY' : 'AZURE_SWEDENCENTRAL_API_KEY']);
    expect(seen.headers.authorization).toBeUndefined();
  });

  it('Anthropic: translated to the Messages API and back', async () => {
    const r = await post('/v1/chat/completions', chat('chat-anthropic', { max_tokens: 100 }));
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      id: 'msg_01FXFIXTURE00000000000001',
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant', content: 'It is sunny and 21 °C in Paris.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 31, completion_tokens: 14, total_tokens: 45 },
    });
    const seen = h.standIns.anthropic!.requests[0]!;
    expect(seen.path).toBe('/v1/messages');
    expect(seen.headers['x-api-key']).toBe(PROVIDER_ENV.ANTHROPIC_API_KEY);
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen.body).toEqual({
      model: 'claude-3-5-sonnet-20241022',
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What colour is a ripe banana?' }] }],
    });
  });

  it("Anthropic's 529 (overloaded) is retried like a 503", async () => {
    h.standIns.anthropic!.next = [{ status: 529 }];
    const r = await post('/v1/chat/completions', chat('chat-anthropic'));
    expect(r.status).toBe(200);
    expect(h.standIns.anthropic!.requests).toHaveLength(2);
    expect(rowOf(r.headers.get('x-request-id'))!.attempts.map((a) => [a.outcome, a.statusCode])).toEqual([
      ['error', 503],
      ['success', 200],
    ]);
  });

  it('vLLM: the served model name upstream, Bearer key of the engine', async () => {
    const r = await post('/v1/chat/completions', chat('chat-local'));
    expect(r.status).toBe(200);
    const served = r.headers.get('x-switchyard-deployment')!;
    expect(['vllm-a-llama-8b', 'vllm-b-llama-8b', 'vllm-c-llama-8b']).toContain(served);
    const provider = `vllm-pool-${served.split('-')[1]}`;
    expect(h.standIns[provider]!.requests[0]!.body.model).toBe('llama-3.1-8b-instruct');
    expect(h.standIns[provider]!.requests[0]!.headers.authorization).toBe(`Bearer ${PROVIDER_ENV.VLLM_API_KEY}`);
  });

  it('legacy completions and embeddings pass through with their usage', async () => {
    const c = await post('/v1/completions', { model: 'chat-mini', prompt: 'Complete the list: red, orange,', max_tokens: 5 });
    expect(c.json).toEqual(wireJson('openai/completions_response.json'));
    expect(h.standIns.openai!.requests[0]!.path).toBe('/v1/completions');
    expect(rowOf(c.headers.get('x-request-id'))!.request).toMatchObject({ promptTokens: 8, completionTokens: 5 });
    const e = await post('/v1/embeddings', { model: 'chat-mini', input: ['first passage', 'second passage'] });
    expect(e.json).toEqual(wireJson('openai/embeddings_response.json'));
    expect(rowOf(e.headers.get('x-request-id'))!.request).toMatchObject({ promptTokens: 4, completionTokens: 0 });
  });

  it('embeddings asked of a group whose provider cannot serve them fall back to one that can', async () => {
    const r = await post('/v1/embeddings', { model: 'chat-anthropic', input: 'x' });
    expect(r.status).toBe(200);
    expect(h.standIns.anthropic!.requests).toHaveLength(0);
    expect(rowOf(r.headers.get('x-request-id'))!.request.modelGroup).toBe('chat-local');
  });

  it('GET /v1/models lists the groups the caller may use', async () => {
    const r = await h.get('/v1/models', { tenant: 'document-pipeline' });
    expect(r.json).toEqual({
      object: 'list',
      data: ['chat-local', 'chat-mini'].map((id) => ({ id, object: 'model', created: expect.any(Number), owned_by: 'switchyard' })),
    });
    expect((await h.get('/v1/models', { tenant: 'research-lab' })).json.data.map((m: { id: string }) => m.id)).toEqual([
      'chat',
      'chat-anthropic',
      'chat-azure',
      'chat-local',
      'chat-mini',
      'premium',
    ]);
  });

  it('/healthz and /readyz', async () => {
    expect((await h.get('/healthz')).json).toEqual({ status: 'ok' });
    const ready = await h.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toEqual({
      status: 'ready',
      plan: { name: 'reference', hash: h.plan.hash },
      store: { kind: 'memory', up: true, syncs: 0 },
      upstream: { active: 0, queued: 0 },
    });
  });
});

describe('errors in OpenAI shape, with the request id', () => {
  const expectError = (r: Reply, status: number, type: string, code: string | null) => {
    expect(r.status).toBe(status);
    expect(Object.keys(r.json.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(r.json.error).toMatchObject({ type, code });
    expect(r.headers.get('x-request-id')).toMatch(REQUEST_ID);
  };

  it('400 for malformed JSON and for missing or wrong fields', async () => {
    expectError(await post('/v1/chat/completions', '{"model": "chat",'), 400, 'invalid_request_error', null);
    const missing = await post('/v1/chat/completions', { model: 'chat' });
    expectError(missing, 400, 'invalid_request_error', null);
    expect(missing.json.error.param).toBe('messages');
    expectError(
      await post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }),
      400,
      'invalid_request_error',
      null,
    );
    expectError(await post('/v1/chat/completions', { messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request_error', null);
    expectError(await post('/v1/embeddings', { model: 'chat', input: [] }), 400, 'invalid_request_error', null);
    expect(Object.values(h.standIns).every((s) => s.requests.length === 0)).toBe(true);
  });

  it('401 without a key or with an unknown one, without reading the body', async () => {
    const none = await post('/v1/chat/completions', chat('chat'), { key: null });
    expectError(none, 401, 'invalid_request_error', 'invalid_api_key');
    expect(none.headers.get('connection')).toBe('close');
    expectError(
      await post('/v1/chat/completions', chat('chat'), { key: `${TENANT_KEYS['support-assistant']}x` }),
      401,
      'invalid_request_error',
      'invalid_api_key',
    );
    expectError(
      await post('/v1/chat/completions', chat('chat'), { headers: { authorization: `Basic ${TENANT_KEYS['support-assistant']}` } }),
      401,
      'invalid_request_error',
      'invalid_api_key',
    );
    expect((await h.get('/v1/models', { tenant: 'nobody' })).status).toBe(401);
  });

  it('403 for a group the tenant may not use, 404 for an unknown model or URL, 405 for a wrong method', async () => {
    const forbidden = await post('/v1/chat/completions', chat('chat'), { tenant: 'document-pipeline' });
    expectError(forbidden, 403, 'permission_error', 'model_not_allowed');
    expect(forbidden.json.error.message).toBe('Tenant "document-pipeline" may not use model "chat".');
    const unknown = await post('/v1/chat/completions', chat('gpt-5'));
    expectError(unknown, 404, 'invalid_request_error', 'model_not_found');
    expect(unknown.json.error.message).toContain('"gpt-5"');
    expectError(await post('/v1/responses', chat('chat')), 404, 'invalid_request_error', 'unknown_url');
    expectError(await h.get('/v1/chat/completions'), 405, 'invalid_request_error', 'method_not_allowed');
    expect(Object.values(h.standIns).every((s) => s.requests.length === 0)).toBe(true);
  });

  it('413 past the body limit, declared or chunked, and the connection is closed', async () => {
    const big = chat('chat', { messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] });
    const declared = await post('/v1/chat/completions', big);
    expectError(declared, 413, 'invalid_request_error', 'request_too_large');
    expect(declared.headers.get('connection')).toBe('close');
    // Chunked: no content-length, the limit applies while reading.
    const url = new URL(`${h.url}/v1/chat/completions`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { authorization: `Bearer ${TENANT_KEYS['support-assistant']}`, 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(8 * 1024));
      req.end();
    });
    expect(status).toBe(413);
    expect(h.standIns.openai!.requests).toHaveLength(0);
  });

  it('429 with Retry-After when a tenant is over its rpm, and when its budget is spent', async () => {
    const statuses: number[] = [];
    let limited: Reply | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await post('/v1/chat/completions', chat('chat'), { tenant: 'research-lab' });
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    // research-lab: 3 requests a minute.
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expectError(limited!, 429, 'requests', 'rate_limit_exceeded');
    expect(limited!.headers.get('retry-after')).toBe('3');
    expect(rowOf(limited!.headers.get('x-request-id'))!.request).toMatchObject({ status: 'failure', statusCode: 429, attempts: 0, deployment: null });

    // document-pipeline: $0.000015 a month (the budget check adds the estimate of the next request: 22 input tokens); each chat-mini answer costs 27 * 0.15e-6 + 7 * 0.6e-6 = $0.00000825.
    const spent: number[] = [];
    let broke: Reply | undefined;
    for (let i = 0; i < 4; i++) {
      const r = await post('/v1/chat/completions', chat('chat-mini'), { tenant: 'document-pipeline' });
      spent.push(r.status);
      if (r.status === 429) broke = r;
    }
    expect(spent).toEqual([200, 200, 429, 429]);
    expectError(broke!, 429, 'insufficient_quota', 'insufficient_quota');
    expect(Number(broke!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(broke!.headers.get('retry-after'))).toBeLessThanOrEqual(31 * 24 * 3600);
  });

  it('502 naming every deployment tried when all fail; 503 once their circuits are open', async () => {
    h.standIns['vllm-pool-c']!.fault = { status: 500 };
    const first = await post('/v1/chat/completions', chat('a-flaky'));
    expectError(first, 502, 'server_error', 'upstream_failed');
    expect(first.json.error.message).toBe('Every deployment tried for model "a-flaky" failed: a-flaky/vllm-c-llama-8b (http-5xx 500).');
    expect((await post('/v1/chat/completions', chat('a-flaky'))).status).toBe(502);
    // Two failures out of two requests (minRequests 2, 50%) opened the breaker: nothing left to call.
    const open = await post('/v1/chat/completions', chat('a-flaky'));
    expectError(open, 503, 'server_error', 'no_deployment_available');
    expect(open.json.error.message).toBe('No deployment of model "a-flaky" or its fallbacks could take the request: a-flaky/vllm-c-llama-8b (circuit-open).');
    expect(open.headers.get('retry-after')).toBe('1');
    expect(h.standIns['vllm-pool-c']!.requests).toHaveLength(2);
    expect(parseMetrics((await h.get('/metrics')).text).get(series('switchyard_circuit_breaker_state', { deployment: 'vllm-c-llama-8b' }))).toBe(1);
  });

  it('504 when every call timed out (the deployment timeout, then its retry)', async () => {
    h.standIns['vllm-pool-ab-70b']!.fault = { hang: true };
    const t0 = Date.now();
    const r = await post('/v1/chat/completions', chat('a-slow'));
    expectError(r, 504, 'server_error', 'upstream_timeout');
    expect(r.json.error.message).toBe('Every deployment tried for model "a-slow" failed (timed out): a-slow/vllm-ab-llama-70b (timeout, timeout).');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    const row = rowOf(r.headers.get('x-request-id'))!;
    expect(row.attempts.map((a) => [a.outcome, a.statusCode])).toEqual([
      ['timeout', null],
      ['timeout', null],
    ]);
    expect(row.request).toMatchObject({ status: 'failure', statusCode: 504 });
  });
});

describe('retries, fallbacks and what they leave in metrics and the request log', () => {
  it('a 503 is retried with backoff, then the request falls back to the next group; every step is counted', async () => {
    const before = await scrape();
    h.standIns.openai!.fault = { status: 503 };
    const r = await post('/v1/chat/completions', chat('chat'));
    expect(r.status).toBe(200);
    const served = r.headers.get('x-switchyard-deployment')!;
    expect(served).toMatch(/^azure-/);
    expect(h.standIns.openai!.requests).toHaveLength(2);
    const row = rowOf(r.headers.get('x-request-id'))!;
    expect(row.attempts.map((a) => [a.attempt, a.modelGroup, a.deployment, a.outcome, a.statusCode])).toEqual([
      [1, 'chat', 'openai-gpt-4o', 'error', 503],
      [2, 'chat', 'openai-gpt-4o', 'error', 503],
      [3, 'chat-azure', served, 'success', 200],
    ]);
    // The retry waited the group's backoff (200 ms) before starting.
    expect(row.attempts[1]!.startTime - row.attempts[0]!.startTime).toBeGreaterThanOrEqual(200);
    expect(row.request).toMatchObject({ requestedGroup: 'chat', modelGroup: 'chat-azure', deployment: served, status: 'success', attempts: 3 });
    const provider = served === 'azure-eastus-gpt-4o' ? 'azure-eastus' : 'azure-swedencentral';
    const d = delta(before, await scrape());
    expect(d[series('switchyard_requests_total', { group: 'chat', deployment: served, provider, outcome: 'success' })]).toBe(1);
    expect(d[series('switchyard_fallbacks_total', { group: 'chat', from_group: 'chat', to_group: 'chat-azure', outcome: 'success' })]).toBe(1);
    expect(d[series('switchyard_request_duration_seconds_count', { group: 'chat', workload: 'interactive' })]).toBe(1);
    expect(d[series('switchyard_routing_overhead_seconds_count', { group: 'chat' })]).toBe(1);
    // Azure's fixture answer: 27 prompt and 7 completion tokens at $2.5 / $10 per million; the baseline (openai-gpt-4o) costs the same.
    expect(d[series('switchyard_cost_usd_total', { tenant: 'support-assistant', provider, group: 'chat' })]).toBeCloseTo(0.0001375, 12);
    expect(d[series('switchyard_baseline_cost_usd_total', { tenant: 'support-assistant', group: 'chat' })]).toBeCloseTo(0.0001375, 12);
    // The 200 ms backoff is not routing overhead.
    expect(d[series('switchyard_routing_overhead_seconds_sum', { group: 'chat' })]).toBeLessThan(0.2);
    expect(d[series('switchyard_request_duration_seconds_sum', { group: 'chat', workload: 'interactive' })]).toBeGreaterThanOrEqual(0.2);
  });

  it('failed requests count as errors against the deployment that failed last; refusals count as rejected', async () => {
    const before = await scrape();
    h.standIns.openai!.fault = { status: 500 };
    const r = await post('/v1/chat/completions', chat('chat-mini'));
    expect(r.status).toBe(502);
    // chat-mini retries twice: three calls.
    expect(h.standIns.openai!.requests).toHaveLength(3);
    await post('/v1/chat/completions', chat('chat'), { tenant: 'document-pipeline' });
    await post('/v1/chat/completions', chat('chat'), { key: null });
    const d = delta(before, await scrape());
    expect(d[series('switchyard_requests_total', { group: 'chat-mini', deployment: 'openai-gpt-4o-mini', provider: 'openai', outcome: 'error' })]).toBe(1);
    expect(d[series('switchyard_rejected_requests_total', { tenant: 'document-pipeline', reason: 'forbidden' })]).toBe(1);
    expect(d[series('switchyard_rejected_requests_total', { tenant: '', reason: 'unauthorized' })]).toBe(1);
    expect(Object.keys(d).filter((k) => k.startsWith('switchyard_cost_usd_total'))).toEqual([]);
  });
});

describe('secrets', () => {
  it('every secret was used where it belongs (so the check below is not vacuous)', () => {
    // The harness resolved the tenant keys and the OpenAI key from Vault, the rest from the environment.
    expect(h.vault.requests).toEqual(expect.arrayContaining(['/v1/secret/data/switchyard/openai', '/v1/secret/data/switchyard/tenants/support-assistant']));
    expect(ALL_SECRETS).toHaveLength(8);
  });

  it('no secret value in any log line, metric, error body, answer or request-log row', async () => {
    const metrics = (await h.get('/metrics')).text;
    const rows = JSON.stringify([h.requestLog.requests(), h.requestLog.attempts()]);
    const answers = replies.map((r) => `${[...r.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${r.text}`).join('\n');
    expect(replies.length).toBeGreaterThan(30);
    expect(h.logLines.length).toBeGreaterThan(0);
    for (const secret of ALL_SECRETS)
      for (const [where, text] of Object.entries({ log: h.logLines.join(''), metrics, rows, answers }))
        expect(text.includes(secret), `${where} contains a secret`).toBe(false);
  });

  it('an upstream that rejects our provider key (its message quotes part of the key) gives the client a 502, not its message', async () => {
    h.standIns.openai!.next = [{ status: 401 }, { status: 401 }];
    const r = await post('/v1/chat/completions', chat('chat-mini'));
    const fixture = wireText('openai/errors.json');
    expect(fixture).toContain('Incorrect API key provided');
    expect(r.text).not.toContain('Incorrect API key provided');
  });
});
