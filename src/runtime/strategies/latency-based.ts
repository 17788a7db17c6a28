/**
 * latency_based: the lowest EWMA of observed latency. A deployment never
 * observed goes first (so every deployment gets measured); ties by weight.
 */
import type { RtDeployment } from '../tables.ts';
import type { Pick, PickContext } from './types.ts';
import { pickLowest } from './weighted.ts';

const latency = (d: RtDeployment, ctx: PickContext): number => {
  const l = ctx.state.deployments[d.index]!.latencyMs;
  return Number.isNaN(l) ? -Infinity : l;
};

export const pickLatencyBased: Pick = (candidates, usable, ctx) => pickLowest(candidates, usable, ctx, latency);
