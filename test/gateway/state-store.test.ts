/**
 * A reload follows the new plan's routerState (serve --bundle without
 * --redis / --memory): memory to Redis, to another key prefix and back to
 * memory, the state carried each time (an open breaker stays open, usage
 * reaches the new keys); a reference that does not resolve fails the reload
 * once, a Redis that does not answer fails it until it does; the old plan is
 * served meanwhile and the reload metrics count every outcome. Flags pin one
 * store for every plan.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleFollower, followBundle } from '../../src/gateway/follow-bundle.ts';
import { createLogger } from '../../src/gateway/log.ts';
import { pinnedStore, planStore, type StoreOpener, storeOpener } from '../../src/gateway/state-store.ts';
import type { Policy } from '../../src/model/policy.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { parseTarget, type Target } from '../../src/publish/target.ts';
import type { RedisStore } from '../../src/runtime/stores/redis.ts';
import { createSecretResolver } from '../../src/secrets/resolve.ts';
import { type RedisServer, redisServerMissing, startRedisServer, redisInspector } from '../fixtures/redis-server.ts';
import { tempDir } from '../publish/helpers.ts';
import { requestsIn } from '../runtime/shared-state.ts';
import { plan as runtimePlan } from '../runtime/plans.ts';
import { publishPlan, until } from './bundles.ts';
import { compileOrThrow, type GatewayHarness, standInPolicy, startHarness, withTestGroups } from './harness.ts';
import { parseMetrics } from './metrics-text.ts';

const FLAKY = 'vllm-c-llama-8b';
const TENANT = 'support-assistant';
const chat = (model: string) => ({ model, messages: [{ role: 'user', content: 'What colour is a ripe banana?' }] });
const redisState = (env: string, keyPrefix: string): Policy['routerState'] => ({ kind: 'redis', url: `env:${env}`, keyPrefix, cluster: false });

describe('which store a plan names', () => {
  const memoryPlan = runtimePlan([], []);
  const redisPlan = (ref: string): CompiledPlan => ({
    ...memoryPlan,
    routerState: { kind: 'redis', url: { ref, scheme: 'env', name: ref.slice(4) }, keyPrefix: 'p:', cluster: true },
  });

  it('flags pin one store (--redis keeps the key prefix of the plan it starts with); they exclude each other; URLs are checked, never echoed with a password', async () => {
    expect(pinnedStore({}, memoryPlan)).toBeNull();
    expect(pinnedStore({ memory: true }, redisPlan('env:X'))).toEqual({ kind: 'memory' });
    expect(pinnedStore({ redis: 'redis://cache:6379' }, redisPlan('env:X'))).toEqual({
      kind: 'redis',
      url: 'redis://cache:6379',
      cluster: false,
      keyPrefix: 'p:',
    });
    expect(pinnedStore({ redis: 'redis://cache:6379', redisCluster: true }, memoryPlan)).toEqual({
      kind: 'redis',
      url: 'redis://cache:6379',
      cluster: true,
      keyPrefix: 'switchyard:',
    });
    expect(() => pinnedStore({ memory: true, redis: 'redis://cache:6379' }, memoryPlan)).toThrow(/^--memory and --redis exclude each other$/);
    expect(() => pinnedStore({ redis: 'http://u:hunter2@cache:6379' }, memoryPlan)).toThrow(
      /^--redis: router state URL "http:\/\/cache:6379" is not a redis:\/\/ or rediss:\/\/ URL with a host$/,
    );
    const resolver = createSecretResolver({ env: { GOOD: 'rediss://:pw@cache:6380/2', BAD: 'http://u:hunter2@cache:6379' } });
    expect(await planStore(memoryPlan, resolver)).toEqual({ kind: 'memory' });
    expect(await planStore(redisPlan('env:GOOD'), resolver)).toEqual({ kind: 'redis', url: 'rediss://:pw@cache:6380/2', cluster: true, keyPrefix: 'p:' });
    await expect(planStore(redisPlan('env:BAD'), resolver)).rejects.toThrow(/^the plan's router state URL "http:\/\/cache:6379" is not a redis/);
    await expect(planStore(redisPlan('env:UNSET'), resolver)).rejects.toThrow(/^router state: env:UNSET: environment variable UNSET is not set$/);
  });

  it('a pinned store is what every reload opens, whatever the plan says (its reference is not even resolved)', async () => {
    const lines: string[] = [];
    const stores = storeOpener({
      initial: { kind: 'memory' },
      pinned: true,
      resolver: () => createSecretResolver({ env: {} }),
      log: createLogger((s) => lines.push(s)),
    });
    const first = await stores.start();
    const next = await stores.reload(redisPlan('env:UNSET'), first);
    expect([first.kind, next.kind]).toEqual(['memory', 'memory']);
    expect(next).not.toBe(first);
    expect(lines).toEqual([]);
  });
});

const missing = redisServerMissing();
let redis: RedisServer;
let later: RedisServer;
let inspector: Redis;
let h: GatewayHarness;
let stores: StoreOpener;
let target: Target;
let follower: BundleFollower;
const lines: string[] = [];
let published = 0;

const logged = (msg: string) => lines.map((l) => JSON.parse(l)).filter((l) => l.msg === msg);
const servedStore = () => h.gateway.state.gen.router.store;
const readyz = async () => (await h.get('/readyz')).json as { plan: { hash: string }; store: { kind: string } };
const metrics = async () => parseMetrics((await h.get('/metrics')).text);
const tenantRequests = () => {
  const gen = h.gateway.state.gen;
  return gen.router.store.local().tenants[gen.tables.tenantById.get(TENANT)!.index]!.rpm.sum(Date.now());
};

/** The harness's plan with this routerState (and a research-lab limit of its own, so every plan has its own hash). */
async function planWith(routerState: Policy['routerState']): Promise<CompiledPlan> {
  const policy = await standInPolicy((id) => h.standIns[id]!.base);
  withTestGroups(policy);
  policy.routerState = routerState;
  policy.tenants.find((t) => t.id === 'research-lab')!.rpm = 100 + published;
  return compileOrThrow(policy);
}

async function publish(p: CompiledPlan): Promise<string> {
  published++;
  return publishPlan(target, p, Date.UTC(2026, 0, 1) + published * 60_000);
}

/** Resolves once `read` gives `want` (polled every 20 ms; a guard against a hang, not a speed goal). */
async function reaches<T>(read: () => Promise<T>, want: T, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  for (let got = await read(); got !== want; got = await read()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${String(got)}, not ${String(want)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function serve(p: CompiledPlan): Promise<void> {
  const v = await publish(p);
  await until(() => follower.version() === v, `${v} to be served`);
  expect((await readyz()).plan.hash).toBe(p.hash);
}

beforeAll(async () => {
  if (missing) return;
  redis = await startRedisServer();
  later = await startRedisServer();
  await later.stop();
  inspector = redisInspector(redis.url);
  const log = createLogger((s) => lines.push(s));
  const resolver = createSecretResolver({ env: { SY_STATE_URL: redis.url, SY_LATER_URL: later.url } });
  stores = storeOpener({ initial: { kind: 'memory' }, pinned: false, resolver: () => resolver, log, moveReadyTimeoutMs: 300 });
  h = await startHarness({
    edit: (p) => {
      withTestGroups(p);
      p.routerState = { kind: 'memory' };
    },
    store: await stores.start(),
    start: { openStore: (p) => stores.reload(p, servedStore()) },
  });
  target = parseTarget(tempDir('switchyard-state-store-'));
  const v = await publish(h.plan);
  follower = followBundle({
    target,
    version: v,
    reload: h.gateway.reload,
    secretsFor: h.secretsFor,
    log,
    pollMs: 200,
    onReload: (o) => h.gateway.metrics.reload(o),
  });
}, 60_000);
afterAll(async () => {
  await follower?.close();
  await h?.close();
  inspector?.disconnect();
  await redis?.dispose();
  await later?.dispose();
});

describe.skipIf(missing !== null)('a reload follows the routerState of the new plan', () => {
  it('memory to Redis: the open breaker and the usage move to the new keys, and the new plan routes on them', async () => {
    h.standIns['vllm-pool-c']!.fault = { status: 500 };
    expect((await h.post('/v1/chat/completions', chat('a-flaky'))).status).toBe(502);
    expect((await h.post('/v1/chat/completions', chat('a-flaky'))).status).toBe(502);
    h.standIns['vllm-pool-c']!.fault = null;
    for (let i = 0; i < 3; i++) expect((await h.post('/v1/chat/completions', chat('chat'))).status).toBe(200);
    const used = tenantRequests();
    expect(used).toBe(5);
    expect((await readyz()).store.kind).toBe('memory');

    await serve(await planWith(redisState('SY_STATE_URL', 'moved-b:')));
    expect((await readyz()).store).toMatchObject({ kind: 'redis', up: true });
    // Carried into Redis under the new prefix before the new plan took traffic.
    expect((await inspector.hgetall(`moved-b:{router}:d:${FLAKY}`)).s).toBe('1');
    expect(requestsIn(await inspector.hgetall(`moved-b:{router}:t:${TENANT}`))).toBe(used);
    expect(logged('reload moves the router state')).toEqual([expect.objectContaining({ from: 'memory', to: `${redis.url} (key prefix "moved-b:")` })]);
    // The new plan's requests count in the new keys; the breaker it carried keeps the deployment out.
    expect((await h.post('/v1/chat/completions', chat('chat'))).status).toBe(200);
    await reaches(async () => requestsIn(await inspector.hgetall(`moved-b:{router}:t:${TENANT}`)), used + 1, 'the request to reach the new keys');
    const refused = await h.post('/v1/chat/completions', chat('a-flaky'));
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('no_deployment_available');
    expect(h.standIns['vllm-pool-c']!.requests).toHaveLength(2);
  });

  it('Redis to another key prefix, then back to memory: the state follows; each replaced Redis session disconnects', async () => {
    const onB = servedStore() as RedisStore;
    // Every request of the tenant so far, refused ones included (3 + 2 on memory, 2 on moved-b:).
    const used = tenantRequests();
    expect(used).toBe(7);
    await serve(await planWith(redisState('SY_STATE_URL', 'moved-c:')));
    expect((await inspector.hgetall(`moved-c:{router}:d:${FLAKY}`)).s).toBe('1');
    expect(requestsIn(await inspector.hgetall(`moved-c:{router}:t:${TENANT}`))).toBe(used);
    await until(() => onB.client.status === 'end', "the old prefix's session to disconnect");
    const onC = servedStore() as RedisStore;

    await serve(await planWith({ kind: 'memory' }));
    expect((await readyz()).store).toMatchObject({ kind: 'memory', up: true });
    expect(logged('reload moves the router state').at(-1)).toMatchObject({ from: `${redis.url} (key prefix "moved-c:")`, to: 'memory' });
    expect(tenantRequests()).toBe(used);
    expect((await h.post('/v1/chat/completions', chat('a-flaky'))).status).toBe(503);
    expect(h.standIns['vllm-pool-c']!.requests).toHaveLength(2);
    await until(() => onC.client.status === 'end', 'the Redis session to disconnect');
    // Off Redis: requests count here, no longer in its keys.
    expect((await h.post('/v1/chat/completions', chat('chat'))).status).toBe(200);
    expect(tenantRequests()).toBe(used + 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(requestsIn(await inspector.hgetall(`moved-c:{router}:t:${TENANT}`))).toBe(used);
  });

  it('a reference that does not resolve fails the reload once: the old plan and store stay, the reason is logged and counted', async () => {
    const served = h.gateway.state.gen.plan;
    const failures = follower.counts().failures;
    const bad = await planWith(redisState('SY_UNSET', 'never:'));
    await publish(bad);
    await until(() => follower.counts().failures === failures + 1, 'the reload to fail');
    expect(await readyz()).toMatchObject({ plan: { hash: served.hash }, store: { kind: 'memory' } });
    expect(logged('plan reload failed: keeping the plan served').at(-1)).toMatchObject({
      error: 'router state: env:SY_UNSET: environment variable SY_UNSET is not set',
    });
    expect((await h.post('/v1/chat/completions', chat('chat'))).status).toBe(200);
    // Not tried again on every poll: the next publish is.
    await new Promise((r) => setTimeout(r, 600));
    expect(follower.counts().failures).toBe(failures + 1);
    const m = await metrics();
    expect([m.get('switchyard_plan_reloads_total{outcome="success"}'), m.get('switchyard_plan_reloads_total{outcome="failure"}')]).toEqual([3, 1]);
    expect([...m.keys()].filter((k) => k.startsWith('switchyard_plan_info'))).toEqual([`switchyard_plan_info{hash="${served.hash}"}`]);
    expect(m.get('switchyard_plan_last_reload_success_timestamp_seconds')).toBe(h.gateway.state.gen.loadedAt / 1000);
  });

  it('a Redis that does not answer fails the reload until it does (said once); then the plan moves there with its state', async () => {
    const served = h.gateway.state.gen.plan;
    const failures = follower.counts().failures;
    const next = await planWith(redisState('SY_LATER_URL', 'later:'));
    const v = await publish(next);
    await until(() => follower.counts().failures >= failures + 3, 'three tries to fail');
    expect(await readyz()).toMatchObject({ plan: { hash: served.hash }, store: { kind: 'memory' } });
    const retried = logged('plan reload failed: keeping the plan served, trying again');
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ version: v });
    expect(retried[0].error).toMatch(
      new RegExp(
        `^the plan moves the router state to ${later.url.replace(/[.]/g, '\\.')} \\(key prefix "later:"\\), which did not answer within 0\\.3 s: connect ECONNREFUSED`,
      ),
    );
    expect(logged('bundle target unreadable')).toEqual([]);
    expect((await h.post('/v1/chat/completions', chat('chat'))).status).toBe(200);
    const usedBefore = tenantRequests();
    const m = await metrics();
    expect(m.get('switchyard_plan_reloads_total{outcome="failure"}')).toBe(1 + follower.counts().failures - failures);

    await later.start();
    await until(() => follower.version() === v, 'the plan to be served once its Redis answers');
    expect(await readyz()).toMatchObject({ plan: { hash: next.hash }, store: { kind: 'redis', up: true } });
    const onLater = new Redis(later.url);
    try {
      expect((await onLater.hgetall(`later:{router}:d:${FLAKY}`)).s).toBe('1');
      expect(requestsIn(await onLater.hgetall(`later:{router}:t:${TENANT}`))).toBe(usedBefore);
    } finally {
      onLater.disconnect();
    }
    const after = await metrics();
    expect(after.get('switchyard_plan_reloads_total{outcome="success"}')).toBe(4);
    expect([...after.keys()].filter((k) => k.startsWith('switchyard_plan_info'))).toEqual([`switchyard_plan_info{hash="${next.hash}"}`]);
  });
});
