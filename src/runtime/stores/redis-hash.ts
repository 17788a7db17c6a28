/**
 * Reading the Redis store's hashes (layout in redis-scripts.ts) into the
 * mirror's DeploymentState and TenantState.
 */
import type { BreakerPhase } from '../breaker.ts';
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
