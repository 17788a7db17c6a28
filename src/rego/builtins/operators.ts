/**
 * Infix operators: arithmetic (+ - * / %), comparison (== != < <= > >=) and
 * set union/intersection (| &), under OPA's builtin names.
 *
 * OPA computes on arbitrary-precision decimals (big.Float on the numbers'
 * decimal text), so `0.1 + 0.2` is 0.3 there, not 0.30000000000000004.
 * Non-integer operands therefore go through exact decimal arithmetic on the
 * shortest decimal form of each float, rounded to float64 once at the end.
 */
import { compare, equal, SetValue, typeName, type Value } from '../value.ts';
import { builtinError, numberOperand, setOperand } from './operands.ts';
import { operandTypeError, type Builtin } from './types.ts';

interface Decimal {
  m: bigint;
  e: number; // value = m * 10^e
}

function toDecimal(x: number): Decimal {
  const s = String(x);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
  if (!match) throw new Error(`not a finite number: ${s}`);
  const [, sign, int, frac = '', exp = '0'] = match;
  const m = BigInt(`${sign}${int}${frac}`);
  return { m, e: Number(exp) - frac.length };
}

const fromDecimal = (d: Decimal): number => (d.m === 0n ? 0 : Number(`${d.m}e${d.e}`));

const pow10 = (n: number): bigint => 10n ** BigInt(n);

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * pow10(a.e - e), b.m * pow10(b.e - e), e];
}

const digits = (m: bigint): number => (m < 0n ? -m : m).toString().length;

const noNegZero = (n: number): number => (n === 0 ? 0 : n);

const bothSafeInts = (x: number, y: number): boolean => Number.isSafeInteger(x) && Number.isSafeInteger(y);

export function addNumbers(x: number, y: number): number {
  if (bothSafeInts(x, y)) return noNegZero(Number(BigInt(x) + BigInt(y)));
  const [a, b, e] = align(toDecimal(x), toDecimal(y));
  return fromDecimal({ m: a + b, e });
}

export function subtractNumbers(x: number, y: number): number {
  if (bothSafeInts(x, y)) return noNegZero(Number(BigInt(x) - BigInt(y)));
  const [a, b, e] = align(toDecimal(x), toDecimal(y));
  return fromDecimal({ m: a - b, e });
}

export function multiplyNumbers(x: number, y: number): number {
  if (bothSafeInts(x, y)) return noNegZero(Number(BigInt(x) * BigInt(y)));
  const a = toDecimal(x);
  const b = toDecimal(y);
  return fromDecimal({ m: a.m * b.m, e: a.e + b.e });
}

/** Throws 'divide by zero' (as OPA's error text) when y is zero. */
export function divideNumbers(x: number, y: number): number {
  if (y === 0) throw builtinError('div', 'divide by zero');
  if (bothSafeInts(x, y) && x % y === 0) return noNegZero(x / y);
  const a = toDecimal(x);
  const b = toDecimal(y);
  const k = 30 + digits(b.m);
  return fromDecimal({ m: (a.m * pow10(k)) / b.m, e: a.e - b.e - k });
}

function arithmetic(name: string, op: (x: number, y: number) => number): Builtin {
  return {
    name,
    arity: 2,
    call: ([a, b]) => op(numberOperand(name, a!, 1), numberOperand(name, b!, 2)),
  };
}

const minus: Builtin = {
  name: 'minus',
  arity: 2,
  call([a, b]) {
    if (typeof a === 'number' && typeof b === 'number') return subtractNumbers(a, b);
    if (a instanceof SetValue && b instanceof SetValue) return new SetValue(a.values().filter((x) => !b.has(x)));
    if (typeof a !== 'number' && !(a instanceof SetValue)) throw operandTypeError('minus', 1, ['number', 'set'], typeName(a!));
    // OPA's order: a number on the right asks for a set, anything else for a number.
    throw operandTypeError('minus', 2, [typeof b === 'number' ? 'set' : 'number'], typeName(b!));
  },
};

const rem: Builtin = {
  name: 'rem',
  arity: 2,
  call([a, b]) {
    const x = numberOperand('rem', a!, 1);
    const y = numberOperand('rem', b!, 2);
    if (!Number.isInteger(x) || !Number.isInteger(y)) throw builtinError('rem', 'modulo on floating-point number');
    if (y === 0) throw builtinError('rem', 'modulo by zero');
    if (bothSafeInts(x, y)) return noNegZero(x % y);
    return noNegZero(Number(BigInt(x) % BigInt(y)));
  },
};

const div: Builtin = {
  name: 'div',
  arity: 2,
  call: ([a, b]) => divideNumbers(numberOperand('div', a!, 1), numberOperand('div', b!, 2)),
};

function comparison(name: string, test: (a: Value, b: Value) => boolean): Builtin {
  return { name, arity: 2, call: ([a, b]) => test(a!, b!) };
}

export const OPERATORS: Builtin[] = [
  arithmetic('plus', addNumbers),
  minus,
  arithmetic('mul', multiplyNumbers),
  div,
  rem,
  comparison('equal', (a, b) => equal(a, b)),
  comparison('neq', (a, b) => !equal(a, b)),
  comparison('lt', (a, b) => compare(a, b) < 0),
  comparison('lte', (a, b) => compare(a, b) <= 0),
  comparison('gt', (a, b) => compare(a, b) > 0),
  comparison('gte', (a, b) => compare(a, b) >= 0),
  {
    name: 'or',
    arity: 2,
    call([a, b]) {
      const x = setOperand('or', a!, 1);
      const y = setOperand('or', b!, 2);
      return new SetValue([...x, ...y]);
    },
  },
  {
    name: 'and',
    arity: 2,
    call([a, b]) {
      const x = setOperand('and', a!, 1);
      const y = setOperand('and', b!, 2);
      return new SetValue(x.values().filter((v) => y.has(v)));
    },
  },
];
