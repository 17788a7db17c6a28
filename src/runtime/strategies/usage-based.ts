/**
 * usage_based: the deployment with the most rpm / tpm headroom left in the
 * current window, as a fraction of its limits (a dimension without a limit
 * counts as all headroom); ties by weight.
 */
import type { RtDeployment } from '../tables.ts';
import { windowSum } from '../windows.ts';
import type { Pick, PickContext } from './types.ts';
import { pickLowest } from './weighted.ts';

export function headroom(d: RtDeployment, ctx: PickContext): number {
  const s = ctx.state.deployments[d.index]!;
  let h = 1;
  if (d.rpm !== Infinity) h = Math.min(h, (d.rpm - windowSum(s.rpm, ctx.now)) / d.rpm);
  if (d.tpm !== Infinity) h = Math.min(h, (d.tpm - windowSum(s.tpm, ctx.now)) / d.tpm);
  return h;
}

const negativeHeadroom = (d: RtDeployment, ctx: PickContext) => -headroom(d, ctx);

export const pickUsageBased: Pick = (candidates, usable, ctx) => pickLowest(candidates, usable, ctx, negativeHeadroom);
