/**
 * Reading the Redis store's hashes (layout in redis-scripts.ts) into the
 * mirror's DeploymentState and TenantState, and writing one back whole (the
 * seed of a keyspace a reload moves the router state to).
 */
import { type BreakerPhase, CLOSED } from '../breaker.ts';
import type { SlidingWindow } from '../windows.ts';
import { type DeploymentState, spendThisMonth, type TenantState } from '../state.ts';

type Buckets = Array<[number, number]>;

/** A hash as HGETALL's flat [field, value, ...]: scalars by name, window buckets (`r123`) by letter. */
function parseHash(flat: readonly string[]): { fields: Record<string, string>; buckets: Record<string, Buckets> } {
  const fields: Record<string, string> = {};
  const buckets: Record<string, Buckets> = { r: [], t: [], q: [], f: [] };
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const f = flat[i]!;
    const list = f.length > 1 ? buckets[f[0]!] : undefined;
    const idx = list ? Number(f.slice(1)) : NaN;
    if (list && Number.isInteger(idx)) list.push([idx, Number(flat[i + 1])]);
    else fields[f] = flat[i + 1]!;
  }
  return { fields, buckets };
}

export function loadDeployment(s: DeploymentState, now: number, flat: readonly string[]): void {
  const { fields: h, buckets } = parseHash(flat);
  const b = s.breaker;
  b.phase = (Number(h.s ?? 0) as BreakerPhase) || 0;
  b.openedAt = Number(h.o ?? 0);
  b.probes = Number(h.p ?? 0);
  b.probeSuccesses = Number(h.k ?? 0);
  s.latencyMs = h.l === undefined ? NaN : Number(h.l);
  s.rpm.load(now, buckets.r!);
  s.tpm.load(now, buckets.t!);
  b.requests.load(now, buckets.q!);
  b.failures.load(now, buckets.f!);
}

export function loadTenant(s: TenantState, now: number, flat: readonly string[]): void {
  const { fields: h, buckets } = parseHash(flat);
  s.rpm.load(now, buckets.r!);
  s.tpm.load(now, buckets.t!);
  spendThisMonth(s, now);
  s.spendUsd = h.m !== undefined && Number(h.m) === s.month ? Number(h.u ?? 0) : 0;
}

/** `letter<bucket> count` fields of a window's buckets at `now`. */
function bucketFields(out: string[], letter: string, w: SlidingWindow, now: number): void {
  for (const [i, c] of w.buckets(now)) out.push(`${letter}${i}`, String(c));
}

/**
 * A deployment's state as the flat fields of its hash (what loadDeployment
 * reads back), without the version; null when there is nothing to carry (a
 * closed breaker, empty windows, no latency yet). String(number) round-trips
 * exactly, as the script's %.17g does.
 */
export function dumpDeployment(s: DeploymentState, now: number): string[] | null {
  const b = s.breaker;
  const out: string[] = [];
  bucketFields(out, 'r', s.rpm, now);
  bucketFields(out, 't', s.tpm, now);
  bucketFields(out, 'q', b.requests, now);
  bucketFields(out, 'f', b.failures, now);
  if (out.length === 0 && b.phase === CLOSED && Number.isNaN(s.latencyMs)) return null;
  out.push('s', String(b.phase), 'o', String(b.openedAt), 'p', String(b.probes), 'k', String(b.probeSuccesses), 'w', String(b.requests.width));
  if (!Number.isNaN(s.latencyMs)) out.push('l', String(s.latencyMs));
  return out;
}

/** A tenant's state as the flat fields of its hash (what loadTenant reads back); null when it has no usage and no spend this month. */
export function dumpTenant(s: TenantState, now: number): string[] | null {
  const out: string[] = [];
  bucketFields(out, 'r', s.rpm, now);
  bucketFields(out, 't', s.tpm, now);
  const spend = spendThisMonth(s, now);
  if (spend !== 0) out.push('m', String(s.month), 'u', String(spend));
  return out.length === 0 ? null : out;
}
