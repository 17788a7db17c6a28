/**
 * Shared by the runtime property tests: plans from the arbitrary valid
 * policies with limits tightened so they bind, a scripted transport, and
 * the fc.commands that drive a router (or two sharing a store) against the
 * reference model.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan, PlanDeployment } from '../../src/plan/types.ts';
import { manualClock, seededRandom, type ManualClock } from '../../src/runtime/clock.ts';
import { createRouter, type Router } from '../../src/runtime/router.ts';
import { spendThisMonth } from '../../src/runtime/state.ts';
import type { RouterStore } from '../../src/runtime/stores/store.ts';
import type { RouteRequest, Transport, TransportResult } from '../../src/runtime/types.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { bucketedSum, LIMIT_MS, MODEL_BUCKETS, maxInAnyWindow, Model, monthOfUtc } from './model.ts';
import { expectNear } from '../fixtures/near.ts';

const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 3 });

const tighten = fc.record({
  depRpm: fc.array(opt(fc.integer({ min: 1, max: 6 })), { minLength: 16, maxLength: 16 }),
  depTpm: fc.array(opt(fc.integer({ min: 2_000, max: 60_000 })), { minLength: 16, maxLength: 16 }),
  tenantRpm: fc.array(opt(fc.integer({ min: 1, max: 8 })), { minLength: 4, maxLength: 4 }),
  tenantTpm: fc.array(opt(fc.integer({ min: 3_000, max: 80_000 })), { minLength: 4, maxLength: 4 }),
  budget: fc.array(opt(fc.integer({ min: 1, max: 200 }).map((c) => c / 100)), { minLength: 4, maxLength: 4 }),
  breakers: fc.array(
    fc.record({
      minRequests: fc.integer({ min: 1, max: 4 }),
      errorRateThreshold: fc.constantFrom(0, 0.2, 0.5),
      cooldownMs: fc.integer({ min: 500, max: 20_000 }),
      halfOpenProbes: fc.integer({ min: 1, max: 3 }),
      windowMs: fc.integer({ min: 3_000, max: 60_000 }),
    }),
    { minLength: 6, maxLength: 6 },
  ),
  retries: fc.array(
    fc.record({
      count: fc.integer({ min: 0, max: 2 }),
      initialMs: fc.integer({ min: 10, max: 200 }),
      multiplier: fc.integer({ min: 1, max: 3 }),
      maxMs: fc.integer({ min: 50, max: 500 }),
    }),
    { minLength: 6, maxLength: 6 },
  ),
});

/**
 * A runnable plan: compiled from an arbitrary policy, then given small limits
 * so that they bind within a short run. Policies the compiler rejects (its
 * checks grow over time, e.g. GPU capacity) are left out: the router only ever
 * runs compiled plans.
 */
export const arbitraryPlan: fc.Arbitrary<CompiledPlan> = fc
  .tuple(
    arbitraryPolicy.map((input) => compilePolicy(Policy.parse(input)).plan),
    tighten,
  )
  .filter((x): x is [CompiledPlan, (typeof x)[1]] => x[0] !== undefined)
  .map(([compiled, t]) => {
    const plan = structuredClone(compiled);
    Object.keys(plan.deployments)
      .sort()
      .forEach((id, i) => {
        const d = plan.deployments[id]!;
        d.rpm = t.depRpm[i % 16]!;
        d.tpm = t.depTpm[i % 16]!;
      });
    Object.keys(plan.tenants)
      .sort()
      .forEach((id, i) => {
        const x = plan.tenants[id]!;
        x.rpm = t.tenantRpm[i % 4]!;
        x.tpm = t.tenantTpm[i % 4]!;
        x.monthlyBudgetUsd = t.budget[i % 4]!;
      });
    Object.keys(plan.groups)
      .sort()
      .forEach((name, i) => {
        const g = plan.groups[name]!;
        g.circuitBreaker = t.breakers[i % 6]!;
        const r = t.retries[i % 6]!;
        g.retries = { ...g.retries, count: r.count, backoff: { initialMs: r.initialMs, multiplier: r.multiplier, maxMs: Math.max(r.maxMs, r.initialMs) } };
      });
    return plan;
  });

export const HEALTHS = ['ok', 'ok', 'ok', '503', '429', '429-long', 'timeout', 'connection', '400', 'throw'] as const;
export type Health = (typeof HEALTHS)[number];

export interface Call {
  deployment: string;
  t: number;
  tEnd: number;
  tokens: number;
  result: TransportResult | 'throw';
}

/** Answers by each deployment's health; advances the clock by the call's latency, so time moves as it would. */
export function scriptedTransport(clock: ManualClock, health: Map<string, Health>, log: Call[]): Transport {
  let calls = 0;
  return {
    async call(d: PlanDeployment, req: RouteRequest, { timeoutMs }) {
      const h = health.get(d.id) ?? 'ok';
      const t = clock.now();
      // Latencies vary from call to call, so that latency averages are checked on more than a constant.
      const latencyMs = h === 'timeout' ? timeoutMs : 5 + ((d.id.length + calls++) % 7) * 3;
      clock.advance(latencyMs);
      const tokens = req.estimatedInputTokens + (req.maxOutputTokens ?? 0);
      const entry: Call = { deployment: d.id, t, tEnd: clock.now(), tokens, result: 'throw' };
      log.push(entry);
      let r: TransportResult;
      if (h === 'throw') throw new Error('socket hang up');
      if (h === 'ok') r = { ok: true, latencyMs, usage: { inputTokens: req.estimatedInputTokens, outputTokens: Math.floor((req.maxOutputTokens ?? 0) / 2) } };
      else if (h === 'timeout') r = { ok: false, kind: 'timeout', latencyMs };
      else if (h === 'connection') r = { ok: false, kind: 'connection', latencyMs };
      else if (h === '429') r = { ok: false, kind: 'http', status: 429, retryAfterMs: 20, latencyMs };
      else if (h === '429-long') r = { ok: false, kind: 'http', status: 429, retryAfterMs: 600_000, latencyMs };
      else r = { ok: false, kind: 'http', status: Number(h), latencyMs };
      entry.result = r;
      return r;
    },
  };
}

const isFault = (r: TransportResult | 'throw') =>
  r === 'throw' || (!r.ok && (r.kind !== 'http' || r.status === undefined || r.status === 429 || r.status >= 500));

export interface Real {
  routers: Router[];
  clock: ManualClock;
  health: Map<string, Health>;
  log: Call[];
  /** The shared store's hashes (Redis) of a deployment and a tenant, checked against the model too. */
  remote?: { deployment(id: string): Promise<Record<string, string>>; tenant(id: string): Promise<Record<string, string>> };
}

export interface ModelState {
  model: Model;
  health: Map<string, Health>;
}

const costOf = (d: PlanDeployment, inTok: number, outTok: number) => inTok * (d.pricing.inputPer1M / 1e6) + outTok * (d.pricing.outputPer1M / 1e6);

class RouteCommand implements fc.AsyncCommand<ModelState, Real> {
  constructor(
    readonly group: number,
    readonly tenant: number | null,
    readonly inTok: number,
    readonly outTok: number,
    readonly via: number,
  ) {}
  check = () => true;
  async run(m: ModelState, r: Real): Promise<void> {
    const { model } = m;
    const plan = model.plan;
    const groups = Object.keys(plan.groups).sort();
    const tenants = Object.keys(plan.tenants).sort();
    const group = groups[this.group % groups.length]!;
    const tenant = this.tenant === null || tenants.length === 0 ? undefined : tenants[this.tenant % tenants.length];
    const tokens = this.inTok + this.outTok;
    const now = r.clock.now();
    const chain = model.chain(group, tokens);
    const tenantOk = tenant === undefined || model.tenantAdmits(tenant, tokens, now);
    // Is there a usable path? A healthy deployment, allowed and within every limit, in the chain.
    const live =
      tenantOk &&
      chain.some(
        (l) =>
          (tenant === undefined || plan.tenants[tenant]!.allowedGroups.includes(l.group)) &&
          plan.groups[l.group]!.deployments.some((id) => {
            const d = plan.deployments[id]!;
            const cost = costOf(d, this.inTok, this.outTok);
            return m.health.get(id) === 'ok' && model.usable(id, tokens, cost + 1e-9, tenant, now);
          }),
      );

    r.log.length = 0;
    const router = r.routers[this.via % r.routers.length]!;
    const res = await router.route({ group, tenant, estimatedInputTokens: this.inTok, maxOutputTokens: this.outTok });

    if (!tenantOk) {
      expect(r.log).toEqual([]);
      expect(res.trace.map((a) => a.reason)).toEqual([expect.stringMatching(/^tenant-(rpm|tpm)$/)]);
    } else if (tenant !== undefined) {
      model.tenantRequests.get(tenant)!.push({ t: now, n: 1 });
      model.tenantTokens.get(tenant)!.push({ t: now, n: tokens });
      const t = plan.tenants[tenant]!;
      if (t.rpm !== null) expect(maxInAnyWindow(model.tenantRequests.get(tenant)!, LIMIT_MS)).toBeLessThanOrEqual(t.rpm);
      if (t.tpm !== null) expect(maxInAnyWindow(model.tenantTokens.get(tenant)!, LIMIT_MS)).toBeLessThanOrEqual(t.tpm);
    }

    // Replay every call through the model.
    for (const c of r.log) {
      const d = plan.deployments[c.deployment]!;
      expect(c.tokens, `${c.deployment} called with a request longer than its context window`).toBeLessThanOrEqual(d.contextWindow);
      expect(model.breakers.get(c.deployment)!.admit(c.t), `${c.deployment} called while its circuit is open`).toBe(true);
      model.calls.get(c.deployment)!.push({ t: c.t, n: 1 });
      model.tokens.get(c.deployment)!.push({ t: c.t, n: c.tokens });
      if (d.rpm !== null) expect(maxInAnyWindow(model.calls.get(c.deployment)!, LIMIT_MS)).toBeLessThanOrEqual(d.rpm);
      if (d.tpm !== null) expect(maxInAnyWindow(model.tokens.get(c.deployment)!, LIMIT_MS)).toBeLessThanOrEqual(d.tpm);
      model.breakers.get(c.deployment)!.result(c.tEnd, isFault(c.result));
      if (c.result !== 'throw' && (c.result.ok || c.result.kind === 'timeout')) model.observeLatency(c.deployment, c.result.latencyMs);
      if (tenant !== undefined && c.result !== 'throw' && c.result.ok)
        model.spend.get(tenant)!.push({ t: c.tEnd, usd: costOf(d, c.result.usage.inputTokens, c.result.usage.outputTokens) });
    }

    // The trace lists exactly the calls made, and the answer is the last of them.
    const calls = res.trace.filter((a) => a.outcome !== 'skipped');
    expect(calls.map((a) => a.deployment)).toEqual(r.log.map((c) => c.deployment));
    if (res.ok) {
      expect(res.deployment).toBe(r.log.at(-1)!.deployment);
      expect(calls.at(-1)!.outcome).toBe('ok');
    } else expect(calls.every((a) => a.outcome === 'error')).toBe(true);
    if (live) expect(res.ok, `a usable path existed but the request failed:\n${JSON.stringify(res.trace)}`).toBe(true);

    // Retry budgets: per deployment at most count + 1 calls, through one group only; attempts bounded by the plan.
    const perDeployment = new Map<string, { group: string; n: number }>();
    for (const a of calls) {
      const p = perDeployment.get(a.deployment!) ?? { group: a.group, n: 0 };
      expect(p.group).toBe(a.group);
      p.n++;
      perDeployment.set(a.deployment!, p);
    }
    for (const [, p] of perDeployment) expect(p.n).toBeLessThanOrEqual(plan.groups[p.group]!.retries.count + 1);
    const bound = chain.reduce((s, l) => s + plan.groups[l.group]!.deployments.length * (plan.groups[l.group]!.retries.count + 1), 0);
    expect(calls.length).toBeLessThanOrEqual(bound);

    // Fallbacks: in declared order, and only once every candidate of the groups before was tried or ruled out.
    const order = chain.map((l) => l.group);
    let at = 0;
    for (const a of res.trace) {
      const i = order.indexOf(a.group);
      expect(i, `trace visits ${a.group}, not in the chain ${order.join(' -> ')}`).toBeGreaterThanOrEqual(0);
      expect(i).toBeGreaterThanOrEqual(at);
      expect(a.step).toBe(chain[i]!.step);
      if (i > at) {
        for (let k = at; k < i; k++) {
          const seen = res.trace.filter((x) => x.group === order[k]);
          const groupSkipped = seen.some((x) => x.deployment === null);
          if (!groupSkipped)
            for (const id of plan.groups[order[k]!]!.deployments)
              expect(
                seen.some((x) => x.deployment === id),
                `${id} of ${order[k]} not considered before falling back`,
              ).toBe(true);
        }
        at = i;
      }
    }

    // The router that routed pushes its changes, then the others pull them (a shared store syncs in the
    // background; here each route is followed by a sync, so every router decides on the whole history).
    for (const x of [router, ...r.routers.filter((x) => x !== router)]) await x.store.sync();
    await checkState(m, r);
  }
  toString = () => `route(group ${this.group}, tenant ${this.tenant}, ${this.inTok}+${this.outTok} tokens, via ${this.via})`;
}

/** Sum of a hash's window buckets (`<letter><index>`) still inside a window of `windowMs` at `now`, as the router counts them. */
export function hashWindowSum(h: Record<string, string>, letter: string, windowMs: number, now: number): number {
  const w = Math.max(1, Math.ceil(windowMs / MODEL_BUCKETS));
  const from = Math.floor(now / w) - MODEL_BUCKETS;
  let s = 0;
  for (const [k, v] of Object.entries(h)) if (k[0] === letter && /^\d+$/.test(k.slice(1)) && Number(k.slice(1)) >= from) s += Number(v);
  return s;
}

/**
 * Every router's state against the model: breakers, usage windows of each
 * deployment and tenant, and spend; then the same values as the shared store
 * holds them (Redis), read from its hashes.
 */
async function checkState(m: ModelState, r: Real): Promise<void> {
  const { model } = m;
  const now = r.clock.now();
  for (const router of r.routers) {
    const local = router.store.local();
    for (const [id, b] of model.breakers) {
      const v = router.inspect(id);
      expect(v.breaker, `breaker of ${id}`).toBe(b.phase);
      if (b.phase !== 'closed') expect(v.openedAt).toBe(b.openedAt);
      const breaker = local.deployments[router.tables.deploymentById.get(id)!.index]!.breaker;
      expect([breaker.probes, breaker.probeSuccesses], `half-open probes of ${id}`).toEqual([b.probes, b.successes]);
      expect(breaker.requests.sum(now), `breaker window of ${id}`).toBe(bucketedSum(b.log, b.cfg.windowMs, now));
      expect(breaker.failures.sum(now), `breaker failures of ${id}`).toBe(
        bucketedSum(
          b.log.filter((e) => e.failed),
          b.cfg.windowMs,
          now,
        ),
      );
      const latency = model.latency.get(id);
      if (latency === undefined) expect(v.latencyMs).toBeNull();
      else expectNear(v.latencyMs ?? Number.NaN, latency, `latency of ${id}`);
      expect(v.rpmUsed, `requests counted for ${id}`).toBe(bucketedSum(model.calls.get(id)!, LIMIT_MS, now));
      expect(v.tpmUsed, `tokens counted for ${id}`).toBe(bucketedSum(model.tokens.get(id)!, LIMIT_MS, now));
    }
    for (const id of model.spend.keys()) {
      const spend = model.spendIn(id, now);
      const t = local.tenants[router.tables.tenantById.get(id)!.index]!;
      expect(t.rpm.sum(now), `requests counted for tenant ${id}`).toBe(bucketedSum(model.tenantRequests.get(id)!, LIMIT_MS, now));
      expect(t.tpm.sum(now), `tokens counted for tenant ${id}`).toBe(bucketedSum(model.tenantTokens.get(id)!, LIMIT_MS, now));
      expectNear(spendThisMonth(t, now), spend, `spend of tenant ${id}`);
    }
  }
  if (!r.remote) return;
  for (const [id, b] of model.breakers) {
    const h = await r.remote.deployment(id);
    expect(['closed', 'open', 'half-open'][Number(h.s ?? 0)], `shared breaker of ${id}`).toBe(b.phase);
    if (b.phase !== 'closed') expect(Number(h.o)).toBe(b.openedAt);
    expect([Number(h.p ?? 0), Number(h.k ?? 0)], `shared half-open probes of ${id}`).toEqual([b.probes, b.successes]);
    expect(hashWindowSum(h, 'q', b.cfg.windowMs, now), `shared breaker window of ${id}`).toBe(bucketedSum(b.log, b.cfg.windowMs, now));
    expect(hashWindowSum(h, 'f', b.cfg.windowMs, now), `shared breaker failures of ${id}`).toBe(
      bucketedSum(
        b.log.filter((e) => e.failed),
        b.cfg.windowMs,
        now,
      ),
    );
    const latency = model.latency.get(id);
    if (latency === undefined) expect(h.l).toBeUndefined();
    else expectNear(Number(h.l), latency, `shared latency of ${id}`);
    expect(hashWindowSum(h, 'r', LIMIT_MS, now), `shared requests of ${id}`).toBe(bucketedSum(model.calls.get(id)!, LIMIT_MS, now));
    expect(hashWindowSum(h, 't', LIMIT_MS, now), `shared tokens of ${id}`).toBe(bucketedSum(model.tokens.get(id)!, LIMIT_MS, now));
  }
  for (const id of model.spend.keys()) {
    const spend = model.spendIn(id, now);
    const h = await r.remote.tenant(id);
    expect(hashWindowSum(h, 'r', LIMIT_MS, now), `shared requests of tenant ${id}`).toBe(bucketedSum(model.tenantRequests.get(id)!, LIMIT_MS, now));
    expectNear(Number(h.m) === monthOfUtc(now) ? Number(h.u) : 0, spend, `shared spend of tenant ${id}`);
  }
}

class AdvanceCommand implements fc.AsyncCommand<ModelState, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_m: ModelState, r: Real): Promise<void> {
    r.clock.advance(this.ms);
  }
  toString = () => `advance(${this.ms})`;
}

class HealthCommand implements fc.AsyncCommand<ModelState, Real> {
  constructor(
    readonly deployment: number,
    readonly health: Health,
  ) {}
  check = () => true;
  async run(m: ModelState, r: Real): Promise<void> {
    const ids = Object.keys(m.model.plan.deployments).sort();
    const id = ids[this.deployment % ids.length]!;
    m.health.set(id, this.health);
    r.health.set(id, this.health);
  }
  toString = () => `health(${this.deployment}, ${this.health})`;
}

const route = fc
  .tuple(fc.nat(), opt(fc.nat()), fc.constantFrom(100, 100, 2_000, 2_000, 9_000, 20_000, 100_000, 190_000), fc.constantFrom(0, 500, 4_000), fc.nat(1))
  .map(([g, t, i, o, v]) => new RouteCommand(g, t, i, o, v));

export const commands = (maxCommands: number) =>
  fc.commands(
    [
      route,
      route,
      route,
      fc.constantFrom(50, 1_000, 5_000, 20_000, 61_000).map((ms) => new AdvanceCommand(ms)),
      fc.tuple(fc.nat(3), fc.constantFrom(...HEALTHS)).map(([d, h]) => new HealthCommand(d, h)),
    ],
    { maxCommands, size: 'max' },
  );

export interface Setup {
  plan: CompiledPlan;
  stores: RouterStore[];
  remote?: Real['remote'];
}

/** Runs one command sequence against routers over the given stores (one router per store; they must share state). */
export async function runModel(setup: Setup, cmds: Iterable<fc.AsyncCommand<ModelState, Real>>, seed: number): Promise<void> {
  const clock = manualClock();
  const health = new Map<string, Health>();
  const log: Call[] = [];
  const transport = scriptedTransport(clock, health, log);
  const routers = setup.stores.map((store, i) => createRouter(setup.plan, { store, clock, random: seededRandom(seed + i), transport }));
  const real: Real = { routers, clock, health, log, remote: setup.remote };
  await fc.asyncModelRun(() => ({ model: { model: new Model(setup.plan), health: new Map() }, real }), cmds);
}
