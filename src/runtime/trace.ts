/**
 * Trace lines and the classification of transport failures: what the
 * router reports, and how `switchyard explain` prints it.
 */
import type { Attempt, FailureReason, SkipReason, Step, TransportFailure, TransportResult } from './types.ts';

export function skipped(group: string, step: Step, deployment: string | null, reason: SkipReason, tryIndex = -1): Attempt {
  return { group, step, deployment, try: tryIndex, outcome: 'skipped', reason, status: null, latencyMs: 0, backoffMs: 0 };
}

export function called(group: string, step: Step, deployment: string, tryIndex: number, r: TransportResult): Attempt {
  return {
    group,
    step,
    deployment,
    try: tryIndex,
    outcome: r.ok ? 'ok' : 'error',
    reason: r.ok ? null : failureReason(r),
    status: r.ok ? null : (r.status ?? null),
    latencyMs: r.latencyMs,
    backoffMs: 0,
  };
}

function failureReason(r: TransportFailure): FailureReason {
  if (r.kind !== 'http') return r.kind;
  const s = r.status;
  if (s === 429) return 'http-429';
  if (s !== undefined && s >= 500 && s <= 599) return 'http-5xx';
  if (s !== undefined && s >= 400 && s <= 499) return 'http-4xx';
  return 'http-other';
}

/** Retried on the same deployment: the group's retryOn statuses, timeouts and connection errors. */
export function isRetryable(r: TransportFailure, retryOn: readonly number[]): boolean {
  return r.kind !== 'http' || (r.status !== undefined && retryOn.includes(r.status));
}

/** Counts against the breaker: the deployment, not the request, is at fault (5xx, 429, timeouts, connection errors; not a caller that went away). */
export function isDeploymentFault(r: TransportFailure): boolean {
  if (r.kind === 'cancelled') return false;
  return r.kind !== 'http' || r.status === undefined || r.status === 429 || r.status >= 500;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** One line per attempt, grouped by fallback step; for humans. */
export function renderTrace(trace: readonly Attempt[]): string {
  const lines: string[] = [];
  let group: string | null = null;
  const width = Math.max(16, ...trace.map((a) => (a.deployment ?? '(whole group)').length)) + 2;
  for (const a of trace) {
    if (a.group !== group) {
      group = a.group;
      lines.push(`${a.step === 'primary' ? 'group' : a.step} ${a.group}`);
    }
    const who = pad(a.deployment ?? '(whole group)', width);
    if (a.outcome === 'skipped') {
      lines.push(`  skip     ${who}${a.reason}${a.try > 0 ? ` (instead of retry ${a.try})` : ''}`);
      continue;
    }
    const label = pad(a.try === 0 ? 'call' : `retry ${a.try}`, 9);
    const result = a.outcome === 'ok' ? 'ok' : `${a.reason}${a.status !== null ? ` ${a.status}` : ''}`;
    const extra = [a.latencyMs > 0 ? `${a.latencyMs} ms` : '', a.backoffMs > 0 ? `backoff ${a.backoffMs} ms` : ''].filter(Boolean).join(', ');
    lines.push(`  ${label}${who}${extra ? pad(result, 14) + extra : result}`);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}
