/** cost_based: the cheapest deployment for this request's estimated tokens, at the plan's pricing; ties by weight. */
import { estimatedCostUsd } from '../limits.ts';
import type { RtDeployment } from '../tables.ts';
import type { Pick, PickContext } from './types.ts';
import { pickLowest } from './weighted.ts';

const cost = (d: RtDeployment, ctx: PickContext): number => estimatedCostUsd(d, ctx.inputTokens, ctx.outputTokens);

export const pickCostBased: Pick = (candidates, usable, ctx) => pickLowest(candidates, usable, ctx, cost);
