/**
 * Which of a group's deployments may be called for this request, and which
 * to call next. Pure: reads the remembered state, writes only the trace
 * lines and the usable mask it is given.
 */
import { deploymentSkip, estimatedCostUsd, tenantBudgetAllows } from './limits.ts';
import type { LocalState } from './state.ts';
import { STRATEGIES, type PickContext } from './strategies/index.ts';
import type { RtGroup, RtLink, RtTenant } from './tables.ts';
import { skipped } from './trace.ts';
import type { Attempt, SkipReason } from './types.ts';

/** Why this deployment cannot be called now, or null. `called` lists deployment indexes already called in this request. */
export function candidateSkip(
  g: RtGroup,
  i: number,
  state: LocalState,
  tenant: RtTenant | null,
  tokens: number,
  ctx: PickContext,
  called: readonly number[],
): SkipReason | null {
  const d = g.candidates[i]!;
  if (called.length !== 0 && called.includes(d.index)) return 'already-tried';
  const r = deploymentSkip(d, state.deployments[d.index]!, tokens, ctx.now);
  if (r !== null) return r;
  if (tenant !== null && !tenantBudgetAllows(tenant, state.tenants[tenant.index]!, estimatedCostUsd(d, ctx.inputTokens, ctx.outputTokens), ctx.now))
    return 'tenant-budget';
  return null;
}

/** Marks the usable candidates of a group, tracing the others; returns how many are usable. */
export function markUsable(
  link: RtLink,
  usable: Uint8Array,
  state: LocalState,
  tenant: RtTenant | null,
  tokens: number,
  ctx: PickContext,
  called: readonly number[],
  trace: Attempt[],
): number {
  const g = link.group;
  let n = 0;
  for (let i = 0; i < g.candidates.length; i++) {
    const reason = candidateSkip(g, i, state, tenant, tokens, ctx, called);
    if (reason === null) {
      usable[i] = 1;
      n++;
    } else {
      usable[i] = 0;
      trace.push(skipped(g.name, link.step, g.candidates[i]!.id, reason));
    }
  }
  return n;
}

/** The next candidate by the group's strategy, or -1. */
export function pickNext(g: RtGroup, usable: Uint8Array, ctx: PickContext): number {
  return STRATEGIES[g.strategy](g.candidates, usable, ctx);
}
