/**
 * The scenarios both Redis store tests (standalone and Cluster) run: two
 * routers on one Redis, syncing when the test says (syncIntervalMs: 0), so
 * that the staleness bound can be checked on both sides exactly: before a
 * router has pulled another's change it may act on the stale view (by at most
 * what that view allows), and once both have synced their views are equal to
 * each other and to what Redis holds.
 */
import { expect } from 'vitest';
import { manualClock, seededRandom, type ManualClock } from '../../src/runtime/clock.ts';
import { dryRunTransport } from '../../src/runtime/dry-run.ts';
import { createRouter, type Router } from '../../src/runtime/router.ts';
import type { RouterStore } from '../../src/runtime/stores/store.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { deployment, group, plan } from './plans.ts';

/** main = [a, b] ordered, falling back to backup = [c]; tenant acme may use both. */
export const SHARED_PLAN = plan(
  [deployment('a', { rpm: 1_000 }), deployment('b'), deployment('c')],
  [group('main', ['a', 'b'], { fallbacks: ['backup'], strategy: 'ordered' }), group('backup', ['c'])],
  { acme: { id: 'acme', description: null, apiKeys: [], allowedGroups: ['main', 'backup'], rpm: 100, tpm: null, monthlyBudgetUsd: 50 } },
);
export const SHARED_REQUEST = { group: 'main', tenant: 'acme', estimatedInputTokens: 1_000, maxOutputTokens: 200 };
/** What one SHARED_REQUEST costs at $1/M input and $2/M output tokens, as the router computes it. */
export const REQUEST_USD = 1_000 * (1 / 1e6) + 200 * (2 / 1e6);

/** Requests counted in a usage hash (fields `r<bucket>`). */
export const requestsIn = (h: Record<string, string>): number =>
  Object.entries(h)
    .filter(([k]) => /^r\d+$/.test(k))
    .reduce((s, [, v]) => s + Number(v), 0);

export interface SharedSetup {
  stores: [RouterStore, RouterStore];
  prefix: string;
  hgetall(key: string): Promise<Record<string, string>>;
}

function routers(p: CompiledPlan, stores: [RouterStore, RouterStore], clock: ManualClock, down: string[]): [Router, Router] {
  return stores.map((store, i) => createRouter(p, { store, clock, random: seededRandom(i), transport: dryRunTransport(down) })) as [Router, Router];
}

/**
 * Deployment a fails on the first router until its breaker opens. The second
 * router, before it has pulled that, still calls a (stale); after the first
 * pushed and the second pulled, it skips a, both mirrors and Redis agree on
 * the breaker, and the tenant's usage and spend in Redis are the sum of both.
 */
export async function expectSharedBreaker({ stores, prefix, hgetall }: SharedSetup): Promise<[Router, Router]> {
  const clock = manualClock();
  const [r1, r2] = routers(SHARED_PLAN, stores, clock, ['a']);
  const first = await r1.route(SHARED_REQUEST);
  expect(first.deployment).toBe('b');
  expect(r1.inspect('a').breaker).toBe('open');
  const openedAt = r1.inspect('a').openedAt;

  clock.advance(10);
  const stale = await r2.route(SHARED_REQUEST);
  expect(stale.trace.slice(0, 2).map((t) => `${t.deployment}:${t.outcome}`)).toEqual(['a:error', 'a:error']);
  expect(stale.deployment).toBe('b');

  await stores[0].sync();
  await stores[1].sync();
  await stores[0].sync();
  clock.advance(10);
  const second = await r2.route(SHARED_REQUEST);
  expect(second.trace[0]).toMatchObject({ deployment: 'a', outcome: 'skipped', reason: 'circuit-open' });
  for (const r of [r1, r2]) expect(r.inspect('a')).toMatchObject({ breaker: 'open', openedAt });
  const a = await hgetall(`${prefix}{router}:d:a`);
  expect({ s: a.s, o: Number(a.o) }).toEqual({ s: '1', o: openedAt });
  // The first router's breaker opened first; the second's failures arrived at an open breaker and changed nothing.
  expect(r2.inspect('a').rpmUsed).toBe(4);

  await stores[1].sync();
  const acme = await hgetall(`${prefix}{router}:t:acme`);
  expect(requestsIn(acme)).toBe(3);
  expect(Number(acme.u)).toBeCloseTo(3 * REQUEST_USD, 15);
  // Two syncs each, and not one round trip for the requests themselves.
  for (const r of [r1, r2]) expect(r.metrics().storeRoundTrips).toBe(2);
  return [r1, r2];
}

/** acme may send 5 requests a minute. */
const LIMIT_PLAN = plan([deployment('a')], [group('g', ['a'])], {
  acme: { id: 'acme', description: null, apiKeys: [], allowedGroups: ['g'], rpm: 5, tpm: null, monthlyBudgetUsd: null },
});
const LIMIT_REQUEST = { group: 'g', tenant: 'acme', estimatedInputTokens: 10 };

async function admitted(r: Router, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) if ((await r.route(LIMIT_REQUEST)).ok) ok++;
  return ok;
}

/**
 * Both sides of the staleness bound on a tenant's rpm. A router decides on
 * its own usage plus what it has pulled: it admits exactly up to the limit on
 * that view (never more), so the overshoot is exactly the other router's
 * admissions it has not pulled yet; once both have synced, neither admits.
 */
export async function expectBoundedStaleness({ stores, prefix, hgetall }: SharedSetup): Promise<void> {
  const clock = manualClock();
  const [r1, r2] = routers(LIMIT_PLAN, stores, clock, []);
  expect(await admitted(r1, 3)).toBe(3);
  await stores[0].sync(); // push
  await stores[1].sync(); // pull: r2 sees 3 of 5
  expect(await admitted(r2, 4)).toBe(2);
  expect(r2.inspect('a').rpmUsed).toBe(5);
  // r1 has not pulled r2's 2: its view is its own 3, so it admits 2 more: the overshoot is exactly r2's unseen 2.
  expect(await admitted(r1, 4)).toBe(2);
  expect(requestsIn(await hgetall(`${prefix}{router}:t:acme`))).toBe(3);

  for (const s of [stores[0], stores[1], stores[0]]) await s.sync();
  expect(requestsIn(await hgetall(`${prefix}{router}:t:acme`))).toBe(7);
  for (const r of [r1, r2]) {
    expect(r.inspect('a').rpmUsed).toBe(7);
    expect(await admitted(r, 1)).toBe(0);
  }
  // The window moves on for both (a minute and one 3 s bucket: windows are conservative by a bucket), counted once in Redis.
  clock.advance(64_000);
  expect(await admitted(r2, 1)).toBe(1);
  await stores[1].sync();
  await stores[0].sync();
  expect(requestsIn(await hgetall(`${prefix}{router}:t:acme`))).toBe(1);
  expect(r1.inspect('a').rpmUsed).toBe(1);
}
