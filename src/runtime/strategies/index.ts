import type { Strategy } from '../../plan/types.ts';
import { pickCostBased } from './cost-based.ts';
import { pickLatencyBased } from './latency-based.ts';
import { pickOrdered } from './ordered.ts';
import type { Pick } from './types.ts';
import { pickUsageBased } from './usage-based.ts';
import { pickWeighted } from './weighted.ts';

export type { Pick, PickContext } from './types.ts';

export const STRATEGIES: Record<Strategy, Pick> = {
  weighted: pickWeighted,
  usage_based: pickUsageBased,
  latency_based: pickLatencyBased,
  cost_based: pickCostBased,
  ordered: pickOrdered,
};
