/**
 * Which of a group's deployments may be called for this request, and which
 * to call next. Pure: reads the remembered state, writes only the trace
 * lines and the usable mask it is given.
 */
import * as limits from './limits.ts';
import type { LocalState } from './state.ts';
import * as strategies from './strategies/index.ts';
import type { PickContext } from './strategies/index.ts';
import type { RtGroup, RtLink, RtTenant } from './tables.ts';
import * as traces from './trace.ts';
import type { Attempt, SkipReason } from './types.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the hot path binds the functions it calls once, at load.
const { candidateSkip } = limits;
const { STRATEGIES } = strategies;
const { skipped } = traces;

/** Why this deployment cannot be called now, or null. `called` lists deployment indexes already called in this request. */
function skipReason(g: RtGroup, i: number, state: LocalState, tenant: RtTenant | null, ctx: PickContext, called: readonly number[]): SkipReason | null {
  const d = g.candidates[i]!;
  if (called.length !== 0 && called.includes(d.index)) return 'already-tried';
  return candidateSkip(
    d,
    state.deployments[d.index]!,
    tenant,
    tenant === null ? null : state.tenants[tenant.index]!,
    ctx.inputTokens,
    ctx.outputTokens,
    ctx.now,
    ctx.tenantInFlightUsd,
  );
}

/** Marks the usable candidates of a group, tracing the others; returns how many are usable. */
export function markUsable(
  link: RtLink,
  usable: Uint8Array,
  state: LocalState,
  tenant: RtTenant | null,
  ctx: PickContext,
  called: readonly number[],
  trace: Attempt[],
): number {
  const g = link.group;
  let n = 0;
  for (let i = 0; i < g.candidates.length; i++) {
    const reason = skipReason(g, i, state, tenant, ctx, called);
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
