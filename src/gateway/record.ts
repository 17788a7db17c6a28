/**
 * What a finished request leaves behind, computed from the router's trace:
 * the request-log rows (one per request, one per upstream call, as the
 * analytics SQL reads them) and the fallback steps the metrics count. Pure.
 */
import type { AttemptRow, RequestRow } from '../request-log/types.ts';
import type { RtDeployment } from '../runtime/tables.ts';
import type { Attempt, RouteResult, Usage } from '../runtime/types.ts';

/** An attempt's outcome in the request log's words. */
export function attemptOutcome(a: Attempt): string {
  if (a.outcome === 'ok') return 'success';
  switch (a.reason) {
    case 'http-429':
      return 'rate_limited';
    case 'timeout':
      return 'timeout';
    case 'connection':
      return 'connection_error';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'error';
  }
}

/** USD for the usage at a deployment's plan prices. */
export const spendOf = (d: RtDeployment, u: Usage): number => u.inputTokens * d.inputPrice + u.outputTokens * d.outputPrice;

export interface FallbackStep {
  from: string;
  to: string;
  success: boolean;
}

/**
 * Each move from one model group to the next in the chain: into every group
 * whose deployments were considered (called, or skipped for an open circuit,
 * a rate limit, the context window), from the group before it. Groups the
 * tenant may not use were never candidates and are passed over. A move
 * succeeds when the group moved into served the request.
 */
export function fallbackSteps(trace: readonly Attempt[], servedBy: string | undefined): FallbackStep[] {
  const steps: FallbackStep[] = [];
  let current: string | null = null;
  for (const a of trace) {
    // Entries without a deployment are whole-group verdicts (tenant not allowed, tenant limits): nothing was considered.
    if (a.deployment === null || a.group === current) continue;
    if (current !== null) steps.push({ from: current, to: a.group, success: servedBy === a.group });
    current = a.group;
  }
  return steps;
}

export interface RowsInput {
  requestId: string;
  tenant: string;
  requestedGroup: string;
  result: RouteResult;
  /** Epoch ms of each upstream call, in call order. */
  callStarts: readonly number[];
  startTime: number;
  endTime: number;
  statusCode: number;
  usage: Usage | null;
  spend: number;
  providerOf: (deployment: string) => string | null;
}

export function requestRows(i: RowsInput): { request: RequestRow; attempts: AttemptRow[] } {
  const attempts: AttemptRow[] = [];
  let last: Attempt | null = null;
  for (const a of i.result.trace) {
    if (a.outcome === 'skipped' || a.deployment === null) continue;
    last = a;
    const n = attempts.length;
    attempts.push({
      requestId: i.requestId,
      attempt: n + 1,
      modelGroup: a.group,
      deployment: a.deployment,
      provider: i.providerOf(a.deployment),
      outcome: attemptOutcome(a),
      statusCode: a.outcome === 'ok' ? 200 : a.status,
      latencyMs: a.latencyMs,
      startTime: i.callStarts[n] ?? i.startTime,
    });
  }
  const deployment = i.result.deployment ?? last?.deployment ?? null;
  const request: RequestRow = {
    requestId: i.requestId,
    tenant: i.tenant,
    requestedGroup: i.requestedGroup,
    modelGroup: i.result.group ?? last?.group ?? null,
    deployment,
    provider: deployment === null ? null : i.providerOf(deployment),
    startTime: i.startTime,
    endTime: i.endTime,
    promptTokens: i.usage?.inputTokens ?? 0,
    completionTokens: i.usage?.outputTokens ?? 0,
    spend: i.spend,
    status: i.result.ok ? 'success' : 'failure',
    statusCode: i.statusCode,
    attempts: attempts.length,
  };
  return { request, attempts };
}
