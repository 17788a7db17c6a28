/**
 * Tenant budgets as a property, on fallbacks as on primaries: over plans
 * whose fallback groups are dearer or cheaper than their primaries and
 * tenants whose monthly budgets bind within a few requests, every call the
 * router makes for a tenant fits what is left of the tenant's budget this
 * month (at the call's worst case: the request's input tokens and all its
 * max output tokens at that deployment's prices), a deployment is skipped
 * for the budget only when it would not fit, and the spend the store keeps
 * (read through the store's local state, as any store exposes it) is what
 * the answered calls cost. Months roll over: the clock sometimes jumps a
 * month, and the budget is per calendar month (UTC).
 *
 * The Redis part at the end is kept apart on purpose: the same property
 * over the Redis store, syncing after every request and comparing the
 * spend value Redis holds for each tenant (field u of
 * <prefix>{router}:t:<tenant>, for the month in field m) with the model's;
 * then another router over the same keys reads the spends back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STRATEGIES } from '../../src/model/closed-sets.ts';
import type { CompiledPlan, PlanDeployment } from '../../src/plan/types.ts';
import { manualClock, seededRandom } from '../../src/runtime/clock.ts';
import { createRouter } from '../../src/runtime/router.ts';
import { spendThisMonth } from '../../src/runtime/state.ts';
import { memoryStore } from '../../src/runtime/stores/memory.ts';
import { createRedisStore } from '../../src/runtime/stores/redis.ts';
import type { RouterStore } from '../../src/runtime/stores/store.ts';
import type { RouteRequest, Step, Transport, TransportResult } from '../../src/runtime/types.ts';
import { PATIENT_COMMAND_TIMEOUT_MS, redisForSuite, redisServerMissing } from '../fixtures/redis-server.ts';
import { expectNear } from '../fixtures/near.ts';
import { deployment, group, plan } from './plans.ts';

/** Float slack for comparing sums of per-token prices (USD). */
const EPS = 1e-12;
const DAY_MS = 86_400_000;

// --- plans ------------------------------------------------------------------

const price = fc.constantFrom(0.1, 0.5, 2.5, 10, 30, 75);
const arbDeployment = (windows: number[]) => fc.record({ inputPer1M: price, outputPer1M: price, contextWindow: fc.constantFrom(...windows) });
const arbGroup = (windows: number[]) =>
  fc.record({ deployments: fc.array(arbDeployment(windows), { minLength: 1, maxLength: 3 }), strategy: fc.constantFrom(...STRATEGIES) });

/**
 * Groups g0..gn: g0 falls back along the rest (its first fallback possibly a
 * context-window fallback instead); each group's deployments priced
 * independently, so a fallback is sometimes dearer, sometimes cheaper.
 * Tenants have budgets of a few requests and no rate limits, so the budget
 * is what binds; they may use every group or only some.
 */
const budgetPlan: fc.Arbitrary<CompiledPlan> = fc
  .record({
    // The primary's context is often short, so long requests take its context-window fallback.
    groups: fc
      .tuple(arbGroup([16_000, 16_000, 32_000, 128_000]), fc.array(arbGroup([16_000, 128_000, 200_000]), { minLength: 1, maxLength: 3 }))
      .map(([first, rest]) => [first, ...rest]),
    contextFallback: fc.constantFrom(true, true, false),
    tenants: fc.array(
      fc.record({
        budget: fc.option(fc.constantFrom(0.0005, 0.002, 0.01, 0.05, 0.2, 1, 5), { nil: null, freq: 6 }),
        groups: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map((p) => {
    const ds: PlanDeployment[] = [];
    const names = p.groups.map((_, i) => `g${i}`);
    const groups = p.groups.map((g, i) => {
      const ids = g.deployments.map((d, j) => {
        const dep = deployment(`g${i}d${j}`, { pricing: { inputPer1M: d.inputPer1M, outputPer1M: d.outputPer1M }, contextWindow: d.contextWindow });
        ds.push(dep);
        return dep.id;
      });
      return group(names[i]!, ids, {
        strategy: g.strategy,
        retries: { count: 1, backoff: { initialMs: 10, maxMs: 50, multiplier: 2 }, retryOn: [429, 500, 502, 503, 504] },
      });
    });
    const rest = names.slice(1);
    groups[0]!.fallbacks = p.contextFallback ? rest.slice(1) : rest;
    groups[0]!.contextWindowFallbacks = p.contextFallback ? rest.slice(0, 1) : [];
    const tenants = Object.fromEntries(
      p.tenants.map((t, i) => {
        const allowed = names.filter((_, k) => k === 0 || t.groups[k]!);
        return [`t${i}`, { id: `t${i}`, description: null, apiKeys: [], allowedGroups: allowed, rpm: null, tpm: null, monthlyBudgetUsd: t.budget }];
      }),
    );
    return plan(ds, groups, tenants);
  });

// --- the model: spend per tenant per calendar month, and calls in flight ----------

const monthOf = (t: number) => {
  const d = new Date(t);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

class Spend {
  private readonly byMonth = new Map<string, number>();
  get(tenant: string, t: number): number {
    return this.byMonth.get(`${tenant}@${monthOf(t)}`) ?? 0;
  }
  add(tenant: string, t: number, usd: number): void {
    this.byMonth.set(`${tenant}@${monthOf(t)}`, this.get(tenant, t) + usd);
  }
}

const cost = (d: PlanDeployment, inTok: number, outTok: number) => inTok * (d.pricing.inputPer1M / 1e6) + outTok * (d.pricing.outputPer1M / 1e6);

/** The step a call to this deployment is, for a request to this group (each deployment serves one group here). */
function stepOf(p: CompiledPlan, requested: string, deploymentId: string): Step {
  const served = Object.values(p.groups).find((g) => g.deployments.includes(deploymentId))!.name;
  if (served === requested) return 'primary';
  return p.groups[requested]!.contextWindowFallbacks.includes(served) ? 'context-window-fallback' : 'fallback';
}

// --- commands -------------------------------------------------------------------

type Health = 'ok' | '503' | 'connection' | '400';

type Action =
  | { kind: 'route'; group: number; tenant: number; inTok: number; outTok: number; copies: number }
  | { kind: 'health'; deployment: number; health: Health }
  | { kind: 'advance'; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('route' as const),
      group: fc.oneof(fc.constant(0), fc.nat(3)),
      tenant: fc.nat(2),
      inTok: fc.constantFrom(50, 500, 4_000, 20_000, 40_000, 150_000),
      outTok: fc.constantFrom(0, 200, 2_000, 8_000),
      // Copies of the request sent at once: their calls are in flight together.
      copies: fc.constantFrom(1, 1, 1, 2, 3),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('health' as const),
      deployment: fc.nat(11),
      health: fc.constantFrom<Health>('ok', 'ok', '503', 'connection', '400'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(1_000, 61_000, DAY_MS, 31 * DAY_MS) }) },
);

/** What a run exercised, summed over all runs: the property must have been tested where it matters. */
interface Coverage {
  calls: Record<Step, number>;
  budgetSkips: Record<Step, number>;
  /** Calls that could take more than half of what was left of the budget. */
  tightCalls: Record<Step, number>;
  /** Calls that started while another call of the same tenant was in flight. */
  overlapping: number;
  monthRollovers: number;
}

const emptyCoverage = (): Coverage => ({
  calls: { primary: 0, fallback: 0, 'context-window-fallback': 0 },
  budgetSkips: { primary: 0, fallback: 0, 'context-window-fallback': 0 },
  tightCalls: { primary: 0, fallback: 0, 'context-window-fallback': 0 },
  overlapping: 0,
  monthRollovers: 0,
});

/**
 * Runs the actions against one router over `store` and holds every call to
 * the budget, as the transport sees it start: the call's worst case must fit
 * the budget less this month's spend and the worst case of the tenant's
 * calls still in flight. An answer uses the request's input tokens and part
 * of its max output tokens (a provider never bills more than the request
 * allows). Returns the model's spend, for a store-specific check after.
 */
async function runBudget(
  p: CompiledPlan,
  store: RouterStore,
  actions: Action[],
  seed: number,
  cov: Coverage,
  afterRequest?: (spend: Spend, now: number) => Promise<void>,
): Promise<{ spend: Spend; now: number }> {
  const clock = manualClock();
  const health = new Map<string, Health>();
  const spend = new Spend();
  const inFlight = new Map<string, { usd: number; n: number }>();
  const violations: string[] = [];
  const log: string[] = [];
  const share = seededRandom(seed + 1);
  let overlap = false;

  const transport: Transport = {
    async call(d: PlanDeployment, req: RouteRequest): Promise<TransportResult> {
      const tenant = req.tenant!;
      const budget = p.tenants[tenant]!.monthlyBudgetUsd;
      const worst = cost(d, req.estimatedInputTokens, req.maxOutputTokens ?? 0);
      const mine = inFlight.get(tenant) ?? { usd: 0, n: 0 };
      const left = budget === null ? Infinity : budget - spend.get(tenant, clock.now()) - mine.usd;
      const step = stepOf(p, req.group, d.id);
      cov.calls[step]++;
      if (mine.n > 0) cov.overlapping++;
      if (budget !== null && worst > left / 2) cov.tightCalls[step]++;
      // The property: this call, at its worst case, fits what is left of the tenant's budget this month.
      if (worst > left + EPS)
        violations.push(`${step} call to ${d.id} for ${tenant} may cost ${worst} USD with ${left} USD of ${budget} left (${mine.n} in flight)`);
      inFlight.set(tenant, { usd: mine.usd + worst, n: mine.n + 1 });
      log.push(d.id);
      // Overlapping copies: every copy reaches its call before any answers.
      if (overlap) await new Promise((resolve) => setImmediate(resolve));
      clock.advance(7);
      const now = inFlight.get(tenant)!;
      inFlight.set(tenant, { usd: now.n === 1 ? 0 : now.usd - worst, n: now.n - 1 });
      const h = health.get(d.id) ?? 'ok';
      if (h === 'connection') return { ok: false, kind: 'connection', latencyMs: 7 };
      if (h !== 'ok') return { ok: false, kind: 'http', status: Number(h), latencyMs: 7 };
      const usage = { inputTokens: req.estimatedInputTokens, outputTokens: Math.floor((req.maxOutputTokens ?? 0) * share()) };
      spend.add(tenant, clock.now(), cost(d, usage.inputTokens, usage.outputTokens));
      if (budget !== null && spend.get(tenant, clock.now()) > budget + EPS)
        violations.push(`${tenant} spent ${spend.get(tenant, clock.now())} USD of ${budget}`);
      return { ok: true, latencyMs: 7, usage };
    },
  };
  const router = createRouter(p, { store, clock, random: seededRandom(seed), transport });
  const groups = Object.keys(p.groups).sort();
  const tenants = Object.keys(p.tenants).sort();
  const deployments = Object.keys(p.deployments).sort();

  for (const a of actions) {
    if (a.kind === 'health') {
      health.set(deployments[a.deployment % deployments.length]!, a.health);
      continue;
    }
    if (a.kind === 'advance') {
      const before = monthOf(clock.now());
      clock.advance(a.ms);
      if (monthOf(clock.now()) !== before) cov.monthRollovers++;
      continue;
    }
    const group = groups[a.group % groups.length]!;
    const tenant = tenants[a.tenant % tenants.length]!;
    const budget = p.tenants[tenant]!.monthlyBudgetUsd;
    const spentBefore = spend.get(tenant, clock.now());
    log.length = 0;
    overlap = a.copies > 1;
    const request = { group, tenant, estimatedInputTokens: a.inTok, maxOutputTokens: a.outTok };
    const results = await Promise.all(Array.from({ length: a.copies }, () => router.route(request)));
    expect(violations).toEqual([]);

    for (const res of results)
      for (const x of res.trace) {
        if (x.reason !== 'tenant-budget') continue;
        cov.budgetSkips[x.step]++;
        expect(budget, `${x.deployment} skipped for the budget of a tenant without one`).not.toBeNull();
        // The other side, for a request alone: a deployment is left out for the budget only when its worst case does not fit.
        if (a.copies === 1) {
          const worst = cost(p.deployments[x.deployment!]!, a.inTok, a.outTok);
          expect(worst, `${x.step} ${x.deployment} skipped for the budget though it fits`).toBeGreaterThan(budget! - spentBefore - EPS);
        }
      }
    if (a.copies === 1) expect(results[0]!.trace.filter((x) => x.outcome !== 'skipped').map((x) => x.deployment)).toEqual(log);
    // The store keeps what the answered calls cost, this month.
    const ts = router.store.local().tenants[router.tables.tenantById.get(tenant)!.index]!;
    expectNear(spendThisMonth(ts, clock.now()), spend.get(tenant, clock.now()), `spend of ${tenant}`);
    await afterRequest?.(spend, clock.now());
  }
  return { spend, now: clock.now() };
}

const actions = fc.array(action, { minLength: 10, maxLength: 80 });

describe('tenant budgets (memory store)', () => {
  it('no call exceeds what is left of a tenant budget, on fallbacks as on primaries', async () => {
    const cov = emptyCoverage();
    await fc.assert(
      fc.asyncProperty(budgetPlan, actions, fc.nat(), async (p, acts, seed) => {
        await runBudget(p, memoryStore(), acts, seed, cov);
      }),
      { numRuns: 300 },
    );
    // The property held where it binds: calls and budget skips on fallback steps too, calls close to the budget, months that rolled over.
    for (const step of ['primary', 'fallback', 'context-window-fallback'] as const) {
      expect(cov.calls[step], `calls on ${step}`).toBeGreaterThan(20);
      expect(cov.budgetSkips[step], `budget skips on ${step}`).toBeGreaterThan(20);
      expect(cov.tightCalls[step], `calls that could take over half of what was left, on ${step}`).toBeGreaterThan(0);
    }
    expect(cov.overlapping).toBeGreaterThan(20);
    expect(cov.monthRollovers).toBeGreaterThan(10);
  });
});

// --- Redis: the stored spend values -------------------------------------------------

const missing = redisServerMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)('tenant budgets (Redis store): the spend Redis keeps', () => {
  const redis = redisForSuite();
  let run = 0;

  /** The spend of this budget month Redis holds for a tenant (0 when its hash holds an older month or nothing). */
  async function storedSpend(keyPrefix: string, tenant: string, now: number): Promise<number> {
    const h = await redis.inspector.hgetall(`${keyPrefix}{router}:t:${tenant}`);
    // m is the budget month the spend u belongs to; a month with no spend yet may still hold an older one.
    return h.m !== undefined && Number(h.m) === monthOf(now) ? Number(h.u) : 0;
  }

  it('holds the budget property, and Redis holds each tenant spend of the month as the model sums it', async () => {
    const cov = emptyCoverage();
    let compared = 0;
    await fc.assert(
      fc.asyncProperty(budgetPlan, actions, fc.nat(), async (p, acts, seed) => {
        const keyPrefix = `budget${run++}:`;
        const tenants = Object.keys(p.tenants);
        // Syncs only when told, so Redis is read right after this router pushed what it routed.
        const store = await createRedisStore({ url: redis.server.url, keyPrefix, syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS });
        const { spend, now } = await runBudget(p, store, acts, seed, cov, async (model, t) => {
          await store.sync();
          for (const tenant of tenants) {
            const expected = model.get(tenant, t);
            if (expected > 0) compared++;
            expectNear(await storedSpend(keyPrefix, tenant, t), expected, `spend of ${tenant} in Redis`);
          }
        }).finally(() => store.close());
        // Another router over the same keys reads the spend back from Redis into its mirror, and budgets it.
        const other = await createRedisStore({ url: redis.server.url, keyPrefix, syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS });
        try {
          const router = createRouter(p, {
            store: other,
            clock: manualClock(now),
            random: seededRandom(seed),
            transport: { call: () => Promise.reject(new Error('not called')) },
          });
          await other.sync();
          for (const tenant of tenants) {
            const ts = other.local().tenants[router.tables.tenantById.get(tenant)!.index]!;
            expectNear(spendThisMonth(ts, now), spend.get(tenant, now), `spend of ${tenant} read back from Redis`);
          }
        } finally {
          await other.close();
        }
      }),
      { numRuns: 40 },
    );
    // Spend values were compared, not only zeros, and fallbacks spent too.
    expect(compared).toBeGreaterThan(100);
    expect(cov.calls.fallback).toBeGreaterThan(10);
    expect(cov.budgetSkips.fallback).toBeGreaterThan(0);
  });
});
