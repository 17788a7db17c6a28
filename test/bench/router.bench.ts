/**
 * Runtime router speed on a plan of 100 deployments in 10 groups, each
 * falling back to the next two (the synthetic benchmark policy):
 * - the routing decision alone (candidate checks + strategy pick, synchronous);
 * - route() end to end with the memory store and a stubbed transport
 *   (goal: <= 2 µs per decision, >= 500k decisions/s on one core);
 * - route() with the Redis store against a spawned redis-server, beside the
 *   memory store under the same load: µs per request, round trips per request
 *   (none on the request path; background syncs), the round trip of one sync,
 *   a bare PING, and the staleness two routers observe against the stated bound.
 * Medians of several runs; nothing here asserts timings.
 */
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { performance } from 'node:perf_hooks';
import { seededRandom, systemClock } from '../../src/runtime/clock.ts';
import { createRouter } from '../../src/runtime/router.ts';
import { markUsable, pickNext } from '../../src/runtime/selection.ts';
import { LocalState } from '../../src/runtime/state.ts';
import type { PickContext } from '../../src/runtime/strategies/index.ts';
import { createRedisStore, DEFAULT_SYNC_INTERVAL_MS } from '../../src/runtime/stores/redis.ts';
import type { RouterStore } from '../../src/runtime/stores/store.ts';
import { buildTables } from '../../src/runtime/tables.ts';
import type { Attempt, Clock, Transport, TransportResult } from '../../src/runtime/types.ts';
import { redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import { median } from './stats.ts';
import { syntheticPolicy } from './synthetic-policy.ts';

const RUNS = Number(process.env.RUNS ?? 7);

/**
 * Limits are raised far beyond what the bench sends, so every check still
 * runs but none binds, and the clock moves 1 ms per request (1,000 requests a
 * second through one router): the hot path is the common one, with windows
 * rolling over as they do in production.
 */
function benchPlan(): CompiledPlan {
  const r = compilePolicy(Policy.parse(syntheticPolicy({ deployments: 100, groups: 10, tenants: 10 })));
  if (!r.plan) throw new Error('synthetic policy did not compile');
  const plan = structuredClone(r.plan);
  for (const d of Object.values(plan.deployments)) {
    if (d.rpm !== null) d.rpm *= 1_000_000;
    if (d.tpm !== null) d.tpm *= 1_000_000;
  }
  for (const t of Object.values(plan.tenants)) {
    if (t.rpm !== null) t.rpm *= 1_000_000;
    if (t.tpm !== null) t.tpm *= 1_000_000;
    if (t.monthlyBudgetUsd !== null) t.monthlyBudgetUsd *= 1_000_000;
  }
  return plan;
}

function benchClock(): Clock & { tick(): void } {
  let t = Date.UTC(2025, 0, 15);
  return { now: () => t, sleep: async (ms) => void (t += ms), tick: () => void (t += 1) };
}

const OK: TransportResult = { ok: true, latencyMs: 120, usage: { inputTokens: 1_200, outputTokens: 300 } };
const RESOLVED = Promise.resolve(OK);
const stubTransport: Transport = { call: () => RESOLVED };

function decisionsPerSecond(plan: CompiledPlan, n: number): number {
  const tables = buildTables(plan);
  const state = new LocalState(tables);
  const ctx: PickContext = { state, now: Date.UTC(2025, 0, 15), inputTokens: 1_200, outputTokens: 300, random: seededRandom(1) };
  const usable = new Uint8Array(64);
  const trace: Attempt[] = [];
  const called: number[] = [];
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const g = tables.groups[i % tables.groups.length]!;
    ctx.now += 100;
    markUsable(g.chain[0]!, usable, state, null, ctx, called, trace);
    sink += pickNext(g, usable, ctx);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sink < 0 || trace.length) throw new Error('unexpected skips');
  return n / s;
}

async function routesPerSecond(
  plan: CompiledPlan,
  n: number,
  store: RouterStore | undefined,
  tenants: boolean,
  yieldEvery = 0,
): Promise<{ perSecond: number; roundTrips: number; syncs: number }> {
  const clock = benchClock();
  const router = createRouter(plan, { clock, random: seededRandom(1), transport: stubTransport, ...(store ? { store } : {}) });
  const groups = Object.keys(plan.groups).sort();
  const tenantIds = Object.keys(plan.tenants).sort();
  const requests = groups.map((group, i) => ({
    group,
    ...(tenants ? { tenant: tenantIds.find((t) => plan.tenants[t]!.allowedGroups.includes(group)) ?? tenantIds[i]! } : {}),
    estimatedInputTokens: 1_200,
    maxOutputTokens: 300,
  }));
  await router.store.sync();
  const before = router.store.metrics().roundTrips;
  const t0 = process.hrtime.bigint();
  let failed = 0;
  for (let i = 0; i < n; i++) {
    clock.tick();
    const r = await router.route(requests[i % requests.length]!);
    if (!r.ok) failed++;
    // route() never waits on I/O: yielding lets background work (a shared store's syncs) run, as a server's event loop would.
    if (yieldEvery > 0 && i % yieldEvery === 0) await new Promise(setImmediate);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (failed > n / 100) throw new Error(`${failed} of ${n} requests failed: the bench is not measuring the common path`);
  const m = router.store.metrics();
  await router.close();
  return { perSecond: n / s, roundTrips: (m.roundTrips - before) / n, syncs: m.roundTrips - before };
}

/** Round trip of one sync carrying `n` requests spread over every group and tenant, in ms. */
async function syncMs(plan: CompiledPlan, url: string, n: number, runs: number): Promise<number> {
  const store = await createRedisStore({ url, keyPrefix: 'bench-sync:', syncIntervalMs: 0 });
  const clock = benchClock();
  const router = createRouter(plan, { store, clock, random: seededRandom(2), transport: stubTransport });
  const groups = Object.keys(plan.groups).sort();
  const tenantIds = Object.keys(plan.tenants).sort();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < n; i++) {
      clock.tick();
      const group = groups[i % groups.length]!;
      await router.route({
        group,
        tenant: tenantIds.find((t) => plan.tenants[t]!.allowedGroups.includes(group)),
        estimatedInputTokens: 1_200,
        maxOutputTokens: 300,
      });
    }
    const t0 = process.hrtime.bigint();
    await store.sync();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await router.close();
  return median(times);
}

/**
 * Staleness as two routers on the system clock see it: router A routes one
 * request, and the time until router B's mirror counts it is measured.
 */
async function observedStaleness(plan: CompiledPlan, url: string, samples: number): Promise<{ p50: number; max: number; bound: number }> {
  const stores = await Promise.all([0, 1].map(() => createRedisStore({ url, keyPrefix: 'bench-stale:' })));
  const [a, b] = stores.map((store, i) => createRouter(plan, { store, clock: systemClock, random: seededRandom(i), transport: stubTransport }));
  const group = Object.keys(plan.groups).sort()[0]!;
  const tenant = Object.keys(plan.tenants)
    .sort()
    .find((t) => plan.tenants[t]!.allowedGroups.includes(group))!;
  const t = b!.tables.tenantById.get(tenant)!;
  const seen = () => b!.store.local().tenants[t.index]!.rpm.sum(Date.now());
  const delays: number[] = [];
  for (let i = 0; i < samples; i++) {
    const before = seen();
    const t0 = performance.now();
    await a!.route({ group, tenant, estimatedInputTokens: 100 });
    while (seen() === before) await new Promise(setImmediate);
    delays.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, Math.random() * 50)); // the next change lands anywhere in the sync cycle
  }
  const bound = 2 * DEFAULT_SYNC_INTERVAL_MS + 4 * Math.max(...stores.map((s) => s.metrics().maxSyncMs));
  await Promise.all([a!.close(), b!.close()]);
  return { p50: median(delays), max: Math.max(...delays), bound };
}

const fmtRate = (x: number) => `${(x / 1000).toFixed(0)}k/s`;
const fmtUs = (perSecond: number) => `${(1e6 / perSecond).toFixed(2)} µs`;

export async function main(): Promise<void> {
  const plan = benchPlan();
  console.log(
    `plan: ${Object.keys(plan.deployments).length} deployments, ${Object.keys(plan.groups).length} groups (each with fallbacks), ${Object.keys(plan.tenants).length} tenants`,
  );

  decisionsPerSecond(plan, 200_000); // warm up the JIT
  const decisions = median(Array.from({ length: RUNS }, () => decisionsPerSecond(plan, 500_000)));
  console.log(`decision (candidate checks + strategy pick): median ${fmtRate(decisions)}, ${fmtUs(decisions)} per decision over ${RUNS} runs`);

  for (const tenants of [false, true]) {
    await routesPerSecond(plan, 100_000, undefined, tenants);
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push((await routesPerSecond(plan, 300_000, undefined, tenants)).perSecond);
    const m = median(runs);
    console.log(
      `route() memory store, stub transport${tenants ? ', with tenant limits' : ''}: median ${fmtRate(m)}, ${fmtUs(m)} per request (goal <= 2 µs, >= 500k/s)`,
    );
  }

  const missing = redisServerMissing();
  if (missing) return console.log(missing);
  const server = await startRedisServer();
  try {
    // The three set-ups interleaved run by run (machine noise hits them alike), tenants on, the event loop
    // yielded every 64 requests so the Redis store's background syncs run; the last one has them off:
    // the request path alone (decisions on the mirror, changes folded into the batch).
    const memoryRuns: number[] = [];
    const runs: Array<{ perSecond: number; roundTrips: number; syncs: number }> = [];
    const pathRuns: number[] = [];
    for (let i = 0; i < 7; i++) {
      memoryRuns.push((await routesPerSecond(plan, 100_000, undefined, true, 64)).perSecond);
      runs.push(await routesPerSecond(plan, 100_000, await createRedisStore({ url: server.url, keyPrefix: `bench${i}:` }), true, 64));
      pathRuns.push(
        (await routesPerSecond(plan, 100_000, await createRedisStore({ url: server.url, keyPrefix: 'bench-path:', syncIntervalMs: 0 }), true, 64)).perSecond,
      );
    }
    const memory = median(memoryRuns);
    const redis = median(runs.map((r) => r.perSecond));
    const syncs = median(runs.map((r) => r.syncs));
    const pathOnly = median(pathRuns);
    const probe = await createRedisStore({ url: server.url, syncIntervalMs: 0 });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 2_000; i++) await probe.client.ping();
    const pingUs = Number(process.hrtime.bigint() - t0) / 1e3 / 2_000;
    await probe.close();
    console.log(`route() memory store, with tenant limits, event loop yielded every 64 requests: median ${fmtRate(memory)}, ${fmtUs(memory)} per request`);
    console.log(
      `route() Redis store (loopback redis-server, background sync every ${DEFAULT_SYNC_INTERVAL_MS} ms), same load: median ${fmtRate(redis)}, ${fmtUs(redis)} per request, ` +
        `${fmtSigned(1e6 / redis - 1e6 / memory)} µs over the memory store; 0 round trips on the request path; ` +
        `${syncs} background syncs per 100k requests (${(syncs / 100_000).toFixed(5)} round trips per route(), one per sync)`,
    );
    console.log(
      `route() Redis store, request path only (background syncs off): median ${fmtRate(pathOnly)}, ${fmtUs(pathOnly)} per request, ${fmtSigned(1e6 / pathOnly - 1e6 / memory)} µs over the memory store`,
    );
    const one = await syncMs(plan, server.url, 1_000, 9);
    console.log(
      `one sync (one script round trip) carrying 1,000 requests over ${Object.keys(plan.groups).length} groups and their tenants: median ${one.toFixed(2)} ms; a bare PING round trip here: ${pingUs.toFixed(0)} µs`,
    );
    const st = await observedStaleness(plan, server.url, 40);
    console.log(
      `staleness between two routers (system clock, sync every ${DEFAULT_SYNC_INTERVAL_MS} ms): p50 ${st.p50.toFixed(1)} ms, max ${st.max.toFixed(1)} ms over 40 changes ` +
        `(stated bound 2 x interval + 4 x longest sync = ${st.bound.toFixed(1)} ms)`,
    );
  } finally {
    await server.dispose();
  }
}

const fmtSigned = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(2)}`;
