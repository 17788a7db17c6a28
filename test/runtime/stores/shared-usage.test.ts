/**
 * The canary's store: a canary router and a stable router count into one set
 * of usage (tenant rpm/tpm/spend, deployment rpm/tpm) and each keeps its own
 * breakers and latency; ids the stable plan lacks keep usage of their own; a
 * reload of the stable plan under a running canary keeps the sharing; over a
 * real Redis the canary's usage is pushed like the stable router's own, and
 * what other routers pushed reaches the canary's view.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledPlan } from '../../../src/plan/types.ts';
import { manualClock, seededRandom, type ManualClock } from '../../../src/runtime/clock.ts';
import { dryRunTransport } from '../../../src/runtime/dry-run.ts';
import { createRouter, type Router } from '../../../src/runtime/router.ts';
import { carryState } from '../../../src/runtime/state.ts';
import { memoryStore } from '../../../src/runtime/stores/memory.ts';
import { createRedisStore } from '../../../src/runtime/stores/redis.ts';
import { sharedUsageStore } from '../../../src/runtime/stores/shared-usage.ts';
import type { RouterStore } from '../../../src/runtime/stores/store.ts';
import { PATIENT_COMMAND_TIMEOUT_MS, redisServerMissing, redisForSuite } from '../../fixtures/redis-server.ts';
import { deployment, group, plan } from '../plans.ts';
import { requestsIn } from '../shared-state.ts';

const tenant = (id: string, rpm: number | null, tpm: number | null = null, monthlyBudgetUsd: number | null = null) => ({
  id,
  description: null,
  apiKeys: [],
  allowedGroups: ['main'],
  rpm,
  tpm,
  monthlyBudgetUsd,
});

/** Stable: main = [a (6 rpm), b] in order; acme may send 10 requests and 10,000 tokens a minute. */
const STABLE = plan([deployment('a', { rpm: 6 }), deployment('b')], [group('main', ['a', 'b'], { strategy: 'ordered' })], {
  acme: tenant('acme', 10, 10_000, 1),
});
/** Canary: main = [a, c] (c is the canary's only), the same acme, and beta, a tenant only the canary has. */
const CANARY = plan([deployment('a', { rpm: 6 }), deployment('c')], [group('main', ['a', 'c'], { strategy: 'ordered' })], {
  acme: tenant('acme', 10, 10_000, 1),
  beta: tenant('beta', 2),
});
const REQUEST = { group: 'main', tenant: 'acme', estimatedInputTokens: 400, maxOutputTokens: 100 };
/** One REQUEST at $1/M input and $2/M output tokens. */
const USD = 400 / 1e6 + 100 * (2 / 1e6);

function router(p: CompiledPlan, store: RouterStore, clock: ManualClock, down: string[] = [], latencyMs = 0): Router {
  return createRouter(p, { store, clock, random: seededRandom(1), transport: dryRunTransport(down, latencyMs) });
}

/** A stable router over `store` and a canary router sharing its usage. */
function pair(stableStore: RouterStore, clock: ManualClock, o: { stableDown?: string[]; canaryDown?: string[] } = {}) {
  const stable = router(STABLE, stableStore, clock, o.stableDown, 5);
  let current: RouterStore = stableStore;
  const canaryStore = sharedUsageStore(() => current);
  const canary = router(CANARY, canaryStore, clock, o.canaryDown, 50);
  return { stable, canary, canaryStore, follow: (s: RouterStore) => void (current = s) };
}

const acmeOf = (r: Router) => r.store.local().tenants[r.tables.tenantById.get('acme')!.index]!;

describe('shared-usage store over the memory store', () => {
  it('counts both arms against one tenant rpm: exactly the limit passes, whichever plan routes', async () => {
    const clock = manualClock();
    const { stable, canary } = pair(memoryStore(), clock);
    const ok = { stable: 0, canary: 0 };
    for (let i = 0; i < 30; i++) {
      clock.advance(10);
      const arm = i % 3 === 0 ? 'canary' : 'stable';
      const r = await (arm === 'canary' ? canary : stable).route(REQUEST);
      if (r.ok) ok[arm]++;
      else expect(r.trace).toEqual([expect.objectContaining({ deployment: null, reason: 'tenant-rpm' })]);
    }
    expect(ok.stable + ok.canary).toBe(10);
    expect(ok.canary).toBe(4);
    // One state object: both routers read the same window, spend and tokens.
    expect(acmeOf(canary)).toBe(acmeOf(stable));
    expect(acmeOf(stable).rpm.sum(clock.now())).toBe(10);
    expect(acmeOf(stable).tpm.sum(clock.now())).toBe(10 * 500);
    expect(acmeOf(stable).spendUsd).toBeCloseTo(10 * USD, 15);
  });

  it('counts both arms against one deployment rpm; a deployment only the canary has counts on its own', async () => {
    const clock = manualClock();
    const { stable, canary } = pair(memoryStore(), clock);
    const served: string[] = [];
    for (let i = 0; i < 8; i++) served.push((await (i % 2 === 0 ? canary : stable).route(REQUEST)).deployment!);
    // a takes 6 calls a minute in all: 3 from each arm; then the stable plan goes on to b and the canary to c.
    expect(served).toEqual(['a', 'a', 'a', 'a', 'a', 'a', 'c', 'b']);
    expect(stable.inspect('a').rpmUsed).toBe(6);
    expect(canary.inspect('a').rpmUsed).toBe(6);
    expect(canary.inspect('a').tpmUsed).toBe(6 * 500);
    expect(canary.inspect('c').rpmUsed).toBe(1);
    const again = await canary.route(REQUEST);
    expect(again.trace[0]).toMatchObject({ deployment: 'a', outcome: 'skipped', reason: 'deployment-rpm' });
    expect(stable.inspect('b').rpmUsed).toBe(1);
  });

  it('a tenant only the canary has is limited on its own state', async () => {
    const clock = manualClock();
    const { stable, canary } = pair(memoryStore(), clock);
    const beta = { ...REQUEST, tenant: 'beta' };
    const oks = [];
    for (let i = 0; i < 3; i++) oks.push((await canary.route(beta)).ok);
    expect(oks).toEqual([true, true, false]);
    expect((await stable.route(beta)).trace[0]).toMatchObject({ reason: 'unknown-tenant' });
    expect(acmeOf(stable).rpm.sum(clock.now())).toBe(0);
  });

  it("keeps breakers and latency apart: the canary's failures open only its breaker, and the stable plan's only the stable's", async () => {
    const clock = manualClock();
    const canaryDown = pair(memoryStore(), clock, { canaryDown: ['a'] });
    const r = await canaryDown.canary.route(REQUEST);
    expect(r.deployment).toBe('c');
    expect(canaryDown.canary.inspect('a').breaker).toBe('open');
    expect(canaryDown.stable.inspect('a').breaker).toBe('closed');
    expect((await canaryDown.stable.route(REQUEST)).deployment).toBe('a');
    // Each router's own latency average: 5 ms stable, 50 ms canary (on c).
    expect(canaryDown.stable.inspect('a').latencyMs).toBe(5);
    expect(canaryDown.canary.inspect('c').latencyMs).toBe(50);
    // The canary's two failed calls to a (the second opened its breaker) count against a's rate with the stable call.
    expect(canaryDown.stable.inspect('a').rpmUsed).toBe(3);

    const stableDown = pair(memoryStore(), clock, { stableDown: ['a'] });
    expect((await stableDown.stable.route(REQUEST)).deployment).toBe('b');
    expect(stableDown.stable.inspect('a').breaker).toBe('open');
    expect(stableDown.canary.inspect('a').breaker).toBe('closed');
    expect((await stableDown.canary.route(REQUEST)).deployment).toBe('a');
  });

  it('follows a reload of the stable plan: carried state stays shared, and a deployment the new stable plan adds becomes shared', async () => {
    const clock = manualClock();
    const oldStore = memoryStore();
    const { stable, canary, follow } = pair(oldStore, clock);
    for (let i = 0; i < 2; i++) await canary.route(REQUEST);
    for (let i = 0; i < 2; i++) await stable.route(REQUEST);
    // The canary's c before the reload: its own.
    const cOwn = canary.store.local().deployments[canary.tables.deploymentById.get('c')!.index]!.rpm;

    const next = plan([deployment('a', { rpm: 6 }), deployment('b'), deployment('c')], [group('main', ['a', 'b', 'c'], { strategy: 'ordered' })], {
      acme: tenant('acme', 10, 10_000, 1),
    });
    const newStore = memoryStore();
    const reloaded = router(next, newStore, clock);
    expect(carryState(newStore.local(), oldStore.local())).toEqual({ deployments: 2, tenants: 1 });
    follow(newStore);
    expect(acmeOf(canary)).toBe(acmeOf(reloaded));
    for (let i = 0; i < 3; i++) await canary.route(REQUEST);
    expect(acmeOf(reloaded).rpm.sum(clock.now())).toBe(7);
    expect(reloaded.inspect('a').rpmUsed).toBe(6);
    // c is the stable plan's now: the canary's next call to it counts in the new stable state, not in its own.
    expect(canary.store.local().deployments[canary.tables.deploymentById.get('c')!.index]!.rpm).not.toBe(cOwn);
    expect(reloaded.inspect('c').rpmUsed).toBe(1);
    expect(canary.inspect('c').rpmUsed).toBe(1);
    expect(cOwn.sum(clock.now())).toBe(0);
    // A request still running on the old stable router counts into what both read.
    await stable.route(REQUEST);
    expect(acmeOf(canary).rpm.sum(clock.now())).toBe(8);
  });
});

const missing = redisServerMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)('shared-usage store over the Redis store', () => {
  const redis = redisForSuite();
  const open = () => createRedisStore({ url: redis.server.url, keyPrefix: 'canary:', syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS });

  it("pushes the canary's usage to Redis with the stable router's, keeps its breakers out, and sees the other routers' usage", async () => {
    const clock = manualClock();
    const store = await open();
    const { stable, canary } = pair(store, clock, { canaryDown: ['c'] });
    for (let i = 0; i < 5; i++) expect((await canary.route(REQUEST)).deployment).toBe('a');
    expect((await stable.route(REQUEST)).deployment).toBe('a');
    // a is at its 6 rpm across both arms: the canary goes on to c, which fails until its breaker opens (a canary-only deployment).
    for (let i = 0; i < 3; i++) expect((await canary.route(REQUEST)).ok).toBe(false);
    expect(canary.inspect('c').breaker).toBe('open');
    expect(await redis.inspector.exists('canary:{router}:t:acme')).toBe(0);

    await store.sync();
    const acme = await redis.inspector.hgetall('canary:{router}:t:acme');
    expect(requestsIn(acme)).toBe(9);
    // Six requests were served (five canary, one stable); the three that reached c spent nothing.
    expect(Number(acme.u)).toBeCloseTo(6 * USD, 15);
    const a = await redis.inspector.hgetall('canary:{router}:d:a');
    expect(requestsIn(a)).toBe(6);
    expect(a.s ?? '0').toBe('0');
    // The canary's breakers are its own: nothing of c reached Redis.
    expect(await redis.inspector.exists('canary:{router}:d:c')).toBe(0);

    // Another gateway's router on the same Redis sees both arms' usage of a, and its own request reaches the canary's view.
    const otherStore = await open();
    const other = router(STABLE, otherStore, clock);
    await otherStore.sync();
    expect((await other.route(REQUEST)).trace[0]).toMatchObject({ deployment: 'a', reason: 'deployment-rpm' });
    await otherStore.sync();
    await store.sync();
    expect(acmeOf(canary)).toBe(acmeOf(stable));
    expect(acmeOf(canary).rpm.sum(clock.now())).toBe(10);
    expect((await canary.route(REQUEST)).trace).toEqual([expect.objectContaining({ deployment: null, reason: 'tenant-rpm' })]);
    await store.sync();
    expect(requestsIn(await redis.inspector.hgetall('canary:{router}:t:acme'))).toBe(10);
    await Promise.all([stable.close(), canary.close(), other.close()]);
  });
});
