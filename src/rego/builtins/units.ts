/**
 * units.parse_bytes ("10KB", "1.5GiB", "1e3" to a whole number of bytes) and
 * units.parse ("100m" = 0.1, "1.1Ki" = 1126.4: SI and binary suffixes).
 */
import { builtinError, stringOperand } from './operands.ts';
import type { Builtin } from './types.ts';
import { normalizeNumber } from '../value.ts';
import { parseNumberText } from '../decimal.ts';

const NAME = 'units.parse_bytes';

/**
 * k, m, g, t, p, e: with or without a trailing "b" they are powers of 1000,
 * with "i" (or "ib") powers of 1024, as OPA's units.parse_bytes reads them.
 */
const MULTIPLIERS: Record<string, bigint> = { '': 1n };
['k', 'm', 'g', 't', 'p', 'e'].forEach((prefix, i) => {
  const power = BigInt(i + 1);
  MULTIPLIERS[prefix] = MULTIPLIERS[`${prefix}b`] = 1000n ** power;
  MULTIPLIERS[`${prefix}i`] = MULTIPLIERS[`${prefix}ib`] = 1n << (10n * power);
});

// OPA's own messages carry the builtin name, and its error wrapper adds it again.
const failFor = (name: string) => (why: string) => builtinError(name, `${name}: ${why}`);
const fail = failFor(NAME);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** OPA's extractNumAndUnit: digits, '.', and a well-formed exponent make the number; the rest is the unit. */
function split(s: string, fail: (why: string) => Error): [string, string] {
  let cut = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!isDigit(c) && c !== '.' && c !== 'e' && c !== 'E' && c !== '+' && c !== '-') {
      cut = i;
      break;
    }
    if (c === 'e' || c === 'E') {
      const next = s[i + 1];
      if (i === s.length - 1 || (!isDigit(next) && next !== '+' && next !== '-')) {
        cut = i;
        break;
      }
      if (next === '+' || next === '-') i++;
      let end = i + 1;
      while (isDigit(s[end])) end++;
      if (end - (i + 1) > 6) throw fail('exponent too large');
    }
  }
  if (cut === -1) return [s, ''];
  return [s.slice(0, cut), s.slice(cut)];
}

/** Exact decimal `num` times `mult` x 10^`exp10`: truncated toward zero when `whole`, else exact (or the nearest float64). */
function scale(num: string, mult: bigint, exp10 = 0, whole = true): number | bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(num);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  let value = BigInt(`${int}${frac}` || '0') * mult;
  if (sign === '-') value = -value;
  const shift = Number(exp) - frac.length + exp10;
  if (shift >= 0) return normalizeNumber(value * 10n ** BigInt(shift));
  if (whole) return normalizeNumber(value / 10n ** BigInt(-shift));
  return parseNumberText(`${value}e${shift}`);
}

/** units.parse: "m" is milli and "M" mega; other suffixes in any case, "i" for powers of 1024. */
function unitsParse(raw: string): number | bigint {
  const failUnits = failFor('units.parse');
  const s = raw.replace(/"/g, '');
  if (s.includes(' ')) throw failUnits('spaces not allowed in resource strings');
  const [num, unit] = split(s, failUnits);
  if (num === '') throw failUnits('no amount provided');
  let value: number | bigint | undefined;
  if (unit === 'm') value = scale(num, 1n, -3, false);
  else if (unit === 'M') value = scale(num, 1000n ** 2n, 0, false);
  else {
    const mult = MULTIPLIERS[unit.toLowerCase()];
    if (mult === undefined || unit.toLowerCase().endsWith('b')) throw failUnits(`unit ${unit} not recognized`);
    value = scale(num, mult, 0, false);
  }
  if (value === undefined) throw failUnits('could not parse amount to a number');
  return value;
}

export const UNITS: Builtin[] = [
  { name: 'units.parse', arity: 1, call: ([a]) => unitsParse(stringOperand('units.parse', a!, 1)) },
  {
    name: NAME,
    arity: 1,
    call([a]) {
      const s = stringOperand(NAME, a!, 1).toLowerCase().replace(/"/g, '');
      if (s.includes(' ')) throw fail('spaces not allowed in resource strings');
      const [num, unit] = split(s, fail);
      if (num === '') throw fail('no byte amount provided');
      const mult = MULTIPLIERS[unit];
      if (mult === undefined) throw fail(`byte unit ${unit} not recognized`);
      const n = scale(num, mult);
      if (n === undefined) throw fail('could not parse byte amount to a number');
      return n === 0 ? 0 : n;
    },
  },
];
