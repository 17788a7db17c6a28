/** ordered: plan order (the compiler sorts an ordered group by `order`, then id). */
import type { Pick } from './types.ts';

export const pickOrdered: Pick = (candidates, usable) => {
  for (let i = 0; i < candidates.length; i++) if (usable[i]) return i;
  return -1;
};
