/**
 * Two `switchyard serve` processes on one Redis (standalone, then a real
 * three-node Cluster) enforce one set of tenant limits and breakers: what a
 * request through one gateway counts, a request through the other sees once
 * the first gateway's background sync pushed it and the second's pulled it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planJsonTarget } from '../../src/targets/plan-json.ts';
import { startRedisCluster } from '../fixtures/redis-cluster.ts';
import { redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { compileOrThrow, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys, TENANT_KEYS, withTestGroups } from './harness.ts';
import { type Served, serveProcess, stopServe } from './serve-process.ts';

const missing = redisServerMissing();

let dir: string;
let planFile: string;
let standIns: Record<string, StandIn>;
let vault: VaultStandIn;

beforeAll(async () => {
  standIns = await startStandIns();
  vault = await startVaultWithKeys();
  dir = mkdtempSync(join(tmpdir(), 'switchyard-shared-'));
  planFile = join(dir, 'plan.json');
  const policy = await standInPolicy((id) => standIns[id]!.base);
  withTestGroups(policy);
  writeFileSync(planFile, planJsonTarget.emit(compileOrThrow(policy))[0]!.content);
});
afterAll(async () => {
  await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
  await vault?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const s of Object.values(standIns)) s.reset();
});

const env = () => ({ ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token });

async function ask(g: Served, model: string, tenant: string): Promise<number> {
  const r = await fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TENANT_KEYS[tenant]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await r.text();
  return r.status;
}

const syncsOf = async (g: Served): Promise<number> => ((await (await fetch(`${g.url}/readyz`)).json()) as { store: { syncs: number } }).store.syncs;

/** Resolves once `g` completed two more background syncs: one that started after this call pushed and pulled everything before it. */
async function synced(g: Served): Promise<void> {
  const target = (await syncsOf(g)) + 2;
  while ((await syncsOf(g)) < target) await new Promise((r) => setTimeout(r, 5));
}

/**
 * What `from` recorded is in `to`'s view: `from` pushed it, then `to` pulled. The
 * store shares state by background syncs within a stated staleness bound, so
 * the test waits on sync counts (events), never on elapsed time.
 */
async function shared(from: Served, to: Served): Promise<void> {
  await synced(from);
  await synced(to);
}

/** The scenario both stores run: one tenant rpm across both gateways, one breaker opened through one and seen by the other. */
async function sharedLimitsAndBreakers([a, b]: [Served, Served]): Promise<void> {
  // research-lab may make 3 requests a minute, whichever gateway they go through.
  const statuses = [];
  const order = [a, b, a, b, a];
  for (const [i, g] of order.entries()) {
    statuses.push(await ask(g, 'chat', 'research-lab'));
    if (i + 1 < order.length) await shared(g, order[i + 1]!);
  }
  expect(statuses).toEqual([200, 200, 200, 429, 429]);

  // a-flaky's only deployment fails twice through gateway a: its breaker opens (2 requests, 100% > 50%)...
  standIns['vllm-pool-c']!.fault = { status: 500 };
  expect(await ask(a, 'a-flaky', 'support-assistant')).toBe(502);
  expect(await ask(a, 'a-flaky', 'support-assistant')).toBe(502);
  await shared(a, b);
  // ...and gateway b, which never saw a failure, does not call it.
  expect(await ask(b, 'a-flaky', 'support-assistant')).toBe(503);
  expect(standIns['vllm-pool-c']!.requests).toHaveLength(2);
  const metrics = await (await fetch(`${b.url}/metrics`)).text();
  expect(metrics).toContain('switchyard_circuit_breaker_state{deployment="vllm-c-llama-8b"} 1');
  expect(metrics).toContain('switchyard_state_store_up{store="redis"} 1');
  const ready = (await (await fetch(`${b.url}/readyz`)).json()) as { status: string; store: unknown };
  expect(ready).toMatchObject({ status: 'ready', store: { kind: 'redis', up: true } });
}

describe.skipIf(missing !== null)('two gateways, one Redis', () => {
  it('standalone redis-server', async () => {
    const redis = await startRedisServer();
    const gateways: Served[] = [];
    try {
      for (let i = 0; i < 2; i++) gateways.push(await serveProcess(['--plan', planFile, '--redis', redis.url, '--no-request-log'], env()));
      await sharedLimitsAndBreakers(gateways as [Served, Served]);
      for (const g of gateways) expect(await stopServe(g)).toBe(0);
    } finally {
      for (const g of gateways) g.child.kill('SIGKILL');
      await redis.dispose();
    }
  });

  it('three-node Redis Cluster', async () => {
    const cluster = await startRedisCluster();
    const gateways: Served[] = [];
    try {
      // Each gateway is given a different seed node.
      for (const node of cluster.nodes.slice(0, 2))
        gateways.push(await serveProcess(['--plan', planFile, '--redis', `redis://${node.host}:${node.port}`, '--redis-cluster', '--no-request-log'], env()));
      await sharedLimitsAndBreakers(gateways as [Served, Served]);
      for (const g of gateways) expect(await stopServe(g)).toBe(0);
    } finally {
      for (const g of gateways) g.child.kill('SIGKILL');
      await cluster.dispose();
    }
  });
});
