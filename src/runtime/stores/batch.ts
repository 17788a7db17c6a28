/**
 * What one router changed since its last sync with a shared store, folded per
 * key so that a sync's size depends on the keys and time buckets touched, not
 * on the number of requests:
 * - usage (rpm/tpm of deployments and tenants) as counts per limit bucket: additive,
 *   so the order of requests does not matter;
 * - spend as USD per budget month;
 * - the breaker's inputs in order, because the breaker is a state machine:
 *   admissions of a circuit that was not closed, every failure, and runs of
 *   successes on a closed circuit folded into one record per breaker bucket
 *   (count, and the latency EWMA as `decay * previous + c`).
 * The Redis script applies a batch to the shared state; applyBatch below is
 * the same merge on a LocalState (used to rebase the mirror after a sync, and
 * held to the script by a test).
 */
import * as breaker from '../breaker.ts';
import type { BreakerPhase } from '../breaker.ts';
import { EWMA_ALPHA, enterMonth, ewma, type LocalState, type Session, spendThisMonth } from '../state.ts';
import { LIMIT_WINDOW_MS, type RouterTables, type RtDeployment, type RtTenant } from '../tables.ts';
import { bucketWidth } from '../windows.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the session's methods run on every request, so they read a binding made once, at load.
const { CLOSED } = breaker;

export const LIMIT_WIDTH = bucketWidth(LIMIT_WINDOW_MS);
const KEEP = 1 - EWMA_ALPHA;

/** Breaker records: [kind, a, b, c, d, e]. */
export const REC = 6;
/** admit: a = now. */
export const ADMIT = 1;
/** result: a = now, b = failed (0/1), c = latency ms (-1 none). */
export const RESULT = 2;
/** run of successes on a closed circuit: a = breaker bucket, b = count, c = decay, d = c term, e = first latency. */
export const RUN = 3;

/**
 * Breaker records kept per deployment in one batch (while Redis is down the
 * batch keeps growing); beyond this the oldest are dropped and counted. Successes fold
 * into one record per breaker bucket, so only failures and probes grow it.
 */
export const MAX_RECORDS = 4_096;

/** [bucket, requests, tokens] triples, newest last; consecutive adds to one bucket fold. */
function count(counters: number[], bucket: number, tokens: number): void {
  const n = counters.length;
  if (n > 0 && counters[n - 3] === bucket) {
    counters[n - 2]! += 1;
    counters[n - 1]! += tokens;
  } else counters.push(bucket, 1, tokens);
}

export class DeploymentDelta {
  counters: number[] = [];
  records: number[] = [];
  /** Offset in `records` of the run that successes still fold into, or -1. */
  private run = -1;

  count(bucket: number, tokens: number): void {
    count(this.counters, bucket, tokens);
  }
  admit(now: number): void {
    this.records.push(ADMIT, now, 0, 0, 0, 0);
    this.run = -1;
  }
  result(now: number, failed: boolean, latencyMs: number): void {
    this.records.push(RESULT, now, failed ? 1 : 0, latencyMs, 0, 0);
    this.run = -1;
  }
  success(bucket: number, latencyMs: number): void {
    const r = this.records;
    const i = this.run;
    if (i >= 0 && r[i + 1] === bucket) {
      r[i + 2]! += 1;
      r[i + 3]! *= KEEP;
      r[i + 4] = KEEP * r[i + 4]! + EWMA_ALPHA * latencyMs;
    } else {
      this.run = r.length;
      r.push(RUN, bucket, 1, KEEP, EWMA_ALPHA * latencyMs, latencyMs);
    }
  }
  /** Drops the oldest records beyond MAX_RECORDS; returns how many. */
  trim(): number {
    const over = this.records.length / REC - MAX_RECORDS;
    if (over <= 0) return 0;
    this.records.splice(0, over * REC);
    if (this.run >= 0) this.run -= over * REC;
    return over;
  }
}

export class TenantDelta {
  counters: number[] = [];
  /** [month, usd] pairs. */
  spend: number[] = [];

  count(bucket: number, tokens: number): void {
    count(this.counters, bucket, tokens);
  }
  addSpend(month: number, usd: number): void {
    const s = this.spend;
    const n = s.length;
    if (n > 0 && s[n - 2] === month) s[n - 1]! += usd;
    else s.push(month, usd);
  }
}

export class Batch {
  readonly deployments: Array<DeploymentDelta | undefined>;
  readonly tenants: Array<TenantDelta | undefined>;
  /** Indexes of the deployments and tenants with a delta, in first-touched order. */
  readonly touchedDeployments: number[] = [];
  readonly touchedTenants: number[] = [];
  /** Breaker records dropped by MAX_RECORDS. */
  dropped = 0;

  constructor(tables: RouterTables) {
    this.deployments = new Array(tables.deployments.length);
    this.tenants = new Array(tables.tenants.length);
  }

  get empty(): boolean {
    return this.touchedDeployments.length === 0 && this.touchedTenants.length === 0;
  }

  deployment(i: number): DeploymentDelta {
    let d = this.deployments[i];
    if (d === undefined) {
      d = this.deployments[i] = new DeploymentDelta();
      this.touchedDeployments.push(i);
    }
    return d;
  }

  tenant(i: number): TenantDelta {
    let t = this.tenants[i];
    if (t === undefined) {
      t = this.tenants[i] = new TenantDelta();
      this.touchedTenants.push(i);
    }
    return t;
  }

  /** Entries in the batch (usage buckets, breaker records, spend months): what is lost if it is dropped. */
  get size(): number {
    let n = 0;
    for (const i of this.touchedDeployments) n += this.deployments[i]!.counters.length / 3 + this.deployments[i]!.records.length / REC;
    for (const i of this.touchedTenants) n += this.tenants[i]!.counters.length / 3 + this.tenants[i]!.spend.length / 2;
    return n;
  }
}

/**
 * A Session over a LocalState (the store's mirror) that also folds every
 * change into the current batch. `batch` is swapped by the store at each sync.
 */
export class BatchingSession implements Session {
  constructor(
    readonly state: LocalState,
    public batch: Batch,
  ) {}

  admit(d: RtDeployment, now: number): boolean {
    const before = this.state.deployments[d.index]!.breaker.phase;
    const ok = this.state.admit(d, now);
    // On a closed circuit an admission changes nothing, here or in the shared state.
    if (ok && before !== CLOSED) this.batch.deployment(d.index).admit(now);
    return ok;
  }
  call(d: RtDeployment, tokens: number, now: number): void {
    this.state.call(d, tokens, now);
    this.batch.deployment(d.index).count(Math.floor(now / LIMIT_WIDTH), tokens);
  }
  result(d: RtDeployment, now: number, failed: boolean, latencyMs: number | null): BreakerPhase {
    const before = this.state.result(d, now, failed, latencyMs);
    const delta = this.batch.deployment(d.index);
    if (!failed && before === CLOSED && latencyMs !== null) delta.success(Math.floor(now / this.state.deployments[d.index]!.breaker.requests.width), latencyMs);
    else {
      delta.result(now, failed, latencyMs ?? -1);
      this.batch.dropped += delta.trim();
    }
    return before;
  }
  tenantRequest(t: RtTenant, tokens: number, now: number): void {
    this.state.tenantRequest(t, tokens, now);
    this.batch.tenant(t.index).count(Math.floor(now / LIMIT_WIDTH), tokens);
  }
  spend(t: RtTenant, usd: number, now: number): void {
    this.state.spend(t, usd, now);
    this.batch.tenant(t.index).addSpend(this.state.tenants[t.index]!.month, usd);
  }
}

/**
 * Applies a batch's deltas for the given deployments and tenants to a
 * LocalState: the same merge as the Redis script. After a sync the mirror is
 * the shared state plus what this router did since the sync began.
 */
export function applyBatch(
  state: LocalState,
  batch: Batch,
  deployments: Iterable<number> = batch.touchedDeployments,
  tenants: Iterable<number> = batch.touchedTenants,
  now: number,
): void {
  const tables = state.tables;
  for (const i of deployments) {
    const delta = batch.deployments[i];
    if (delta === undefined) continue;
    const d = tables.deployments[i]!;
    const s = state.deployments[i]!;
    const c = delta.counters;
    for (let k = 0; k < c.length; k += 3) {
      s.rpm.add(c[k]! * LIMIT_WIDTH, c[k + 1]!);
      s.tpm.add(c[k]! * LIMIT_WIDTH, c[k + 2]!);
    }
    const r = delta.records;
    for (let k = 0; k < r.length; k += REC) {
      const kind = r[k]!;
      if (kind === ADMIT) s.breaker.admit(d.breaker, r[k + 1]!);
      else if (kind === RESULT) {
        const latency = r[k + 3]!;
        if (latency >= 0) s.latencyMs = ewma(s.latencyMs, latency);
        s.breaker.record(d.breaker, r[k + 1]!, r[k + 2] === 1);
      } else {
        const previous = Number.isNaN(s.latencyMs) ? r[k + 5]! : s.latencyMs;
        s.latencyMs = r[k + 3]! * previous + r[k + 4]!;
        s.breaker.recordSuccesses(d.breaker, r[k + 1]! * s.breaker.requests.width, r[k + 2]!);
      }
    }
  }
  for (const i of tenants) {
    const delta = batch.tenants[i];
    if (delta === undefined) continue;
    const s = state.tenants[i]!;
    const c = delta.counters;
    for (let k = 0; k < c.length; k += 3) {
      s.rpm.add(c[k]! * LIMIT_WIDTH, c[k + 1]!);
      s.tpm.add(c[k]! * LIMIT_WIDTH, c[k + 2]!);
    }
    spendThisMonth(s, now);
    const sp = delta.spend;
    // As the sync script applies it: spend of an earlier month than the tenant's no longer counts against the
    // budget, and spend of a later one (a call that ended after the month turned) starts that month's period.
    for (let k = 0; k < sp.length; k += 2) {
      if (sp[k]! > s.month) enterMonth(s, sp[k]!);
      if (sp[k] === s.month) s.spendUsd += sp[k + 1]!;
    }
  }
}
