/**
 * The Redis store against a real redis-server: no round trip on a request's
 * path, what one sync writes (values, not presence), state shared by two
 * routers within the staleness bound, and an outage in the middle of a run.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { manualClock, seededRandom } from '../../src/runtime/clock.ts';
import { dryRunTransport } from '../../src/runtime/dry-run.ts';
import { createRouter } from '../../src/runtime/router.ts';
import { carryState } from '../../src/runtime/state.ts';
import { memoryStore } from '../../src/runtime/stores/memory.ts';
import { checkRedisUrl, createRedisStore } from '../../src/runtime/stores/redis.ts';
import type { Transport } from '../../src/runtime/types.ts';
import { PATIENT_COMMAND_TIMEOUT_MS, redisServerMissing, redisForSuite } from '../fixtures/redis-server.ts';
import { BREAKER, deployment, group, plan } from './plans.ts';
import { expectBoundedStaleness, expectSharedBreaker, REQUEST_USD, requestsIn, SHARED_PLAN, SHARED_REQUEST } from './shared-state.ts';

const missing = redisServerMissing();
if (missing) console.warn(missing);

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Redis store URL', () => {
  it('refuses what is not a redis:// URL, without echoing the password', () => {
    expect(() => checkRedisUrl('http://u:hunter2@host:1')).toThrow(/^router state URL "http:\/\/host:1" is not a redis:\/\/ or rediss:\/\/ URL with a host$/);
    expect(() => checkRedisUrl('redis://')).toThrow(/not a redis/);
    expect(() => checkRedisUrl('rediss://:pw@cache.internal:6380/2')).not.toThrow();
  });
});

describe('Redis store options', () => {
  it('refuses a time that is not a sensible number of ms, before connecting', async () => {
    await expect(createRedisStore({ url: 'redis://127.0.0.1:1', syncIntervalMs: -5 })).rejects.toThrow(
      /^Redis store option syncIntervalMs must be a number of milliseconds from 0 to 3600000, got -5$/,
    );
    await expect(createRedisStore({ url: 'redis://127.0.0.1:1', commandTimeoutMs: Number.NaN })).rejects.toThrow(/commandTimeoutMs .* got null$/);
  });
});

describe('Redis store key prefix', () => {
  it('refuses a prefix that could leave the one hash slot', async () => {
    const store = await createRedisStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'a{b}:', readyTimeoutMs: 0, connectTimeoutMs: 50 });
    expect(() => createRouter(SHARED_PLAN, { store, clock: manualClock(), random: seededRandom(1), transport: dryRunTransport() })).toThrow(
      /^Redis key prefix "a\{b\}:" may hold only letters, digits, ':', '_' and '-'$/,
    );
    await store.close();
  });
});

describe.skipIf(missing !== null)('Redis store', () => {
  const redis = redisForSuite();
  const hgetall = (key: string) => redis.inspector.hgetall(key);

  it('makes no round trip on a request path; one sync then writes every change, with its value', async () => {
    const store = await createRedisStore({ url: redis.server.url, keyPrefix: 'rt:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS });
    const clock = manualClock();
    const router = createRouter(SHARED_PLAN, { store, clock, random: seededRandom(1), transport: dryRunTransport(['a', 'b'], 7) });
    const first = await router.route(SHARED_REQUEST);
    // a and b fail twice each (their breakers open on the second failure), then the fallback group's c answers.
    expect(first.trace.map((t) => `${t.deployment}:${t.outcome}`)).toEqual(['a:error', 'a:error', 'a:skipped', 'b:error', 'b:error', 'b:skipped', 'c:ok']);
    const openedAt = router.inspect('a').openedAt;
    for (let i = 1; i < 10; i++) {
      clock.advance(100);
      expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
    }
    expect(router.metrics()).toMatchObject({ calls: 5 + 9, storeRoundTrips: 0 });
    expect(await redis.inspector.exists('rt:{router}:t:acme')).toBe(0);

    await store.sync();
    expect(store.metrics()).toMatchObject({ roundTrips: 1, syncs: 1, degraded: false });
    const acme = await redis.inspector.hgetall('rt:{router}:t:acme');
    expect(requestsIn(acme)).toBe(10);
    expect(Number(acme.u)).toBeCloseTo(10 * REQUEST_USD, 15);
    const a = await redis.inspector.hgetall('rt:{router}:d:a');
    // 503s carry no latency sample (only timeouts do).
    expect({ s: a.s, o: Number(a.o), calls: requestsIn(a), latency: a.l }).toEqual({ s: '1', o: openedAt, calls: 2, latency: undefined });
    const c = await redis.inspector.hgetall('rt:{router}:d:c');
    expect({ s: c.s ?? '0', calls: requestsIn(c), latency: Number(c.l) }).toEqual({ s: '0', calls: 10, latency: expect.closeTo(7, 9) });
    // Ten successes on a closed breaker travelled as one folded record: the breaker window holds all ten.
    const q = Object.entries(c).filter(([k]) => /^q\d+$/.test(k));
    expect(q.reduce((s, [, v]) => s + Number(v), 0)).toBe(10);
    // The mirror after the sync is what Redis holds.
    expect(router.inspect('c')).toMatchObject({ breaker: 'closed', rpmUsed: 10, latencyMs: expect.closeTo(7, 9) });
    await router.close();
  });

  it('shares breakers, usage and spend between two routers within the staleness bound', async () => {
    const stores = [
      await createRedisStore({ url: redis.server.url, keyPrefix: 'share:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }),
      await createRedisStore({ url: redis.server.url, keyPrefix: 'share:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }),
    ] as const;
    const [r1, r2] = await expectSharedBreaker({ stores: [...stores], prefix: 'share:', hgetall });
    await Promise.all([r1.close(), r2.close()]);
  });

  it('enforces a tenant limit across two routers: overshoot at most the unseen usage, exact once synced', async () => {
    const stores = [
      await createRedisStore({ url: redis.server.url, keyPrefix: 'bound:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }),
      await createRedisStore({ url: redis.server.url, keyPrefix: 'bound:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }),
    ] as const;
    await expectBoundedStaleness({ stores: [...stores], prefix: 'bound:', hgetall });
    await Promise.all(stores.map((s) => s.close()));
  });

  it("folds a stale router's successes into a half-open breaker as that many probes would", async () => {
    const p = plan([deployment('a')], [group('g', ['a'], { circuitBreaker: { ...BREAKER, minRequests: 2, cooldownMs: 1_000, halfOpenProbes: 3 } })]);
    const stores = [0, 1].map(() =>
      createRedisStore({ url: redis.server.url, keyPrefix: 'half:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }),
    );
    const [s1, s2] = await Promise.all(stores);
    const clock = manualClock();
    const down = new Set(['a']);
    const transport: Transport = { call: (d, req, opts) => dryRunTransport(down).call(d, req, opts) };
    const [r1, r2] = [s1!, s2!].map((store, i) => createRouter(p, { store, clock, random: seededRandom(i), transport }));
    expect((await r1!.route({ group: 'g', estimatedInputTokens: 10 })).ok).toBe(false); // a opens
    await s1!.sync();
    clock.advance(1_000);
    down.clear();
    expect((await r1!.route({ group: 'g', estimatedInputTokens: 10 })).ok).toBe(true); // one probe of three succeeds
    await s1!.sync();
    expect(await redis.inspector.hmget('half:{router}:d:a', 's', 'p', 'k')).toEqual(['2', '1', '1']);
    // r2 never pulled: a is closed in its view; its five successes travel as one run.
    for (let i = 0; i < 5; i++) expect((await r2!.route({ group: 'g', estimatedInputTokens: 10 })).ok).toBe(true);
    await s2!.sync();
    // Two of them complete the half-open probes and close the breaker; the other three count in the closed window.
    const h = await redis.inspector.hgetall('half:{router}:d:a');
    expect([h.s, h.p, h.k]).toEqual(['0', '0', '0']);
    expect(
      Object.entries(h)
        .filter(([k]) => /^q\d+$/.test(k))
        .reduce((n, [, v]) => n + Number(v), 0),
    ).toBe(3);
    expect(r2!.inspect('a').breaker).toBe('closed');
    await Promise.all([r1!.close(), r2!.close()]);
  });

  it('applies a batch once even when its sync timed out with the script already in Redis (a hung Redis)', async () => {
    const store = await createRedisStore({ url: redis.server.url, keyPrefix: 'hang:', commandTimeoutMs: 100, syncIntervalMs: 0 });
    const router = createRouter(SHARED_PLAN, { store, clock: manualClock(), random: seededRandom(4), transport: dryRunTransport() });
    try {
      for (let i = 0; i < 3; i++) expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
      redis.server.signal('SIGSTOP');
      await store.sync(); // sent, then timed out: Redis will run it when it resumes
      expect(store.metrics()).toMatchObject({ degraded: true, roundTrips: 1 });
      for (let i = 0; i < 2; i++) expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
      await store.sync(); // still hung: only a PING probe goes out, no second script behind the first
      expect(store.metrics()).toMatchObject({ degraded: true, roundTrips: 2 });
    } finally {
      redis.server.signal('SIGCONT');
    }
    // PING answers; both batches are sent, the first is skipped as already applied. (On a loaded machine an
    // answer may still miss the short timeout: then the batches are simply sent again.)
    for (let i = 0; i < 50 && store.metrics().degraded; i++) await store.sync();
    expect(store.metrics()).toMatchObject({ degraded: false, recoveredCount: 1, syncs: 1 });
    const acme = await redis.inspector.hgetall('hang:{router}:t:acme');
    expect(requestsIn(acme)).toBe(5);
    expect(Number(acme.u)).toBeCloseTo(5 * REQUEST_USD, 15);
    expect(requestsIn(await redis.inspector.hgetall('hang:{router}:d:a'))).toBe(5);
    expect(router.inspect('a').rpmUsed).toBe(5);
    await router.close();
  });

  it('seed: a store a reload moved the state to carries it into the hashes Redis lacks; an existing hash is the shared state; nothing is counted twice', async () => {
    const clock = manualClock();
    const opts = { url: redis.server.url, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS, syncIntervalMs: 0, seed: true };
    // The state before the move, in memory: a failed until its breaker opened, b served three requests.
    const before = createRouter(SHARED_PLAN, { store: memoryStore(), clock, random: seededRandom(1), transport: dryRunTransport(['a'], 12) });
    for (let i = 0; i < 3; i++) {
      clock.advance(100);
      expect((await before.route(SHARED_REQUEST)).deployment).toBe('b');
    }
    const openedAt = before.inspect('a').openedAt;

    const moved = await createRedisStore({ ...opts, keyPrefix: 'seed:' });
    const after = createRouter(SHARED_PLAN, { store: moved, clock, random: seededRandom(2), transport: dryRunTransport() });
    expect(carryState(moved.local(), before.store.local())).toEqual({ deployments: 3, tenants: 1 });
    await moved.sync();
    // One seed call, one sync: the carried state is in Redis, and the mirror read it back unchanged.
    expect(moved.metrics()).toMatchObject({ roundTrips: 2, syncs: 1, degraded: false });
    const a = await hgetall('seed:{router}:d:a');
    expect({ s: a.s, o: Number(a.o), calls: requestsIn(a) }).toEqual({ s: '1', o: openedAt, calls: 2 });
    const b = await hgetall('seed:{router}:d:b');
    expect({ s: b.s, calls: requestsIn(b), latency: Number(b.l) }).toEqual({ s: '0', calls: 3, latency: expect.closeTo(12, 9) });
    const acme = await hgetall('seed:{router}:t:acme');
    expect(requestsIn(acme)).toBe(3);
    expect(Number(acme.u)).toBeCloseTo(3 * REQUEST_USD, 15);
    // c never served: nothing to carry, no hash.
    expect(await redis.inspector.exists('seed:{router}:d:c')).toBe(0);
    expect(after.inspect('a')).toMatchObject({ breaker: 'open', openedAt, rpmUsed: 2 });
    expect(after.inspect('b')).toMatchObject({ breaker: 'closed', rpmUsed: 3 });
    // Routed on the new store, then synced: counted once on top of the carried state.
    clock.advance(100);
    expect((await after.route(SHARED_REQUEST)).deployment).toBe('b');
    await moved.sync();
    expect(requestsIn(await hgetall('seed:{router}:d:b'))).toBe(4);

    // A second gateway moving later: the hashes exist (the first one's, shared by now) and are read, not overwritten.
    const other = createRouter(SHARED_PLAN, { store: memoryStore(), clock, random: seededRandom(3), transport: dryRunTransport() });
    expect((await other.route(SHARED_REQUEST)).deployment).toBe('a');
    const late = await createRedisStore({ ...opts, keyPrefix: 'seed:' });
    const lateRouter = createRouter(SHARED_PLAN, { store: late, clock, random: seededRandom(4), transport: dryRunTransport() });
    carryState(late.local(), other.store.local());
    await late.sync();
    expect(requestsIn(await hgetall('seed:{router}:d:a'))).toBe(2);
    expect((await hgetall('seed:{router}:d:a')).s).toBe('1');
    expect(lateRouter.inspect('a')).toMatchObject({ breaker: 'open', openedAt });
    expect(lateRouter.inspect('b').rpmUsed).toBe(4);

    // Routed before its first sync: the mirror already holds what the batch will push, so no seed (it would count those requests twice).
    const busy = await createRedisStore({ ...opts, keyPrefix: 'seed-busy:' });
    const busyRouter = createRouter(SHARED_PLAN, { store: busy, clock, random: seededRandom(5), transport: dryRunTransport() });
    carryState(busy.local(), before.store.local());
    expect((await busyRouter.route(SHARED_REQUEST)).deployment).toBe('b');
    await busy.sync();
    expect(busy.metrics().roundTrips).toBe(1);
    expect(requestsIn(await hgetall('seed-busy:{router}:d:b'))).toBe(1);
    await Promise.all([before.close(), after.close(), other.close(), lateRouter.close(), busyRouter.close()]);
  });

  it('keeps routing on local state while Redis is down, then recovers and pushes what it routed', async () => {
    const events = new EventEmitter();
    const seen: string[] = [];
    events.on('degraded', () => seen.push('degraded'));
    events.on('recovered', () => seen.push('recovered'));
    const store = await createRedisStore({ url: redis.server.url, keyPrefix: 'fault:', commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS, syncIntervalMs: 0 });
    const clock = manualClock();
    const router = createRouter(SHARED_PLAN, { store, clock, random: seededRandom(3), transport: dryRunTransport(), events });
    for (let i = 0; i < 3; i++) expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
    await store.sync();
    expect(router.metrics()).toMatchObject({ degraded: false, degradedCount: 0 });
    expect(requestsIn(await redis.inspector.hgetall('fault:{router}:d:a'))).toBe(3);

    await redis.server.stop();
    for (let i = 0; i < 5; i++) expect((await router.route(SHARED_REQUEST)).ok).toBe(true);
    await store.sync();
    expect(router.metrics()).toMatchObject({ degraded: true, degradedCount: 1, succeeded: 8 });
    expect(seen).toEqual(['degraded']);
    // Limits still hold locally: the mirror counted every request.
    expect(router.inspect('a').rpmUsed).toBe(8);
    // While Redis is down a sync does not even try (the client is not ready): no pile of failing commands.
    // The failed sync can come back before ioredis has handled the closed socket (a write error first): until it
    // has, the client still says 'ready' and a sync would rightly probe it.
    await until(() => store.client.status !== 'ready');
    const trips = store.metrics().roundTrips;
    await store.sync();
    expect(store.metrics().roundTrips).toBe(trips);

    await redis.server.start();
    await until(() => seen.includes('recovered'));
    expect(router.metrics()).toMatchObject({ degraded: false, degradedCount: 1, recoveredCount: 1 });
    // Redis came back empty (no persistence): the outage's five requests were pushed; the three before are gone with it.
    const h = await redis.inspector.hgetall('fault:{router}:d:a');
    expect(requestsIn(h)).toBe(5);
    expect(Number((await redis.inspector.hgetall('fault:{router}:t:acme')).u)).toBeCloseTo(5 * REQUEST_USD, 15);
    // ...and the mirror reloaded that state.
    expect(router.inspect('a').rpmUsed).toBe(5);
    await router.close();
  });
});
