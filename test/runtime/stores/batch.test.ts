/**
 * The batch a router folds its changes into between syncs: its size grows
 * with keys and buckets, not requests; and applying it to a state (what the
 * script does in Redis, and the mirror's rebase) gives what applying every
 * change one by one gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Breaker } from '../../../src/runtime/breaker.ts';
import { LocalState, spendThisMonth } from '../../../src/runtime/state.ts';
import { ADMIT, applyBatch, Batch, BatchingSession, MAX_RECORDS, REC, RESULT, RUN } from '../../../src/runtime/stores/batch.ts';
import { buildTables } from '../../../src/runtime/tables.ts';
import { BREAKER, deployment, group, plan } from '../plans.ts';

const PLAN = plan(
  [deployment('a'), deployment('b')],
  [group('g', ['a', 'b'], { circuitBreaker: { ...BREAKER, minRequests: 3, cooldownMs: 5_000, halfOpenProbes: 2 } })],
  {
    acme: { id: 'acme', description: null, apiKeys: [], allowedGroups: ['g'], rpm: null, tpm: null, monthlyBudgetUsd: null },
  },
);
const T0 = Date.UTC(2025, 0, 15);

function setup() {
  const tables = buildTables(PLAN);
  const state = new LocalState(tables);
  const session = new BatchingSession(state, new Batch(tables));
  return { tables, state, session, a: tables.deploymentById.get('a')!, acme: tables.tenantById.get('acme')! };
}

describe('batch folding', () => {
  it('folds a thousand successful calls into one usage bucket and one run record', () => {
    const { session, a, acme } = setup();
    let latency = NaN;
    for (let i = 0; i < 1_000; i++) {
      const now = T0 + i; // all within one 3 s bucket
      session.tenantRequest(acme, 100, now);
      expect(session.admit(a, now)).toBe(true);
      session.call(a, 100, now);
      const sample = 10 + (i % 7);
      session.result(a, now, false, sample);
      latency = Number.isNaN(latency) ? sample : latency + 0.2 * (sample - latency);
      session.spend(acme, 0.001, now);
    }
    const d = session.batch.deployments[a.index]!;
    expect(d.counters).toEqual([Math.floor(T0 / 3_000), 1_000, 100_000]);
    expect(d.records.length).toBe(REC);
    const [kind, bucket, n, decay, c, first] = d.records;
    expect([kind, bucket, n, first]).toEqual([RUN, Math.floor(T0 / 3_000), 1_000, 10]);
    expect(decay! * first! + c!).toBeCloseTo(latency, 9);
    expect(session.batch.tenants[acme.index]!.counters).toEqual([Math.floor(T0 / 3_000), 1_000, 100_000]);
    expect(session.batch.tenants[acme.index]!.spend[1]).toBeCloseTo(1, 12);
  });

  it('keeps breaker records in order: a failure or a probe ends a run', () => {
    const { session, a } = setup();
    session.result(a, T0, false, 5);
    session.result(a, T0 + 1, false, 5);
    session.result(a, T0 + 2, true, null);
    session.result(a, T0 + 3, false, 5);
    session.result(a, T0 + 4, true, null);
    session.result(a, T0 + 5, true, null); // 3 failures of 6 > 0.5? no: 3/6 = 0.5, so it stays closed
    session.result(a, T0 + 6, true, null); // 4/7 > 0.5: opens
    expect(session.state.deployments[a.index]!.breaker.phase).toBe(1);
    expect(session.admit(a, T0 + 5_006)).toBe(true); // half-open probe: recorded
    session.result(a, T0 + 5_007, false, 5); // a success in half-open is not folded
    const r = session.batch.deployments[a.index]!.records;
    const kinds = [];
    for (let k = 0; k < r.length; k += REC) kinds.push(r[k]);
    expect(kinds).toEqual([RUN, RESULT, RUN, RESULT, RESULT, RESULT, ADMIT, RESULT]);
    expect(r[2]).toBe(2); // the first run counts two successes
  });

  it('drops the oldest breaker records beyond the cap, and counts them', () => {
    const { session, a } = setup();
    session.result(a, T0, false, 5);
    for (let i = 0; i < MAX_RECORDS + 10; i++) session.result(a, T0 + 100 + i, true, null);
    const r = session.batch.deployments[a.index]!.records;
    expect(r.length).toBe(MAX_RECORDS * REC);
    expect(session.batch.dropped).toBe(11);
    // The newest are kept: the last record is the last failure.
    expect(r[r.length - REC + 1]).toBe(T0 + 100 + MAX_RECORDS + 9);
    expect(session.batch.size).toBe(MAX_RECORDS);
  });
});

type Op =
  | { kind: 'request'; at: number; x: number }
  | { kind: 'spend'; at: number; x: number }
  | { kind: 'call'; at: number; failed: boolean; latency: number | null; d: 0 | 1 };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('request' as const), at: fc.nat(20_000), x: fc.integer({ min: 1, max: 5_000 }) }),
  fc.record({ kind: fc.constant('spend' as const), at: fc.nat(20_000), x: fc.integer({ min: 1, max: 1_000 }).map((c) => c / 1e4) }),
  fc.record({
    kind: fc.constant('call' as const),
    at: fc.nat(20_000),
    failed: fc.boolean(),
    latency: fc.option(fc.integer({ min: 1, max: 900 }), { nil: null }),
    d: fc.constantFrom(0 as const, 1 as const),
  }),
);

/** Exact values, and the two sums a fold may round differently (latency EWMA, spend) to a tolerance. */
function expectSame(x: LocalState, y: LocalState, now: number): void {
  const exact = (s: LocalState) => ({
    deployments: s.deployments.map((d) => ({
      breaker: [d.breaker.phase, d.breaker.openedAt, d.breaker.probes, d.breaker.probeSuccesses, d.breaker.requests.sum(now), d.breaker.failures.sum(now)],
      usage: [d.rpm.sum(now), d.tpm.sum(now)],
      latency: Number.isNaN(d.latencyMs),
    })),
    tenants: s.tenants.map((t) => [t.rpm.sum(now), t.tpm.sum(now)]),
  });
  expect(exact(x)).toEqual(exact(y));
  x.deployments.forEach((d, i) => {
    if (!Number.isNaN(d.latencyMs)) expect(d.latencyMs).toBeCloseTo(y.deployments[i]!.latencyMs, 9);
  });
  x.tenants.forEach((t, i) => expect(t.spendUsd).toBeCloseTo(y.tenants[i]!.spendUsd, 12));
}

describe('applyBatch', () => {
  it('on a copy of the starting state, equals every change applied one by one', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.array(op, { maxLength: 60 }), (before, ops) => {
        const { tables, session, acme } = setup();
        let now = T0;
        const run = (o: Op) => {
          now += o.at;
          if (o.kind === 'request') session.tenantRequest(acme, o.x, now);
          else if (o.kind === 'spend') session.spend(acme, o.x, now);
          else {
            const d = tables.deployments[o.d]!;
            if (!session.admit(d, now)) return;
            session.call(d, 10, now);
            session.result(d, now, o.failed, o.failed ? o.latency : (o.latency ?? 1));
          }
        };
        // A starting state with history, loaded into a second state through a batch of its own.
        before.forEach(run);
        const copy = new LocalState(tables);
        applyBatch(copy, session.batch, undefined, undefined, now);
        expectSame(copy, session.state, now);
        session.batch = new Batch(tables);
        ops.forEach(run);
        applyBatch(copy, session.batch, undefined, undefined, now);
        expectSame(copy, session.state, now);
      }),
      { numRuns: 300 },
    );
  });

  it('applied at a time before the month turned, keeps the spend of calls that ended in the next month (as the sync script does)', () => {
    const { tables, session, acme } = setup();
    const jan31 = Date.UTC(2025, 0, 31, 23, 59);
    const feb1 = Date.UTC(2025, 1, 1, 0, 1);
    session.spend(acme, 0.25, jan31);
    session.spend(acme, 0.5, feb1);
    // A rebase applies what was routed during a sync at the sync's cut, which may be January's.
    const rebased = new LocalState(tables);
    applyBatch(rebased, session.batch, undefined, undefined, jan31);
    expect(spendThisMonth(rebased.tenants[acme.index]!, feb1)).toBe(0.5);
    expect(spendThisMonth(session.state.tenants[acme.index]!, feb1)).toBe(0.5);
    // January's spend arriving after February's is late: that budget period is over.
    const late = new Batch(tables);
    new BatchingSession(new LocalState(tables), late).spend(acme, 0.125, jan31);
    applyBatch(rebased, late, undefined, undefined, feb1);
    expect(spendThisMonth(rebased.tenants[acme.index]!, feb1)).toBe(0.5);
  });
});

describe('Breaker.recordSuccesses', () => {
  const cfg = { ...BREAKER, minRequests: 2, halfOpenProbes: 3, cooldownMs: 100 };
  it("equals n successes recorded one by one, from any phase (a stale router's run may land on a half-open breaker)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(300), fc.boolean(), fc.boolean())), fc.integer({ min: 1, max: 8 }), (history, n) => {
        const one = new Breaker(cfg);
        const folded = new Breaker(cfg);
        let now = T0;
        for (const [dt, admit, failed] of history) {
          now += dt;
          for (const b of [one, folded]) if (!admit || b.admit(cfg, now)) b.record(cfg, now, failed);
        }
        for (let i = 0; i < n; i++) one.record(cfg, now, false);
        folded.recordSuccesses(cfg, now, n);
        const fields = (b: Breaker) => [b.phase, b.openedAt, b.probes, b.probeSuccesses, b.requests.sum(now), b.failures.sum(now)];
        expect(fields(folded)).toEqual(fields(one));
      }),
      { numRuns: 500 },
    );
  });
});
