/** rand.intn(key, n): a random integer in [0, |n|), the same for the same key and n within one query, as OPA caches it. */
import { randomInt } from 'node:crypto';
import { intOperand, stringOperand } from './operands.ts';
import type { Builtin } from './types.ts';

export const RAND: Builtin[] = [
  {
    name: 'rand.intn',
    arity: 2,
    call([k, n], ctx) {
      const key = stringOperand('rand.intn', k!, 1);
      const bound = Math.abs(intOperand('rand.intn', n!, 2));
      if (bound === 0) return 0;
      const memoKey = `rand.intn:${JSON.stringify(key)}:${bound}`;
      let v = ctx.memo.get(memoKey);
      if (v === undefined) {
        v = bound <= 2 ** 48 ? randomInt(bound) : Math.floor(Math.random() * bound);
        ctx.memo.set(memoKey, v);
      }
      return v;
    },
  },
];
