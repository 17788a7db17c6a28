/** weighted: a random draw proportional to the deployments' weights. */
import type { RtDeployment } from '../tables.ts';
import type { Pick, PickContext } from './types.ts';

export const pickWeighted: Pick = (candidates, usable, ctx) => {
  let total = 0;
  let last = -1;
  for (let i = 0; i < candidates.length; i++) {
    if (usable[i]) {
      total += candidates[i]!.weight;
      last = i;
    }
  }
  if (last < 0) return -1;
  let r = ctx.random() * total;
  for (let i = 0; i < candidates.length; i++) {
    if (!usable[i]) continue;
    r -= candidates[i]!.weight;
    if (r < 0) return i;
  }
  return last; // rounding left r at exactly 0
};

let scratch = new Float64Array(64);

/**
 * The usable deployment with the lowest score; ties broken by a weighted draw,
 * so equal deployments share traffic by weight. Scores go into a reused
 * buffer: selection allocates nothing.
 */
export function pickLowest(
  candidates: readonly RtDeployment[],
  usable: Uint8Array,
  ctx: PickContext,
  score: (d: RtDeployment, ctx: PickContext) => number,
): number {
  if (scratch.length < candidates.length) scratch = new Float64Array(candidates.length * 2);
  let best = Infinity;
  let found = -1;
  for (let i = 0; i < candidates.length; i++) {
    if (!usable[i]) continue;
    const s = score(candidates[i]!, ctx);
    scratch[i] = s;
    if (found < 0 || s < best) {
      best = s;
      found = i;
    }
  }
  if (found < 0) return -1;
  let total = 0;
  let ties = 0;
  for (let i = found; i < candidates.length; i++) {
    if (usable[i] && scratch[i] === best) {
      total += candidates[i]!.weight;
      ties++;
    }
  }
  if (ties === 1) return found;
  let r = ctx.random() * total;
  let last = found;
  for (let i = found; i < candidates.length; i++) {
    if (!usable[i] || scratch[i] !== best) continue;
    last = i;
    r -= candidates[i]!.weight;
    if (r < 0) return i;
  }
  return last;
}
