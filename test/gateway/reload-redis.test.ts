/**
 * A reload on a shared (Redis) state store: the new plan routes on a new
 * session of the same Redis keys, pulled before the swap, so an open breaker
 * stays open and usage counts carry; the replaced session pushes what it
 * routed and closes its connection once no request holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouterStore } from '../../src/runtime/stores/store.ts';
import { createRedisStore, type RedisStore } from '../../src/runtime/stores/redis.ts';
import { type RedisServer, redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import { until } from './bundles.ts';
import { compileOrThrow, type GatewayHarness, standInPolicy, startHarness, withTestGroups } from './harness.ts';

const missing = redisServerMissing();
let redis: RedisServer;
let h: GatewayHarness;
const stores: RedisStore[] = [];

const open = async (): Promise<RouterStore> => {
  const s = await createRedisStore({ url: redis.url, keyPrefix: 'reload:' });
  stores.push(s);
  return s;
};

beforeAll(async () => {
  if (missing) return;
  redis = await startRedisServer();
  h = await startHarness({ edit: withTestGroups, store: await open(), start: { openStore: open } });
}, 60_000);
afterAll(async () => {
  await h?.close();
  await redis?.dispose();
});

const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'What colour is a ripe banana?' }] });

describe.skipIf(missing !== null)('reload on the Redis state store', () => {
  it('an open breaker carries to the new plan, whose session synced with Redis before taking traffic; the old session closes once free', async () => {
    h.standIns['vllm-pool-c']!.fault = { status: 500 };
    expect((await h.post('/v1/chat/completions', chat('a-flaky'))).status).toBe(502);
    expect((await h.post('/v1/chat/completions', chat('a-flaky'))).status).toBe(502);
    h.standIns['vllm-pool-c']!.fault = null;
    const policy = await standInPolicy((id) => h.standIns[id]!.base);
    withTestGroups(policy);
    policy.tenants.find((t) => t.id === 'research-lab')!.rpm = 42;
    const next = compileOrThrow(policy);
    expect(next.hash).not.toBe(h.plan.hash);
    const r = await h.gateway.reload(next, await h.secretsFor(next));
    expect(r.carried.deployments).toBe(Object.keys(next.deployments).length);
    expect(stores).toHaveLength(2);
    // The new session has synced with Redis before it took traffic.
    expect(stores[1]!.metrics().syncs).toBeGreaterThanOrEqual(1);
    const refused = await h.post('/v1/chat/completions', chat('a-flaky'));
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('no_deployment_available');
    expect(h.standIns['vllm-pool-c']!.requests).toHaveLength(2);
    // The replaced session closed its connection (nothing held it).
    await until(() => h.gateway.retiring() === 0, 'the old plan to be retired');
    await until(() => stores[0]!.client.status === 'end', 'the old session to disconnect');
    expect((await h.get('/readyz')).json.store).toMatchObject({ kind: 'redis', up: true });
  });
});
