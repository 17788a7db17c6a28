/** Aggregates over collections: count, sum, product, max, min, sort, and the membership tests behind `in`. */
import { compare, equal, isNumber, ObjectValue, SetValue, typeName, type Value } from '../value.ts';
import type { Num } from '../decimal.ts';
import { elementError, members } from './operands.ts';
import { addNumbers, multiplyNumbers } from './operators.ts';
import { operandTypeError, type Builtin } from './types.ts';

function collection(name: string, v: Value): Value[] {
  if (Array.isArray(v) || v instanceof SetValue) return members(v);
  throw operandTypeError(name, 1, ['set', 'array'], typeName(v));
}

function fold(name: string, v: Value, init: Num, op: (acc: Num, x: Num) => Num): Num {
  let acc = init;
  for (const x of collection(name, v)) {
    if (!isNumber(x)) throw elementError(name, 1, v, x, ['number']);
    acc = op(acc, x);
  }
  return acc;
}

/** Empty collections have no max or min: the call is undefined. */
function extreme(name: string, v: Value, better: (c: number) => boolean): Value | undefined {
  const xs = collection(name, v);
  if (xs.length === 0) return undefined;
  return xs.reduce((best, x) => (better(compare(x, best)) ? x : best));
}

export const AGGREGATES: Builtin[] = [
  {
    name: 'count',
    arity: 1,
    call([v]) {
      if (typeof v === 'string') return Array.from(v).length;
      if (Array.isArray(v)) return v.length;
      if (v instanceof SetValue || v instanceof ObjectValue) return v.size;
      throw operandTypeError('count', 1, ['array', 'object', 'set', 'string'], typeName(v!));
    },
  },
  { name: 'sum', arity: 1, call: ([v]) => fold('sum', v!, 0, addNumbers) },
  { name: 'product', arity: 1, call: ([v]) => fold('product', v!, 1, multiplyNumbers) },
  { name: 'max', arity: 1, call: ([v]) => extreme('max', v!, (c) => c > 0) },
  { name: 'min', arity: 1, call: ([v]) => extreme('min', v!, (c) => c < 0) },
  { name: 'sort', arity: 1, call: ([v]) => [...collection('sort', v!)].sort(compare) },
  {
    // `x in xs`
    name: 'internal.member_2',
    arity: 2,
    call([x, xs]) {
      if (xs instanceof SetValue) return xs.has(x!);
      if (Array.isArray(xs)) return xs.some((y) => equal(x!, y));
      if (xs instanceof ObjectValue) return xs.entries().some(([, y]) => equal(x!, y));
      return false;
    },
  },
  {
    // `k, v in xs`
    name: 'internal.member_3',
    arity: 3,
    call([k, v, xs]) {
      if (xs instanceof SetValue) return xs.has(k!) && equal(k!, v!);
      if (Array.isArray(xs)) return typeof k === 'number' && Number.isInteger(k) && k >= 0 && k < xs.length && equal(xs[k]!, v!);
      if (xs instanceof ObjectValue) {
        const got = xs.get(k!);
        return got !== undefined && equal(got, v!);
      }
      return false;
    },
  },
];
