/** union and intersection of a set of sets. */
import { SetValue, type Value } from '../value.ts';
import { setOperand } from './operands.ts';
import type { Builtin } from './types.ts';

function setsOf(name: string, v: Value): SetValue[] {
  // OPA reports a member that is not a set as operand 1 too.
  return setOperand(name, v, 1)
    .sorted()
    .map((x) => setOperand(name, x, 1));
}

export const SETS: Builtin[] = [
  {
    name: 'union',
    arity: 1,
    call([v]) {
      const out = new SetValue();
      for (const s of setsOf('union', v!)) for (const x of s) out.add(x);
      return out;
    },
  },
  {
    name: 'intersection',
    arity: 1,
    call([v]) {
      const sets = setsOf('intersection', v!);
      if (sets.length === 0) return new SetValue();
      const [first, ...rest] = sets;
      return new SetValue(first!.values().filter((x) => rest.every((s) => s.has(x))));
    },
  },
];
