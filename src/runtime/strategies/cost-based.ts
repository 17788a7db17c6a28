/** cost_based: the cheapest deployment for this request's estimated tokens, at the plan's pricing; ties by weight. */
import * as limits from '../limits.ts';
import type { RtDeployment } from '../tables.ts';
import type { Pick, PickContext } from './types.ts';
import * as weighted from './weighted.ts';

// How this project runs TypeScript (jiti) serves every imported binding through an interop Proxy;
// the hot path binds the functions it calls once, at load.
const { estimatedCostUsd } = limits;
const { pickLowest } = weighted;

const cost = (d: RtDeployment, ctx: PickContext): number => estimatedCostUsd(d, ctx.inputTokens, ctx.outputTokens);

export const pickCostBased: Pick = (candidates, usable, ctx) => pickLowest(candidates, usable, ctx, cost);
