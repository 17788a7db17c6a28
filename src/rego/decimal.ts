/**
 * Exact arithmetic on Rego numbers (JS numbers and bigints, see value.ts).
 *
 * OPA computes on arbitrary-precision values parsed from the numbers'
 * decimal text, so `0.1 + 0.2` is 0.3 there, not 0.30000000000000004, and
 * integers never lose digits. Integers therefore go through bigint, and
 * other operands through exact decimals built from the shortest decimal
 * form of each float, rounded to float64 once at the end (or kept exact
 * when the result is an integer).
 */
import { normalizeNumber } from './value.ts';

export type Num = number | bigint;

interface Decimal {
  m: bigint;
  e: number; // value = m * 10^e
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

function toDecimal(x: Num): Decimal {
  if (typeof x === 'bigint') return { m: x, e: 0 };
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!match) throw new Error(`not a finite number: ${x}`);
  const [, sign, int, frac = '', exp = '0'] = match;
  return { m: BigInt(`${sign}${int}${frac}`), e: Number(exp) - frac.length };
}

/** An integral decimal stays exact; anything else rounds to the nearest float64. */
function fromDecimal(d: Decimal): Num {
  if (d.m === 0n) return 0;
  if (d.e >= 0) return normalizeNumber(d.m * pow10(d.e));
  const div = pow10(-d.e);
  if (d.m % div === 0n) return normalizeNumber(d.m / div);
  return normalizeNumber(Number(`${d.m}e${d.e}`));
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m * pow10(a.e - e), b.m * pow10(b.e - e), e];
}

const digits = (m: bigint): number => (m < 0n ? -m : m).toString().length;

export const isInteger = (x: Num): boolean => typeof x === 'bigint' || Number.isInteger(x);

const bothInts = (x: Num, y: Num): boolean => isInteger(x) && isInteger(y);

export function addNumbers(x: Num, y: Num): Num {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x + y;
    if (Number.isSafeInteger(r) && Number.isInteger(x) && Number.isInteger(y)) return r === 0 ? 0 : r;
  }
  if (bothInts(x, y)) return normalizeNumber(BigInt(x) + BigInt(y));
  const [a, b, e] = align(toDecimal(x), toDecimal(y));
  return fromDecimal({ m: a + b, e });
}

export function subtractNumbers(x: Num, y: Num): Num {
  return addNumbers(x, negate(y));
}

export function negate(x: Num): Num {
  return typeof x === 'bigint' ? normalizeNumber(-x) : x === 0 ? 0 : -x;
}

export function multiplyNumbers(x: Num, y: Num): Num {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x * y;
    if (Number.isSafeInteger(r) && Number.isInteger(x) && Number.isInteger(y)) return r === 0 ? 0 : r;
  }
  if (bothInts(x, y)) return normalizeNumber(BigInt(x) * BigInt(y));
  const a = toDecimal(x);
  const b = toDecimal(y);
  return fromDecimal({ m: a.m * b.m, e: a.e + b.e });
}

/** Quotient; the caller has refused a zero divisor. */
export function divideNumbers(x: Num, y: Num): Num {
  if (bothInts(x, y)) {
    const bx = BigInt(x);
    const by = BigInt(y);
    if (bx % by === 0n) return normalizeNumber(bx / by);
  }
  const a = toDecimal(x);
  const b = toDecimal(y);
  const k = 30 + digits(b.m);
  return fromDecimal({ m: (a.m * pow10(k)) / b.m, e: a.e - b.e - k });
}

/** Integer remainder, sign of the dividend (Go's %). */
export function remainder(x: Num, y: Num): Num {
  if (typeof x === 'number' && typeof y === 'number') {
    const r = x % y;
    return r === 0 ? 0 : r;
  }
  return normalizeNumber(BigInt(x) % BigInt(y));
}

/**
 * A number literal's exact value: integers of any size stay exact
 * (`1e1000` is an integer), other values are the nearest float64.
 * Undefined for text that is not a number, or past 100,000 digits.
 */
export function parseNumberText(text: string): Num | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  if (frac === '' && exp === '0' && int.length <= 15) return normalizeNumber(Number(text));
  const e = Number(exp) - frac.length;
  let mant = BigInt(`${int}${frac}` || '0');
  if (sign === '-') mant = -mant;
  if (mant === 0n) return 0;
  if (e > 100_000) return undefined;
  if (e >= 0) return normalizeNumber(mant * pow10(e));
  const div = pow10(Math.min(-e, 100_000));
  if (-e <= 100_000 && mant % div === 0n) return normalizeNumber(mant / div);
  const f = Number(text);
  return Number.isFinite(f) ? normalizeNumber(f) : undefined;
}

/** A number as OPA prints it: integers in full, other values in their shortest form. */
export function numberText(n: Num): string {
  if (typeof n === 'bigint') return n.toString();
  return Object.is(n, -0) ? '0' : String(n);
}
