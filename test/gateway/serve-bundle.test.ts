/**
 * `switchyard serve --bundle redis://...` as a real process on a real Redis:
 * it starts on the current version, follows a publish and a rollback
 * (announced on the target's pub/sub channel, polled as well), keeps serving
 * its plan while Redis is down and while the restarted Redis holds no
 * bundle, and serves what is published once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { rollbackBundle } from '../../src/publish/rollback.ts';
import { parseTarget, type Target } from '../../src/publish/target.ts';
import { type RedisServer, redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { publishPlan, until } from './bundles.ts';
import { compileOrThrow, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys, TENANT_KEYS } from './harness.ts';
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
});
