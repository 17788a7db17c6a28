/** array.concat, array.slice, array.reverse, array.flatten. */
import type { Value } from '../value.ts';
import { arrayOperand, intOperand } from './operands.ts';
import type { Builtin } from './types.ts';

export const ARRAYS: Builtin[] = [
  {
    name: 'array.concat',
    arity: 2,
    call: ([a, b]) => [...arrayOperand('array.concat', a!, 1), ...arrayOperand('array.concat', b!, 2)],
  },
  {
    name: 'array.slice',
    arity: 3,
    call([a, start, stop]) {
      const xs = arrayOperand('array.slice', a!, 1);
      let from = intOperand('array.slice', start!, 2);
      let to = intOperand('array.slice', stop!, 3);
      // OPA clamps instead of failing: stop into [0, len], start into [0, stop].
      to = Math.min(Math.max(to, 0), xs.length);
      from = Math.min(Math.max(from, 0), to);
      return xs.slice(from, to);
    },
  },
  {
    // Nested arrays at any depth are spliced in; sets and objects stay whole.
    name: 'array.flatten',
    arity: 1,
    call: ([a]) => flatten(arrayOperand('array.flatten', a!, 1)),
  },
  {
    name: 'array.reverse',
    arity: 1,
    call: ([a]) => [...arrayOperand('array.reverse', a!, 1)].reverse(),
  },
];

function flatten(xs: Value[], out: Value[] = []): Value[] {
  for (const x of xs) {
    if (Array.isArray(x)) flatten(x, out);
    else out.push(x);
  }
  return out;
}
