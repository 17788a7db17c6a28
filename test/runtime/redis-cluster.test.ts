/**
 * The router's Redis store in Cluster mode, against a real three-node Redis
 * Cluster: state shared by two routers, two round trips per route(), and
 * every key of the store in one hash slot (the Lua scripts need that).
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/runtime/stores/redis.ts';
import { startRedisCluster, type RedisCluster } from '../fixtures/redis-cluster.ts';
import { redisServerMissing } from '../fixtures/redis-server.ts';
import { expectSharedBreaker, requestsIn } from './shared-state.ts';

const missing = redisServerMissing();

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
    const [r1, r2] = await expectSharedBreaker([
      await createRedisStore({ nodes: cluster.nodes, keyPrefix: 'c:' }),
      await createRedisStore({ nodes: cluster.nodes, keyPrefix: 'c:' }),
    ]);
    for (const r of [r1, r2]) expect(r.metrics().storeRoundTrips / r.metrics().requests).toBe(2);

    // Every key the store wrote hashes to one slot, on one node.
    const keys = (await Promise.all(inspector.nodes('master').map((n) => n.keys('c:*')))).filter((ks) => ks.length > 0);
    expect(keys.length).toBe(1);
    const slots = new Set(await Promise.all(keys[0]!.map((k) => inspector.cluster('KEYSLOT', k))));
    expect(slots.size).toBe(1);
    expect(requestsIn(await inspector.hgetall('c:{router}:t:acme'))).toBe(2);
    await Promise.all([r1.close(), r2.close()]);
  });
});
