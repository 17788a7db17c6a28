/**
 * latency_based: the lowest EWMA of observed latency. A deployment never
 * observed goes first (so every deployment gets measured); ties by weight.
 */
import type { RtDeployment } from '../tables.ts';
import type { Pick, PickContext } from './types.ts';
import * as weighted from './weighted.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the hot path binds the functions it calls once, at load.
const { pickLowest } = weighted;

const latency = (d: RtDeployment, ctx: PickContext): number => {
  const l = ctx.state.deployments[d.index]!.latencyMs;
  return Number.isNaN(l) ? -Infinity : l;
};

export const pickLatencyBased: Pick = (candidates, usable, ctx) => pickLowest(candidates, usable, ctx, latency);
