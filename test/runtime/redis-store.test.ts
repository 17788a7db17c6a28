/**
 * The Redis store against a real redis-server: round trips per route(),
 * state shared by two routers, and an outage in the middle of a run.
 */
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, seededRandom } from '../../src/runtime/clock.ts';
import { dryRunTransport } from '../../src/runtime/dry-run.ts';
import { createRouter } from '../../src/runtime/router.ts';
import { createRedisStore } from '../../src/runtime/stores/redis.ts';
import { redisServerMissing, startRedisServer, type RedisServer } from '../fixtures/redis-server.ts';
import { expectSharedBreaker, requestsIn, SHARED_PLAN, SHARED_REQUEST } from './shared-state.ts';

const missing = redisServerMissing();
if (missing) console.warn(missing);

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(missing !== null)('Redis store', () => {
  let server: RedisServer;
  let inspector: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    inspector = new Redis(server.url, { enableOfflineQueue: true, retryStrategy: () => 50 });
    inspector.on('error', () => {});
  });
  afterAll(async () => {
    inspector?.disconnect();
    await server?.dispose();
  });

  it('costs two round trips per route(), whatever the retries and fallbacks', async () => {
    const store = await createRedisStore({ url: server.url, keyPrefix: 'rt:' });
    const router = createRouter(SHARED_PLAN, { store, clock: manualClock(), random: seededRandom(1), transport: dryRunTransport(['a', 'b']) });
    const first = await router.route(SHARED_REQUEST);
    // a and b fail twice each (their breakers open on the second failure), then the fallback group's c answers.
    expect(first.trace.map((t) => `${t.deployment}:${t.outcome}`)).toEqual(['a:error', 'a:error', 'a:skipped', 'b:error', 'b:error', 'b:skipped', 'c:ok']);
    for (let i = 1; i < 10; i++) expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
    const m = router.metrics();
    expect(m.calls).toBe(5 + 9);
    expect(m.storeRoundTrips).toBe(20);
    expect(await inspector.hget('rt:{router}:t:acme', 'u')).not.toBeNull();
    await router.close();
  });

  it('shares breakers and limits between two routers', async () => {
    const [r1, r2] = await expectSharedBreaker([
      await createRedisStore({ url: server.url, keyPrefix: 'share:' }),
      await createRedisStore({ url: server.url, keyPrefix: 'share:' }),
    ]);
    // Tenant usage is shared too: both requests are in acme's window.
    expect(requestsIn(await inspector.hgetall('share:{router}:t:acme'))).toBe(2);
    await Promise.all([r1.close(), r2.close()]);
  });

  it('keeps routing on local state while Redis is down, then recovers and resynchronises', async () => {
    const events = new EventEmitter();
    const seen: string[] = [];
    events.on('degraded', () => seen.push('degraded'));
    events.on('recovered', () => seen.push('recovered'));
    const store = await createRedisStore({ url: server.url, keyPrefix: 'fault:', commandTimeoutMs: 200 });
    const router = createRouter(SHARED_PLAN, { store, clock: manualClock(), random: seededRandom(3), transport: dryRunTransport(), events });
    for (let i = 0; i < 3; i++) expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
    expect(router.metrics()).toMatchObject({ degraded: false, degradedCount: 0 });

    await server.stop();
    for (let i = 0; i < 5; i++) expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
    expect(router.metrics()).toMatchObject({ degraded: true, degradedCount: 1, succeeded: 8 });
    expect(seen).toEqual(['degraded']);
    // Limits still hold locally: the mirror counted every request.
    expect(router.inspect('a').rpmUsed).toBe(8);

    await server.start();
    await until(() => store.client.status === 'ready');
    expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
    await until(() => seen.includes('recovered'));
    expect(router.metrics()).toMatchObject({ degraded: false, degradedCount: 1, recoveredCount: 1 });
    // Redis came back empty (no persistence): the outage's requests were replayed, and the new one written.
    const h = await inspector.hgetall('fault:{router}:d:a');
    expect(
      Object.entries(h)
        .filter(([k]) => /^r\d/.test(k))
        .reduce((s, [, v]) => s + Number(v), 0),
    ).toBe(6);
    await router.close();
  });
});
