/** abs, ceil, floor, round, numbers.range, numbers.range_step and the bits.* family. */
import { normalizeNumber, type Value } from '../value.ts';
import { BuiltinError, type Builtin } from './types.ts';
import { bigIntOperand, builtinError, numberOperand } from './operands.ts';

const noNegZero = (n: number): number => (n === 0 ? 0 : n);

/** Half away from zero, like OPA's arithRound (x ± 0.5, truncated), without the float error of adding 0.5. */
function roundHalfAway(x: number): number {
  const t = Math.trunc(x);
  return noNegZero(Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t);
}

/** Integers (bigints too) are their own ceil, floor and round. */
function unary(name: string, f: (x: number) => number): Builtin {
  return {
    name,
    arity: 1,
    call([a]) {
      const n = numberOperand(name, a!, 1);
      if (typeof n === 'bigint') return name === 'abs' && n < 0n ? -n : n;
      return normalizeNumber(noNegZero(f(n)));
    },
  };
}

function range(x: bigint, y: bigint, step: bigint): Value[] {
  const out: Value[] = [];
  if (x <= y) for (let i = x; i <= y; i += step) out.push(Number(i));
  else for (let i = x; i >= y; i -= step) out.push(Number(i));
  return out;
}

function bits2(name: string, op: (a: bigint, b: bigint) => bigint): Builtin {
  return {
    name,
    arity: 2,
    call: ([a, b]) => normalizeNumber(op(bigIntOperand(name, a!, 1), bigIntOperand(name, b!, 2))),
  };
}

function shift(name: string, op: (a: bigint, b: bigint) => bigint): Builtin {
  return {
    name,
    arity: 2,
    call([a, b]) {
      const x = bigIntOperand(name, a!, 1);
      const n = bigIntOperand(name, b!, 2);
      if (n < 0n) {
        throw new BuiltinError('eval_type_error', `${name}: operand 2 must be an unsigned integer number but got a negative integer`);
      }
      return normalizeNumber(op(x, n));
    },
  };
}

export const NUMBERS: Builtin[] = [
  unary('abs', Math.abs),
  unary('ceil', Math.ceil),
  unary('floor', Math.floor),
  unary('round', roundHalfAway),
  {
    name: 'numbers.range',
    arity: 2,
    call: ([a, b]) => range(bigIntOperand('numbers.range', a!, 1), bigIntOperand('numbers.range', b!, 2), 1n),
  },
  {
    name: 'numbers.range_step',
    arity: 3,
    call([a, b, s]) {
      const x = bigIntOperand('numbers.range_step', a!, 1);
      const y = bigIntOperand('numbers.range_step', b!, 2);
      const step = bigIntOperand('numbers.range_step', s!, 3);
      // OPA's message names the builtin itself, and the error wrapper names it again.
      if (step <= 0n) throw builtinError('numbers.range_step', 'numbers.range_step: step must be a positive integer');
      return range(x, y, step);
    },
  },
  bits2('bits.and', (a, b) => a & b),
  bits2('bits.or', (a, b) => a | b),
  bits2('bits.xor', (a, b) => a ^ b),
  { name: 'bits.negate', arity: 1, call: ([a]) => normalizeNumber(~bigIntOperand('bits.negate', a!, 1)) },
  shift('bits.lsh', (a, n) => a << n),
  shift('bits.rsh', (a, n) => a >> n),
];
