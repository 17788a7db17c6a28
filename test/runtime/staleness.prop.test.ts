/**
 * The staleness bound of the Redis store, as a property over arbitrary plans
 * and schedules: two routers on one real redis-server route, advance time and
 * sync in any order (also routing while a sync is in flight, which exercises
 * the mirror's rebase). Both sides of the bound:
 * - a router decides every limit (tenant rpm/tpm and budget, deployment
 *   rpm/tpm) exactly on its view: all its own usage plus what other routers
 *   had pushed before its last sync; so a limit is overshot by at most the
 *   other router's usage it has not pulled, and never refused on usage it has
 *   not seen;
 * - after both have synced (a settle), both mirrors equal each other and what
 *   Redis holds, and usage and spend equal the exact totals of both routers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { manualClock, seededRandom, type ManualClock } from '../../src/runtime/clock.ts';
import { createRouter, type Router } from '../../src/runtime/router.ts';
import { spendThisMonth } from '../../src/runtime/state.ts';
import { createRedisStore, type RedisStore } from '../../src/runtime/stores/redis.ts';
import { PATIENT_COMMAND_TIMEOUT_MS, redisForSuite, redisServerMissing } from '../fixtures/redis-server.ts';
import { expectNear } from '../fixtures/near.ts';
import { arbitraryPlan, type Call, HEALTHS, type Health, hashWindowSum, scriptedTransport } from './harness.ts';
import { bucketedSum, LIMIT_MS, monthOfUtc } from './model.ts';

const missing = redisServerMissing();

/** One counted event: which router made it, and the sync that pushed it (null until pushed). */
interface Entry {
  router: number;
  t: number;
  n: number;
  pushed: number | null;
}

/** What each router has seen: its own entries, and the others' pushed by a sync before its last one. */
class Views {
  private seq = 0;
  private readonly lastSync = [-1, -1];
  private readonly entries: Entry[] = [];
  readonly tenantRequests = new Map<string, Entry[]>();
  readonly tenantTokens = new Map<string, Entry[]>();
  readonly spend = new Map<string, Entry[]>();
  readonly calls = new Map<string, Entry[]>();
  readonly tokens = new Map<string, Entry[]>();

  add(log: Map<string, Entry[]>, id: string, router: number, t: number, n: number): void {
    const e = { router, t, n, pushed: null };
    this.entries.push(e);
    log.set(id, [...(log.get(id) ?? []), e]);
  }
  /** The cut of router i's sync: everything it recorded so far is pushed by this sync. */
  push(i: number): number {
    const seq = ++this.seq;
    for (const e of this.entries) if (e.router === i && e.pushed === null) e.pushed = seq;
    return seq;
  }
  pulled(i: number, seq: number): void {
    this.lastSync[i] = seq;
  }
  seen(log: Map<string, Entry[]>, id: string, i: number): Entry[] {
    return (log.get(id) ?? []).filter((e) => e.router === i || (e.pushed !== null && e.pushed <= this.lastSync[i]!));
  }
  sumSeen(log: Map<string, Entry[]>, id: string, i: number, now: number): number {
    return bucketedSum(this.seen(log, id, i), LIMIT_MS, now);
  }
  total(log: Map<string, Entry[]>, id: string, now: number): number {
    return bucketedSum(log.get(id) ?? [], LIMIT_MS, now);
  }
}

/** Spend entries in the calendar month of `now`: the budget period. */
const thisMonth = (entries: Entry[], now: number): number => entries.filter((e) => monthOfUtc(e.t) === monthOfUtc(now)).reduce((s, e) => s + e.n, 0);

interface World {
  plan: CompiledPlan;
  routers: Router[];
  stores: RedisStore[];
  clock: ManualClock;
  health: Map<string, Health>;
  log: Call[];
  views: Views;
  hgetall(key: string): Promise<Record<string, string>>;
  prefix: string;
}

const price = (plan: CompiledPlan, id: string) => {
  const d = plan.deployments[id]!;
  return { in: d.pricing.inputPer1M / 1e6, out: d.pricing.outputPer1M / 1e6 };
};

/** One request through router `via`, every limit decision checked against that router's view. */
async function route(w: World, via: number, group: number, tenant: number | null, inTok: number, outTok: number): Promise<void> {
  const { plan, views, clock } = w;
  const groups = Object.keys(plan.groups).sort();
  const tenants = Object.keys(plan.tenants).sort();
  const g = groups[group % groups.length]!;
  const t = tenant === null || tenants.length === 0 ? undefined : tenants[tenant % tenants.length];
  const tokens = inTok + outTok;
  const now = clock.now();
  let tenantOk = true;
  if (t !== undefined) {
    const limits = plan.tenants[t]!;
    if (limits.rpm !== null && views.sumSeen(views.tenantRequests, t, via, now) + 1 > limits.rpm) tenantOk = false;
    if (limits.tpm !== null && views.sumSeen(views.tenantTokens, t, via, now) + tokens > limits.tpm) tenantOk = false;
  }
  const spendSeen = t === undefined ? [] : views.seen(views.spend, t, via);

  w.log.length = 0;
  const res = await w.routers[via]!.route({ group: g, tenant: t, estimatedInputTokens: inTok, maxOutputTokens: outTok });
  const tenantSkips = res.trace.filter((a) => a.reason === 'tenant-rpm' || a.reason === 'tenant-tpm');
  if (!tenantOk) {
    expect(w.log, 'calls made over the tenant limit as this router sees it').toEqual([]);
    expect(tenantSkips.length).toBe(1);
    return;
  }
  expect(tenantSkips, 'refused on usage this router has not seen').toEqual([]);
  if (t !== undefined) {
    views.add(views.tenantRequests, t, via, now, 1);
    views.add(views.tenantTokens, t, via, now, tokens);
  }
  for (const c of w.log) {
    const d = plan.deployments[c.deployment]!;
    if (d.rpm !== null) expect(views.sumSeen(views.calls, d.id, via, c.t) + 1, `calls to ${d.id} beyond its rpm as seen`).toBeLessThanOrEqual(d.rpm);
    if (d.tpm !== null) expect(views.sumSeen(views.tokens, d.id, via, c.t) + c.tokens, `tokens to ${d.id} beyond its tpm as seen`).toBeLessThanOrEqual(d.tpm);
    views.add(views.calls, d.id, via, c.t, 1);
    views.add(views.tokens, d.id, via, c.t, c.tokens);
    if (t === undefined) continue;
    const p = price(plan, d.id);
    const budget = plan.tenants[t]!.monthlyBudgetUsd;
    // In the budget period of the call (a long timeout may carry a request into the next month).
    if (budget !== null)
      expect(thisMonth(spendSeen, c.t) + inTok * p.in + outTok * p.out, `${d.id} called beyond the budget as seen`).toBeLessThanOrEqual(budget + 1e-9);
    if (c.result !== 'throw' && c.result.ok) views.add(views.spend, t, via, c.tEnd, c.result.usage.inputTokens * p.in + c.result.usage.outputTokens * p.out);
  }
}

/** Every value of a router's mirror, as plain data (latency rounded: EWMAs folded in a batch differ in the last bits). */
function mirror(r: Router, now: number): unknown {
  const s = r.store.local();
  return {
    deployments: s.deployments.map((d) => ({
      phase: d.breaker.phase,
      openedAt: d.breaker.openedAt,
      probes: [d.breaker.probes, d.breaker.probeSuccesses],
      breaker: [d.breaker.requests.sum(now), d.breaker.failures.sum(now)],
      usage: [d.rpm.sum(now), d.tpm.sum(now)],
      latency: Number.isNaN(d.latencyMs) ? null : d.latencyMs.toPrecision(9),
    })),
    tenants: s.tenants.map((t) => ({ usage: [t.rpm.sum(now), t.tpm.sum(now)], spend: spendThisMonth(t, now).toPrecision(12) })),
  };
}

/**
 * Router i syncs; with `during`, requests are routed while the sync is in
 * flight (they are not part of its push, and the mirror is rebased on them).
 * Then the rebase is checked against the script: a second sync, which pushes
 * exactly those requests and pulls nothing else, leaves the mirror as it was.
 */
async function sync(w: World, i: number, during: Array<() => Promise<void>> = []): Promise<void> {
  const seq = w.views.push(i);
  const inFlight = w.stores[i]!.sync();
  for (const r of during) await r();
  await inFlight;
  w.views.pulled(i, seq);
  if (during.length === 0) return;
  const rebased = mirror(w.routers[i]!, w.clock.now());
  const again = w.views.push(i);
  await w.stores[i]!.sync();
  w.views.pulled(i, again);
  expect(mirror(w.routers[i]!, w.clock.now()), 'mirror rebased on requests routed during a sync = the state the script made of them').toEqual(rebased);
}

/** After a settle both mirrors equal Redis and each other, and usage and spend are the exact totals. */
async function expectConverged(w: World): Promise<void> {
  for (const i of [0, 1, 0]) await sync(w, i);
  const now = w.clock.now();
  const { views } = w;
  for (const id of Object.keys(w.plan.deployments)) {
    const h = await w.hgetall(`${w.prefix}{router}:d:${id}`);
    const states = w.routers.map((r) => r.store.local().deployments[r.tables.deploymentById.get(id)!.index]!);
    for (const s of states) {
      const b = s.breaker;
      expect({ phase: b.phase, openedAt: b.openedAt, probes: b.probes, successes: b.probeSuccesses }, `breaker of ${id}`).toEqual({
        phase: Number(h.s ?? 0),
        openedAt: Number(h.o ?? 0),
        probes: Number(h.p ?? 0),
        successes: Number(h.k ?? 0),
      });
      const width = b.requests.width * 20;
      expect(b.requests.sum(now), `breaker window of ${id}`).toBe(hashWindowSum(h, 'q', width, now));
      expect(b.failures.sum(now)).toBe(hashWindowSum(h, 'f', width, now));
      if (h.l === undefined) expect(s.latencyMs).toBeNaN();
      else expectNear(s.latencyMs ?? Number.NaN, Number(h.l), `latency of ${id}`);
      expect(s.rpm.sum(now), `requests of ${id}`).toBe(views.total(views.calls, id, now));
      expect(s.tpm.sum(now), `tokens of ${id}`).toBe(views.total(views.tokens, id, now));
    }
    expect(hashWindowSum(h, 'r', LIMIT_MS, now)).toBe(views.total(views.calls, id, now));
  }
  for (const id of Object.keys(w.plan.tenants)) {
    const h = await w.hgetall(`${w.prefix}{router}:t:${id}`);
    const spend = thisMonth(views.spend.get(id) ?? [], now);
    expectNear(Number(h.m) === monthOfUtc(now) ? Number(h.u) : 0, spend, `spend of ${id} in Redis`);
    expect(hashWindowSum(h, 'r', LIMIT_MS, now)).toBe(views.total(views.tenantRequests, id, now));
    for (const r of w.routers) {
      const s = r.store.local().tenants[r.tables.tenantById.get(id)!.index]!;
      expectNear(spendThisMonth(s, now), spend, `spend of ${id}`);
      expect(s.rpm.sum(now)).toBe(views.total(views.tenantRequests, id, now));
      expect(s.tpm.sum(now)).toBe(views.total(views.tenantTokens, id, now));
    }
  }
}

type Step =
  | { kind: 'route'; via: number; group: number; tenant: number | null; inTok: number; outTok: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'health'; deployment: number; health: Health }
  | { kind: 'sync'; via: number; during: Array<Step & { kind: 'route' }> }
  | { kind: 'settle' };

const routeStep = fc
  .tuple(fc.nat(1), fc.nat(), fc.option(fc.nat(), { nil: null, freq: 4 }), fc.constantFrom(100, 2_000, 9_000, 20_000, 190_000), fc.constantFrom(0, 500, 4_000))
  .map(([via, group, tenant, inTok, outTok]): Step & { kind: 'route' } => ({ kind: 'route', via, group, tenant, inTok, outTok }));
const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: routeStep, weight: 6 },
  { arbitrary: fc.constantFrom(50, 1_000, 5_000, 20_000, 64_000).map((ms): Step => ({ kind: 'advance', ms })), weight: 1 },
  { arbitrary: fc.tuple(fc.nat(3), fc.constantFrom(...HEALTHS)).map(([deployment, health]): Step => ({ kind: 'health', deployment, health })), weight: 1 },
  { arbitrary: fc.tuple(fc.nat(1), fc.array(routeStep, { maxLength: 3 })).map(([via, during]): Step => ({ kind: 'sync', via, during })), weight: 3 },
  { arbitrary: fc.constant<Step>({ kind: 'settle' }), weight: 1 },
);

async function run(w: World, s: Step): Promise<void> {
  if (s.kind === 'route') await route(w, s.via, s.group, s.tenant, s.inTok, s.outTok);
  else if (s.kind === 'advance') w.clock.advance(s.ms);
  else if (s.kind === 'health') w.health.set(Object.keys(w.plan.deployments).sort()[s.deployment % Object.keys(w.plan.deployments).length]!, s.health);
  else if (s.kind === 'sync')
    await sync(
      w,
      s.via,
      s.during.map((r) => () => route(w, r.via, r.group, r.tenant, r.inTok, r.outTok)),
    );
  else await expectConverged(w);
}

describe.skipIf(missing !== null)('Redis store staleness bound (two routers, arbitrary sync schedules)', () => {
  const redis = redisForSuite();
  let n = 0;

  it('decides on exactly its view (own usage + what it pulled), and converges once both have synced', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryPlan, fc.array(step, { minLength: 10, maxLength: 40, size: 'max' }), fc.nat(), async (plan, steps, seed) => {
        const prefix = `stale${n++}:`;
        const stores = [0, 1].map(() =>
          createRedisStore({ url: redis.server.url, keyPrefix: prefix, syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }),
        );
        const resolved = await Promise.all(stores);
        const clock = manualClock();
        const health = new Map<string, Health>();
        const log: Call[] = [];
        const transport = scriptedTransport(clock, health, log);
        const routers = resolved.map((store, i) => createRouter(plan, { store, clock, random: seededRandom(seed + i), transport }));
        const w: World = { plan, routers, stores: resolved, clock, health, log, views: new Views(), hgetall: (k) => redis.inspector.hgetall(k), prefix };
        try {
          for (const s of steps) await run(w, s);
          await expectConverged(w);
        } finally {
          await Promise.all(routers.map((r) => r.close()));
        }
      }),
      { numRuns: 30 },
    );
  });
});
