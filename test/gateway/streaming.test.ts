/**
 * Streaming through the gateway: events relayed as they arrive, retries and
 * fallbacks only before the first byte reaches the client, an error event
 * when the stream breaks after it, backpressure from a slow reader to the
 * provider, and a client disconnect aborting the provider call.
 */
import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseEvent } from '../../src/gateway/upstream/sse.ts';
import { wireText } from '../fixtures/upstream-standins.ts';
import { type GatewayHarness, startHarness, TENANT_KEYS } from './harness.ts';
import { delta, parseMetrics, series } from './metrics-text.ts';

let h: GatewayHarness;
beforeAll(async () => {
  // chat's stream timeouts, lengthened from 400 ms / 600 ms so that a loaded test machine does not time streams out.
  h = await startHarness({
    edit: (p) => {
      p.modelGroups.find((g) => g.name === 'chat')!.timeouts = { request: '3s', streamFirstToken: '1s' };
    },
  });
});
afterAll(() => h?.close());
beforeEach(() => {
  for (const s of Object.values(h.standIns)) s.reset();
});

interface Stream {
  req: ClientRequest;
  res: IncomingMessage;
  /** Bytes received so far. */
  received(): string;
  /** Resolves when the received text satisfies `p`. */
  until(p: (text: string) => boolean): Promise<string>;
  done: Promise<string>;
}

/** A streaming request read as it arrives. */
function open(body: Record<string, unknown>, o: { read?: boolean } = {}): Promise<Stream> {
  const url = new URL(`${h.url}/v1/chat/completions`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TENANT_KEYS['support-assistant']}` },
      },
      (res) => {
        let text = '';
        const waiters: Array<{ p: (t: string) => boolean; resolve: (t: string) => void }> = [];
        // Ends with what arrived, however the connection ended (a test may cut it).
        const done = new Promise<string>((r) => {
          res.on('end', () => r(text));
          res.on('error', () => r(text));
          res.on('close', () => r(text));
        });
        const onData = (d: Buffer) => {
          text += d.toString('utf8');
          for (const w of [...waiters])
            if (w.p(text)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(text);
            }
        };
        if (o.read !== false) res.on('data', onData);
        resolve({
          req,
          res,
          received: () => text,
          until: (p) => (p(text) ? Promise.resolve(text) : new Promise((r) => waiters.push({ p, resolve: r }))),
          done,
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ messages: [{ role: 'user', content: 'Say hello.' }], stream: true, ...body }));
  });
}

const events = (text: string) =>
  text
    .split('\n\n')
    .filter(Boolean)
    .map((e) => parseEvent(e).data);
const rowOf = (requestId: string | null | undefined) => h.logged(requestId);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('streams relayed from every provider kind', () => {
  it('OpenAI: the fixture stream byte for byte when the client asks for usage; event-stream headers and the request id', async () => {
    const s = await open({ model: 'chat', stream_options: { include_usage: true } });
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await s.done).toBe(wireText('openai/chat_stream.sse'));
    expect(h.standIns.openai!.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    expect(rowOf(s.res.headers['x-request-id'] as string)!.request).toMatchObject({ promptTokens: 9, completionTokens: 3, status: 'success' });
  });

  it('without include_usage the gateway still asks for usage (spend), and leaves the usage chunk out', async () => {
    const s = await open({ model: 'chat' });
    const text = await s.done;
    expect(events(text).some((d) => d.includes('"usage":{'))).toBe(false);
    expect(events(text).at(-1)).toBe('[DONE]');
    expect(h.standIns.openai!.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    expect(rowOf(s.res.headers['x-request-id'] as string)!.request).toMatchObject({ promptTokens: 9, completionTokens: 3 });
  });

  it('Azure (prompt-filter preamble), vLLM and Anthropic (translated) streams reach the client whole', async () => {
    const azure = await (await open({ model: 'chat-azure', stream_options: { include_usage: true } })).done;
    expect(events(azure)[0]).toContain('"prompt_filter_results"');
    expect(events(azure).at(-1)).toBe('[DONE]');
    const vllm = await (await open({ model: 'chat-local', stream_options: { include_usage: true } })).done;
    expect(vllm).toBe(wireText('vllm/chat_stream_include_usage.sse'));
    const claude = await open({ model: 'chat-anthropic' });
    const data = events(await claude.done);
    expect(data.slice(0, -1).map((d) => JSON.parse(d).choices[0].delta.content ?? null)).toEqual(['', 'Hello', ' there!', null]);
    expect(data.at(-1)).toBe('[DONE]');
    expect(rowOf(claude.res.headers['x-request-id'] as string)!.request).toMatchObject({ promptTokens: 25, completionTokens: 6 });
  });

  it('event by event: the client has the first event while the provider still holds the rest', async () => {
    let release!: () => void;
    h.standIns.openai!.hold = new Promise((r) => (release = r));
    const s = await open({ model: 'chat' });
    const first = await s.until((t) => t.includes('\n\n'));
    expect(events(first)).toHaveLength(1);
    expect(first).not.toContain('[DONE]');
    release();
    expect(events(await s.done).at(-1)).toBe('[DONE]');
  });
});

describe('failures before and after the first byte', () => {
  it('an error status before the first byte falls back like any request', async () => {
    h.standIns.openai!.fault = { status: 503 };
    const s = await open({ model: 'chat' });
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['x-switchyard-deployment']).toMatch(/^azure-/);
    expect(events(await s.done)[0]).toContain('prompt_filter_results');
    expect(h.standIns.openai!.requests).toHaveLength(2);
  });

  it("no first event within the group's streamFirstToken (1 s) is a timeout, retried, then the fallback", async () => {
    h.standIns.openai!.fault = { delayMs: 5_000 };
    const t0 = Date.now();
    const s = await open({ model: 'chat' });
    await s.done;
    // Two waits of 1 s and the 200 ms backoff, not the provider's 5 s.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2_200);
    const row = rowOf(s.res.headers['x-request-id'] as string)!;
    expect(row.attempts.map((a) => `${a.deployment} ${a.outcome}`)).toEqual([
      'openai-gpt-4o timeout',
      'openai-gpt-4o timeout',
      expect.stringMatching(/^azure-.* success$/),
    ]);
  });

  it('a stream that breaks after the first byte ends with an error event: no retry, no fallback, counted', async () => {
    const before = parseMetrics((await h.get('/metrics')).text);
    h.standIns.openai!.fault = { breakAfterEvents: 2 };
    const s = await open({ model: 'chat' });
    const data = events(await s.done);
    const fixture = events(wireText('openai/chat_stream.sse'));
    expect(data.slice(0, 2)).toEqual(fixture.slice(0, 2));
    expect(JSON.parse(data[2]!)).toEqual({
      error: { message: 'the provider connection failed mid-stream', type: 'server_error', param: null, code: 'upstream_stream_error' },
    });
    expect(data[3]).toBe('[DONE]');
    expect(data).toHaveLength(4);
    expect(h.standIns.openai!.requests).toHaveLength(1);
    expect(h.standIns['azure-eastus']!.requests.length + h.standIns['azure-swedencentral']!.requests.length).toBe(0);
    const row = rowOf(s.res.headers['x-request-id'] as string)!;
    expect(row.request).toMatchObject({ status: 'failure', statusCode: 200, attempts: 1 });
    expect(row.attempts[0]!.outcome).toBe('connection_error');
    const d = delta(before, parseMetrics((await h.get('/metrics')).text));
    expect(d[series('switchyard_stream_errors_total', { group: 'chat', deployment: 'openai-gpt-4o', provider: 'openai' })]).toBe(1);
    expect(d[series('switchyard_requests_total', { group: 'chat', deployment: 'openai-gpt-4o', provider: 'openai', outcome: 'error' })]).toBe(1);
  });

  it('a stream that stalls after the first byte ends with a timeout error event after the request timeout (3 s)', async () => {
    h.standIns.openai!.fault = { stallAfterEvents: 3 };
    const s = await open({ model: 'chat' });
    const data = events(await s.done);
    expect(data).toHaveLength(5);
    expect(JSON.parse(data[3]!).error.message).toBe('the provider stopped sending within the time limit');
    expect(h.standIns.openai!.requests).toHaveLength(1);
  });
});

describe('client disconnects and slow readers', () => {
  it('a client leaving mid-stream aborts the provider call within 100 ms; the breaker does not count it', async () => {
    h.standIns.openai!.fault = { stallAfterEvents: 2 };
    const s = await open({ model: 'chat' });
    await s.until((t) => events(t).length >= 2);
    const seen = h.standIns.openai!.requests[0]!;
    const leftAt = performance.now();
    s.req.destroy();
    for (let i = 0; i < 100 && seen.closedEarlyAt === null; i++) await sleep(5);
    expect(seen.closedEarlyAt).not.toBeNull();
    expect(seen.closedEarlyAt! - leftAt).toBeLessThan(100);
    await sleep(20);
    const row = rowOf(s.res.headers['x-request-id'] as string)!;
    expect(row.request).toMatchObject({ status: 'failure', statusCode: 499 });
    expect(row.attempts.map((a) => a.outcome)).toEqual(['cancelled']);
    expect(h.standIns.openai!.requests).toHaveLength(1);
    expect(h.gateway.state.gen.router.inspect('openai-gpt-4o').breaker).toBe('closed');
  });

  it('a client leaving a non-streamed request aborts the provider call within 100 ms too', async () => {
    h.standIns.openai!.fault = { hang: true };
    const url = new URL(`${h.url}/v1/chat/completions`);
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TENANT_KEYS['support-assistant']}` },
    });
    req.on('error', () => {});
    req.end(JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }));
    for (let i = 0; i < 200 && h.standIns.openai!.requests.length === 0; i++) await sleep(5);
    const seen = h.standIns.openai!.requests[0]!;
    const leftAt = performance.now();
    req.destroy();
    for (let i = 0; i < 100 && seen.closedEarlyAt === null; i++) await sleep(5);
    expect(seen.closedEarlyAt! - leftAt).toBeLessThan(100);
    await sleep(20);
    // No retry, no fallback after the client left.
    expect(h.standIns.openai!.requests).toHaveLength(1);
    expect(h.standIns['azure-eastus']!.requests.length + h.standIns['azure-swedencentral']!.requests.length).toBe(0);
  });

  it('backpressure: a client that stops reading stops the provider; the whole stream arrives when it reads again', async () => {
    const events = 4_000;
    const contentBytes = 16 * 1024;
    h.standIns.openai!.big = { events, contentBytes };
    const s = await open({ model: 'chat-mini' }, { read: false });
    const upstream = h.standIns.openai!.requests[0]!;
    // Wait until the provider can write no more (its writes wait for 'drain').
    let last = -1;
    for (let i = 0; i < 100; i++) {
      await sleep(50);
      if (upstream.written === last && last > 0) break;
      last = upstream.written;
    }
    const stalledAt = upstream.written;
    const total = events * (contentBytes + 200);
    // Socket buffers on both hops hold a few MB at most; the stream is ~65 MB.
    expect(stalledAt).toBeGreaterThan(0);
    expect(stalledAt).toBeLessThan(16 * 1024 * 1024);
    expect(stalledAt).toBeLessThan(total / 4);
    let bytes = 0;
    let tail = '';
    s.res.on('data', (d: Buffer) => {
      bytes += d.length;
      tail = (tail + d.toString('latin1')).slice(-64);
    });
    await new Promise((r) => s.res.on('end', r));
    expect(h.standIns.openai!.requests.map((r) => r.body.stream)).toEqual([true]);
    expect(bytes).toBe(upstream.written);
    expect(tail.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
