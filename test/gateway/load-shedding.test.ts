/**
 * Load shedding with a provider that accepts requests and never answers:
 * under a steady load of 30 concurrent clients for 8 s, the gateway holds at
 * most the deployment's concurrency cap of connections to it and at most
 * its queue bound waiting, every client gets a well-formed OpenAI error
 * (504 for a call or a wait that ran out, 503 for a full queue or a full
 * gateway) and none hangs; once the provider answers again, so does the
 * gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/model/policy.ts';
import { type GatewayHarness, startHarness, withTestGroups } from './harness.ts';

const CAP = 4;
const QUEUE = 6;
const MAX_IN_FLIGHT = 24;
let h: GatewayHarness;

function withHangGroup(p: Policy): void {
  withTestGroups(p);
  p.modelGroups.push({
    name: 'a-hang',
    workload: 'cost_sensitive',
    strategy: 'ordered',
    deployments: ['vllm-ab-llama-70b'],
    retries: { count: 0, backoff: { initial: '10ms', max: '10ms', multiplier: 1 }, retryOn: [500] },
    timeouts: { request: '1500ms' },
    fallbacks: [],
    contextWindowFallbacks: [],
    // Never opens here: the test is about the queue, not the breaker.
    circuitBreaker: { errorRateThreshold: 1, minRequests: 1_000_000, window: '60s', cooldown: '1s', halfOpenProbes: 1 },
  } as Policy['modelGroups'][number]);
  const support = p.tenants.find((t) => t.id === 'support-assistant')!;
  support.allowedGroups.push('a-hang');
  // The load is far above the tenant's own limits, which are not what this test is about.
  support.rpm = 1_000_000;
  support.tpm = 1_000_000_000;
}

beforeAll(async () => {
  h = await startHarness({
    edit: withHangGroup,
    start: { slotLimits: { maxConcurrent: CAP, maxQueued: QUEUE, queueTimeoutMs: 400 }, maxInFlight: MAX_IN_FLIGHT },
  });
});
afterAll(() => h?.close());

const WELL_FORMED = (json: any) =>
  json !== null &&
  typeof json.error === 'object' &&
  Object.keys(json.error).sort().join() === 'code,message,param,type' &&
  json.error.type === 'server_error' &&
  typeof json.error.message === 'string';

describe('an upstream that never answers', () => {
  it('keeps connections, queue and in-flight requests bounded; every client gets a well-formed 503/504, none hangs', async () => {
    const upstream = h.standIns['vllm-pool-ab-70b']!;
    upstream.fault = { hang: true };
    const codes = new Map<string, number>();
    let malformed = 0;
    let stop = false;
    let maxOpenUpstream = 0;
    let maxActive = 0;
    let maxQueued = 0;
    const heapBefore = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      maxOpenUpstream = Math.max(maxOpenUpstream, upstream.requests.filter((r) => r.closedEarlyAt === null).length);
      h.get('/readyz').then(
        (r) => {
          maxActive = Math.max(maxActive, r.json.upstream.active);
          maxQueued = Math.max(maxQueued, r.json.upstream.queued);
        },
        () => {},
      );
    }, 25);
    async function client(): Promise<void> {
      while (!stop) {
        // A client that gives up after 10 s would see a hang: the gateway's budget is 1.5 s per call.
        const r = await h.post('/v1/chat/completions', { model: 'a-hang', messages: [{ role: 'user', content: 'hi' }] });
        const key = `${r.status} ${r.json?.error?.code ?? ''}`;
        codes.set(key, (codes.get(key) ?? 0) + 1);
        if (!WELL_FORMED(r.json) || r.headers.get('x-request-id') === null) malformed++;
      }
    }
    const clients = Array.from({ length: 30 }, client);
    await new Promise((r) => setTimeout(r, 8_000));
    stop = true;
    await Promise.all(clients);
    clearInterval(sampler);
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    console.log(
      `load shedding: ${JSON.stringify(Object.fromEntries(codes))}; upstream open max ${maxOpenUpstream}, slots active max ${maxActive}, queued max ${maxQueued}, heap growth ${heapGrowthMb.toFixed(1)} MB`,
    );

    expect(malformed).toBe(0);
    const total = [...codes.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(30);
    // Only these answers: the call or the wait ran out (504), the deployment's queue was full (503), the gateway was full (503).
    for (const key of codes.keys()) expect(['504 upstream_timeout', '503 deployment_saturated', '503 overloaded']).toContain(key);
    expect(codes.get('504 upstream_timeout') ?? 0).toBeGreaterThan(0);
    expect((codes.get('503 deployment_saturated') ?? 0) + (codes.get('503 overloaded') ?? 0)).toBeGreaterThan(0);
    // Bounded: connections to the provider by the cap, waiting calls by the queue.
    expect(maxOpenUpstream).toBeGreaterThan(0);
    expect(maxOpenUpstream).toBeLessThanOrEqual(CAP);
    expect(maxActive).toBe(CAP);
    expect(maxQueued).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(QUEUE);
    // Every call the provider saw was one of at most CAP at a time, each held for the 1.5 s budget: 8 s allow ~6 rounds.
    expect(upstream.requests.length).toBeLessThanOrEqual(CAP * 8);
    // Nothing left behind once the load stops.
    const after = await h.get('/readyz');
    expect(after.json.upstream).toEqual({ active: 0, queued: 0 });
    expect(h.gateway.inFlight()).toBe(0);

    upstream.fault = null;
    const ok = await h.post('/v1/chat/completions', { model: 'a-hang', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.status).toBe(200);
  }, 30_000);
});

describe('the gateway-wide bound on requests in flight', () => {
  it('past --max-in-flight a model request gets 503 overloaded at once (body unread, Retry-After 1), counted as rejected; health checks still answer', async () => {
    const g = await startHarness({ edit: withHangGroup, start: { maxInFlight: 2 } });
    try {
      const upstream = g.standIns['vllm-pool-ab-70b']!;
      upstream.fault = { delayMs: 60_000 };
      // Cut when the gateway closes below: their outcome is not what this test checks.
      const held = [0, 1].map(() => g.post('/v1/chat/completions', { model: 'a-hang', messages: [{ role: 'user', content: 'hi' }] }).catch(() => null));
      const end = Date.now() + 10_000;
      while (upstream.requests.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      expect(upstream.requests).toHaveLength(2);
      const r = await g.post('/v1/chat/completions', { model: 'a-hang', messages: [{ role: 'user', content: 'hi' }] });
      expect(r.status).toBe(503);
      expect(r.json.error).toEqual({
        message: 'The gateway is handling as many requests as it may at once; retry shortly.',
        type: 'server_error',
        param: null,
        code: 'overloaded',
      });
      expect(r.headers.get('retry-after')).toBe('1');
      expect((await g.get('/readyz')).status).toBe(200);
      expect((await g.get('/metrics')).text).toContain('switchyard_rejected_requests_total{tenant="",reason="overloaded"} 1');
      expect(upstream.requests).toHaveLength(2);
      await g.gateway.close(100);
      await Promise.all(held);
    } finally {
      await g.close().catch(() => {});
    }
  }, 30_000);
});
