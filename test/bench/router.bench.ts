/**
 * Runtime router speed on a plan of 100 deployments in 10 groups, each
 * falling back to the next two (the synthetic benchmark policy):
 * - the routing decision alone (candidate checks + strategy pick, synchronous);
 * - route() end to end with the memory store and a stubbed transport
 *   (goal: <= 2 µs per decision, >= 500k decisions/s on one core);
 * - route() with the Redis store against a spawned redis-server: round trips
 *   per request and the added µs per request.
 * Medians of several runs; nothing here asserts timings.
 */
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { seededRandom } from '../../src/runtime/clock.ts';
import { createRouter } from '../../src/runtime/router.ts';
import { markUsable, pickNext } from '../../src/runtime/selection.ts';
import { LocalState } from '../../src/runtime/state.ts';
import type { PickContext } from '../../src/runtime/strategies/index.ts';
import { createRedisStore } from '../../src/runtime/stores/redis.ts';
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
): Promise<{ perSecond: number; roundTrips: number }> {
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
  const t0 = process.hrtime.bigint();
  let failed = 0;
  for (let i = 0; i < n; i++) {
    clock.tick();
    const r = await router.route(requests[i % requests.length]!);
    if (!r.ok) failed++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (failed > n / 100) throw new Error(`${failed} of ${n} requests failed: the bench is not measuring the common path`);
  const m = router.metrics();
  await router.close();
  return { perSecond: n / s, roundTrips: m.storeRoundTrips / m.requests };
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
    const memory = median(await Promise.all([0, 1, 2].map(async () => (await routesPerSecond(plan, 20_000, undefined, true)).perSecond)));
    const runs: Array<{ perSecond: number; roundTrips: number }> = [];
    for (let i = 0; i < 5; i++) runs.push(await routesPerSecond(plan, 5_000, await createRedisStore({ url: server.url, keyPrefix: `bench${i}:` }), true));
    const redis = median(runs.map((r) => r.perSecond));
    const probe = await createRedisStore({ url: server.url });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < 2_000; i++) await probe.client.ping();
    const pingUs = Number(process.hrtime.bigint() - t0) / 1e3 / 2_000;
    await probe.close();
    console.log(
      `route() Redis store (loopback redis-server, with tenants): median ${fmtRate(redis)}, ${fmtUs(redis)} per request, ` +
        `${runs[0]!.roundTrips.toFixed(2)} round trips per request, +${(1e6 / redis - 1e6 / memory).toFixed(1)} µs per request over the memory store ` +
        `(a bare PING round trip here: ${pingUs.toFixed(0)} µs)`,
    );
  } finally {
    await server.dispose();
  }
}
