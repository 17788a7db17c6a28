/**
 * Limit checks: pure functions of the plan's limits, the remembered state
 * and the request. Each answers the skip reason, or null when the request
 * fits. Token limits count what a request may use (input + max output), so
 * a limit holds even if every response uses its whole allowance.
 */
import * as state from './state.ts';
import type { DeploymentState, TenantState } from './state.ts';
import type { RtDeployment, RtTenant } from './tables.ts';
import type { SkipReason } from './types.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the hot path binds the functions it calls once, at load.
const { spendThisMonth } = state;

/** Tokens a request may use: what it sends plus the most it may get back. */
export const requestTokens = (inputTokens: number, maxOutputTokens: number): number => inputTokens + maxOutputTokens;

export const estimatedCostUsd = (d: RtDeployment, inputTokens: number, outputTokens: number): number =>
  inputTokens * d.inputPrice + outputTokens * d.outputPrice;

function contextFits(d: RtDeployment, tokens: number): boolean {
  return tokens <= d.contextWindow;
}

/** Rate limits of a deployment for one more call of `tokens`. */
export function deploymentRateSkip(d: RtDeployment, s: DeploymentState, tokens: number, now: number): SkipReason | null {
  if (d.rpm !== Infinity && s.rpm.sum(now) + 1 > d.rpm) return 'deployment-rpm';
  if (d.tpm !== Infinity && s.tpm.sum(now) + tokens > d.tpm) return 'deployment-tpm';
  return null;
}

/** Everything that rules a deployment out for this request, in the order the trace reports it. */
function deploymentSkip(d: RtDeployment, s: DeploymentState, tokens: number, now: number): SkipReason | null {
  if (!contextFits(d, tokens)) return 'context-too-small';
  if (!s.breaker.allows(d.breaker, now)) return 'circuit-open';
  return deploymentRateSkip(d, s, tokens, now);
}

/** Tenant request and token rates, checked once per request. */
export function tenantRateSkip(t: RtTenant, s: TenantState, tokens: number, now: number): SkipReason | null {
  if (t.rpm !== Infinity && s.rpm.sum(now) + 1 > t.rpm) return 'tenant-rpm';
  if (t.tpm !== Infinity && s.tpm.sum(now) + tokens > t.tpm) return 'tenant-tpm';
  return null;
}

/**
 * Everything that rules a deployment out for this request, in the order the
 * trace reports it: context window, breaker, rates, then the tenant's budget
 * at this deployment's price.
 */
export function candidateSkip(
  d: RtDeployment,
  s: DeploymentState,
  tenant: RtTenant | null,
  ts: TenantState | null,
  inputTokens: number,
  outputTokens: number,
  now: number,
  tenantInFlightUsd = 0,
): SkipReason | null {
  const r = deploymentSkip(d, s, inputTokens + outputTokens, now);
  if (r !== null) return r;
  if (tenant !== null && !tenantBudgetAllows(tenant, ts!, tenantInFlightUsd + estimatedCostUsd(d, inputTokens, outputTokens), now)) return 'tenant-budget';
  return null;
}

/**
 * The monthly budget, per candidate: a cheaper deployment may still fit when
 * a dearer one does not. `costUsd` is the call's worst case plus that of the
 * tenant's calls still in flight, which have not spent yet but may.
 */
export function tenantBudgetAllows(t: RtTenant, s: TenantState, costUsd: number, now: number): boolean {
  return t.budgetUsd === Infinity || spendThisMonth(s, now) + costUsd <= t.budgetUsd;
}

export function backoffMs(retries: { backoff: { initialMs: number; maxMs: number; multiplier: number } }, retry: number): number {
  const b = retries.backoff;
  return Math.min(b.initialMs * b.multiplier ** retry, b.maxMs);
}
