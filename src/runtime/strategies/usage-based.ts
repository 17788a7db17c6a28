/**
 * usage_based: the deployment with the most rpm / tpm headroom left in the
 * current window, as a fraction of its limits (a dimension without a limit
 * counts as all headroom); ties by weight.
 */
import type { RtDeployment } from '../tables.ts';
import type { Pick, PickContext } from './types.ts';
import * as weighted from './weighted.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the hot path binds the functions it calls once, at load.
const { pickLowest } = weighted;

function headroom(d: RtDeployment, ctx: PickContext): number {
  const s = ctx.state.deployments[d.index]!;
  let h = 1;
  if (d.rpm !== Infinity) h = Math.min(h, (d.rpm - s.rpm.sum(ctx.now)) / d.rpm);
  if (d.tpm !== Infinity) h = Math.min(h, (d.tpm - s.tpm.sum(ctx.now)) / d.tpm);
  return h;
}

const negativeHeadroom = (d: RtDeployment, ctx: PickContext) => -headroom(d, ctx);

export const pickUsageBased: Pick = (candidates, usable, ctx) => pickLowest(candidates, usable, ctx, negativeHeadroom);
