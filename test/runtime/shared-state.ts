/**
 * The scenario both Redis store tests (standalone and Cluster) run: two
 * routers on one Redis see each other's breakers and tenant usage.
 */
import { expect } from 'vitest';
import { manualClock, seededRandom } from '../../src/runtime/clock.ts';
import { dryRunTransport } from '../../src/runtime/dry-run.ts';
import { createRouter, type Router } from '../../src/runtime/router.ts';
import type { RouterStore } from '../../src/runtime/stores/store.ts';
import { deployment, group, plan } from './plans.ts';

/** main = [a, b] ordered, falling back to backup = [c]; tenant acme may use both. */
export const SHARED_PLAN = plan(
  [deployment('a', { rpm: 1_000 }), deployment('b'), deployment('c')],
  [group('main', ['a', 'b'], { fallbacks: ['backup'], strategy: 'ordered' }), group('backup', ['c'])],
  { acme: { id: 'acme', description: null, apiKeys: [], allowedGroups: ['main', 'backup'], rpm: 100, tpm: null, monthlyBudgetUsd: 50 } },
);
export const SHARED_REQUEST = { group: 'main', tenant: 'acme', estimatedInputTokens: 1_000, maxOutputTokens: 200 };

/**
 * Deployment a fails on the first router until its breaker opens; the second
 * router, which never called a, must skip it. Resolves to the two routers
 * (still open) so the caller can inspect its store.
 */
export async function expectSharedBreaker(stores: [RouterStore, RouterStore]): Promise<[Router, Router]> {
  const clock = manualClock();
  const [r1, r2] = stores.map((store, i) => createRouter(SHARED_PLAN, { store, clock, random: seededRandom(i), transport: dryRunTransport(['a']) })) as [
    Router,
    Router,
  ];
  const first = await r1.route(SHARED_REQUEST);
  expect(first.deployment).toBe('b');
  expect(r1.inspect('a').breaker).toBe('open');
  const second = await r2.route(SHARED_REQUEST);
  expect(second.trace[0]).toMatchObject({ deployment: 'a', outcome: 'skipped', reason: 'circuit-open' });
  expect(r2.inspect('a').breaker).toBe('open');
  return [r1, r2];
}

/** Requests counted in a tenant's usage hash (fields `r<bucket>`). */
export const requestsIn = (buckets: Record<string, string>): number =>
  Object.entries(buckets)
    .filter(([k]) => k.startsWith('r'))
    .reduce((s, [, v]) => s + Number(v), 0);
