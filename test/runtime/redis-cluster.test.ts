/**
 * The router's Redis store in Cluster mode, against a real three-node Redis
 * Cluster: state shared by two routers within the staleness bound, and every
 * key of the store in one hash slot (the sync script needs that).
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../src/runtime/stores/redis.ts';
import { startRedisCluster, type RedisCluster } from '../fixtures/redis-cluster.ts';
import { PATIENT_COMMAND_TIMEOUT_MS, redisServerMissing } from '../fixtures/redis-server.ts';
import { expectBoundedStaleness, expectSharedBreaker } from './shared-state.ts';

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
  const hgetall = (key: string) => inspector.hgetall(key);
  const store = () => createRedisStore({ nodes: cluster.nodes, keyPrefix: 'c:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS });

  it('shares breakers, tenant usage and spend between two routers, all keys in one slot', async () => {
    const [r1, r2] = await expectSharedBreaker({ stores: [await store(), await store()], prefix: 'c:', hgetall });
    // Every key the store wrote hashes to one slot, on one node.
    const keys = (await Promise.all(inspector.nodes('master').map((n) => n.keys('c:*')))).filter((ks) => ks.length > 0);
    expect(keys.length).toBe(1);
    const [applied, state] = [keys[0]!.filter((k) => k.includes(':applied:')), keys[0]!.filter((k) => !k.includes(':applied:'))];
    expect(state.sort()).toEqual(['c:{router}:d:a', 'c:{router}:d:b', 'c:{router}:seq', 'c:{router}:t:acme']);
    // One applied key per router: the id of the last batch it pushed (the first router pushed one, the second two).
    expect((await Promise.all(applied.map((k) => inspector.get(k)))).sort()).toEqual(['1', '2']);
    const slots = new Set(await Promise.all(keys[0]!.map((k) => inspector.cluster('KEYSLOT', k))));
    expect(slots.size).toBe(1);
    await Promise.all([r1.close(), r2.close()]);
  });

  it('enforces a tenant limit across two routers: overshoot at most the unseen usage, exact once synced', async () => {
    const stores = [
      await createRedisStore({ nodes: cluster.nodes, keyPrefix: 'cb:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }),
      await createRedisStore({ nodes: cluster.nodes, keyPrefix: 'cb:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }),
    ] as const;
    await expectBoundedStaleness({ stores: [...stores], prefix: 'cb:', hgetall });
    await Promise.all(stores.map((s) => s.close()));
  });
});
