/**
 * `switchyard serve --bundle redis://...` as a real process on a real Redis:
 * it starts on the current version, follows a publish and a rollback
 * (announced on the target's pub/sub channel, polled as well), keeps serving
 * its plan while Redis is down and while the restarted Redis holds no
 * bundle, and serves what is published once it is back. And a reloaded
 * plan's routerState is followed (Redis named by an env: reference), unless
 * --memory pins the store; /metrics counts the reloads and names the plan.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { rollbackBundle } from '../../src/publish/rollback.ts';
import { parseTarget, type Target } from '../../src/publish/target.ts';
import { type RedisServer, redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { tempDir } from '../publish/helpers.ts';
import { requestsIn } from '../runtime/shared-state.ts';
import { publishPlan, until } from './bundles.ts';
import { compileOrThrow, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys, TENANT_KEYS } from './harness.ts';
import { parseMetrics } from './metrics-text.ts';
import { type Served, serveProcess, stopServe } from './serve-process.ts';

const missing = redisServerMissing();
let redis: RedisServer;
let standIns: Record<string, StandIn>;
let vault: VaultStandIn;
let target: Target;
let planA: CompiledPlan;
let planB: CompiledPlan;
let served: Served;

beforeAll(async () => {
  if (missing) return;
  standIns = await startStandIns();
  vault = await startVaultWithKeys();
  redis = await startRedisServer();
  const policy = await standInPolicy((id) => standIns[id]!.base);
  planA = compileOrThrow(policy);
  policy.tenants.find((t) => t.id === 'research-lab')!.rpm = 77;
  planB = compileOrThrow(policy);
  target = parseTarget(redis.url, { prefix: 'ops:' });
}, 60_000);
afterAll(async () => {
  if (served) await stopServe(served);
  await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
  await vault?.close();
  await redis?.dispose();
});

const readyz = async () => (await (await fetch(`${served.url}/readyz`)).json()) as { plan: { hash: string } };
const chat = async () =>
  (
    await fetch(`${served.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TENANT_KEYS['support-assistant']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
    })
  ).status;
const logged = (msg: string) =>
  served
    .stderr()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}`))
    .map((l) => JSON.parse(l));
/** Reads until `done` holds (every 20 ms, at most 10 s: a guard against a hang, not a speed goal); the last value read. */
async function readUntil<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let v = await read();
  for (const end = Date.now() + 10_000; !done(v) && Date.now() < end; v = await read()) await new Promise((r) => setTimeout(r, 20));
  return v;
}
async function servesHash(hash: string, what: string): Promise<void> {
  let current = '';
  const poll = setInterval(() => void readyz().then((r) => (current = r.plan.hash)), 50);
  try {
    await until(() => current === hash, what);
  } finally {
    clearInterval(poll);
  }
}

describe.skipIf(missing !== null)('serve --bundle redis://', () => {
  it('starts on the current version and follows publish and rollback, through a Redis restart', async () => {
    const vA = await publishPlan(target, planA, Date.UTC(2026, 0, 1));
    served = await serveProcess(['--bundle', redis.url, '--bundle-prefix', 'ops:', '--memory', '--no-request-log'], {
      ...PROVIDER_ENV,
      VAULT_ADDR: vault.addr,
      VAULT_TOKEN: vault.token,
    });
    expect(logged('listening')[0]).toMatchObject({ bundle: target.display, version: vA, hash: planA.hash });
    expect((await readyz()).plan.hash).toBe(planA.hash);

    const vB = await publishPlan(target, planB, Date.UTC(2026, 0, 2));
    await servesHash(planB.hash, 'the publish of B');
    expect(logged('plan reloaded').at(-1)).toMatchObject({ version: vB, previous: vA, hash: planB.hash });
    await rollbackBundle(target, vA);
    await servesHash(planA.hash, 'the rollback to A');
    expect(await chat()).toBe(200);

    // Redis down: the gateway keeps its plan and serves; the trouble is logged once.
    await redis.stop();
    await until(() => logged('bundle target unreadable').length > 0, 'the target to be reported unreadable');
    expect(await chat()).toBe(200);
    expect((await readyz()).plan.hash).toBe(planA.hash);
    // Back, but empty (no persistence): no current version, still serving A.
    await redis.start();
    await until(() => logged('bundle target has no current version').length > 0, 'the empty target to be noticed');
    expect(await chat()).toBe(200);
    const vB2 = await publishPlan(target, planB, Date.UTC(2026, 0, 3));
    await servesHash(planB.hash, 'the publish after the restart');
    expect(logged('plan reloaded').at(-1)).toMatchObject({ version: vB2, hash: planB.hash });
    expect(logged('bundle target unreadable')).toHaveLength(1);
    expect(await stopServe(served)).toBe(0);
  }, 60_000);

  it('follows the routerState of a reloaded plan (its Redis URL an env: reference), unless --memory pins the store; /metrics counts the reloads', async () => {
    const dir = parseTarget(tempDir('switchyard-serve-state-'));
    const policy = await standInPolicy((id) => standIns[id]!.base);
    policy.routerState = { kind: 'memory' };
    const onMemory = compileOrThrow(policy);
    policy.routerState = { kind: 'redis', url: 'env:SWITCHYARD_TEST_STATE_URL', keyPrefix: 'served:', cluster: false };
    const onRedis = compileOrThrow(policy);
    policy.routerState = { ...policy.routerState, keyPrefix: 'pinned:' };
    const elsewhere = compileOrThrow(policy);
    await publishPlan(dir, onMemory, Date.UTC(2026, 1, 1));
    const env = { ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token, SWITCHYARD_TEST_STATE_URL: redis.url };
    const inspector = new Redis(redis.url);
    const gateways: Served[] = [];
    try {
      const follows = await serveProcess(['--bundle', dir.display, '--no-request-log'], env);
      gateways.push(follows);
      const get = async (path: string) => (await fetch(`${follows.url}${path}`)).text();
      expect(JSON.parse(await get('/readyz')).store.kind).toBe('memory');
      await publishPlan(dir, onRedis, Date.UTC(2026, 1, 2));
      const ready = await readUntil(
        async () => JSON.parse(await get('/readyz')),
        (r) => r.plan.hash === onRedis.hash,
      );
      expect(ready).toMatchObject({ plan: { hash: onRedis.hash }, store: { kind: 'redis', up: true } });
      const r = await fetch(`${follows.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TENANT_KEYS['support-assistant']}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(r.status).toBe(200);
      const inRedis = await readUntil(
        async () => requestsIn(await inspector.hgetall('served:{router}:t:support-assistant')),
        (n) => n === 1,
      );
      expect(inRedis).toBe(1);
      const m = parseMetrics(await get('/metrics'));
      expect(m.get('switchyard_plan_reloads_total{outcome="success"}')).toBe(1);
      expect(m.get('switchyard_plan_reloads_total{outcome="failure"}')).toBe(0);
      expect([...m.keys()].filter((k) => k.startsWith('switchyard_plan_info'))).toEqual([`switchyard_plan_info{hash="${onRedis.hash}"}`]);
      expect(m.get('switchyard_state_store_up{store="redis"}')).toBe(1);

      expect(await stopServe(gateways.pop()!)).toBe(0);

      // --memory: every plan on memory, a reload moving the state to Redis too.
      const pinned = await serveProcess(['--bundle', dir.display, '--no-request-log', '--memory'], env);
      gateways.push(pinned);
      await publishPlan(dir, elsewhere, Date.UTC(2026, 1, 3));
      const pinnedReady = await readUntil(
        async () => (await (await fetch(`${pinned.url}/readyz`)).json()) as { plan: { hash: string } },
        (r) => r.plan.hash === elsewhere.hash,
      );
      expect(pinnedReady).toMatchObject({ plan: { hash: elsewhere.hash }, store: { kind: 'memory' } });
      expect(await inspector.exists('pinned:{router}:seq')).toBe(0);
    } finally {
      inspector.disconnect();
      for (const g of gateways) expect(await stopServe(g)).toBe(0);
    }
  }, 60_000);

  it('reads Vault again on reload: a tenant key rotated before a publish is the one the new plan accepts', async () => {
    const dir = parseTarget(tempDir('switchyard-serve-rotate-'));
    const path = 'secret/switchyard/tenants/support-assistant';
    const old = TENANT_KEYS['support-assistant']!;
    const rotated = 'sk-tenant-support-rotated-0123456789';
    const status = async (url: string, key: string) =>
      (
        await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
        })
      ).status;
    await publishPlan(dir, planA, Date.UTC(2026, 2, 1));
    const gw = await serveProcess(['--bundle', dir.display, '--memory', '--no-request-log'], {
      ...PROVIDER_ENV,
      VAULT_ADDR: vault.addr,
      VAULT_TOKEN: vault.token,
    });
    try {
      expect(await status(gw.url, old)).toBe(200);
      vault.secrets.set(path, { data: { api_key: rotated } });
      // Until a plan is loaded again the gateway keeps the keys it read.
      expect(await status(gw.url, rotated)).toBe(401);
      await publishPlan(dir, planB, Date.UTC(2026, 2, 2));
      await readUntil(
        async () => ((await (await fetch(`${gw.url}/readyz`)).json()) as { plan: { hash: string } }).plan.hash,
        (h) => h === planB.hash,
      );
      expect(await status(gw.url, rotated)).toBe(200);
      expect(await status(gw.url, old)).toBe(401);
      // The rotated key is a secret like the others: never printed.
      expect(gw.stderr()).not.toContain(rotated);
    } finally {
      vault.secrets.set(path, { data: { api_key: old } });
      expect(await stopServe(gw)).toBe(0);
    }
  }, 60_000);
});
