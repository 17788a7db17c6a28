/**
 * The router's Redis store in Cluster mode, against a real three-node Redis
 * Cluster: state shared by two routers, two round trips per route(), and
 * every key of the store in one hash slot (the Lua scripts need that).
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, seededRandom } from '../../src/runtime/clock.ts';
import { dryRunTransport } from '../../src/runtime/dry-run.ts';
import { createRouter } from '../../src/runtime/router.ts';
import { createRedisStore } from '../../src/runtime/stores/redis.ts';
import { startRedisCluster, type RedisCluster } from '../fixtures/redis-cluster.ts';
import { redisServerMissing } from '../fixtures/redis-server.ts';
import { deployment, group, plan } from './plans.ts';

const missing = redisServerMissing();

const PLAN = plan(
  [deployment('a', { rpm: 1_000 }), deployment('b'), deployment('c')],
  [group('main', ['a', 'b'], { fallbacks: ['backup'], strategy: 'ordered' }), group('backup', ['c'])],
  { acme: { id: 'acme', description: null, apiKeys: [], allowedGroups: ['main', 'backup'], rpm: 100, tpm: null, monthlyBudgetUsd: 50 } },
);
const REQ = { group: 'main', tenant: 'acme', estimatedInputTokens: 1_000, maxOutputTokens: 200 };

describe.skipIf(missing !== null)('Redis store on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let inspector: Cluster;
  beforeAll(async () => {
    cluster = await startRedisCluster();
    inspector = new Cluster(cluster.nodes);
  }, 60_000);
  afterAll(async () => {
    inspector?.disconnect();
    await cluster?.dispose();
  });

  it('shares breakers and tenant usage between two routers, in two round trips per request', async () => {
    const clock = manualClock();
    const stores = [await createRedisStore({ nodes: cluster.nodes, keyPrefix: 'c:' }), await createRedisStore({ nodes: cluster.nodes, keyPrefix: 'c:' })];
    const [r1, r2] = stores.map((store, i) => createRouter(PLAN, { store, clock, random: seededRandom(i), transport: dryRunTransport(['a']) }));
    const first = await r1!.route(REQ);
    expect(first.deployment).toBe('b');
    expect(r1!.inspect('a').breaker).toBe('open');
    const second = await r2!.route(REQ);
    expect(second.trace[0]).toMatchObject({ deployment: 'a', outcome: 'skipped', reason: 'circuit-open' });
    for (const r of [r1!, r2!]) expect(r.metrics().storeRoundTrips / r.metrics().requests).toBe(2);

    // Every key the store wrote hashes to one slot, on one node.
    const keys = (await Promise.all(inspector.nodes('master').map((n) => n.keys('c:*')))).filter((ks) => ks.length > 0);
    expect(keys.length).toBe(1);
    const slots = new Set(await Promise.all(keys[0]!.map((k) => inspector.cluster('KEYSLOT', k))));
    expect(slots.size).toBe(1);
    const buckets = await inspector.hgetall('c:{router}:t:acme');
    expect(Object.entries(buckets).filter(([k]) => k.startsWith('r')).reduce((s, [, v]) => s + Number(v), 0)).toBe(2);
    await Promise.all([r1!.close(), r2!.close()]);
  });
});
