/**
 * time.*: nanoseconds since the epoch (int64, as OPA), civil dates and
 * clocks in IANA zones (time-zone.ts), Go layouts (time-layout.ts) and Go
 * durations. time.now_ns is fixed for a whole query (the builtin context).
 */
import { normalizeNumber, type Value } from '../value.ts';
import { builtinError, intOperand, numberOperand, operandError, stringOperand } from './operands.ts';
import { formatTime, NAMED_LAYOUTS, parseTime } from './time-layout.ts';
import { civil, daysIn, fromCivil, inInt64, zoneName, type Civil } from './time-zone.ts';
import { operandTypeError, type Builtin } from './types.ts';
import { typeName } from '../value.ts';

interface ZonedTime {
  ns: bigint;
  zone: string;
  layout?: string;
}

function nsOf(name: string, v: Value, position: number): bigint {
  const n = numberOperand(name, v, position);
  const ns = typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
  if (!inInt64(ns)) throw builtinError(name, 'timestamp too big');
  return ns;
}

/** A timestamp, or [timestamp, zone] (and [timestamp, zone, layout] for time.format). */
function zoned(name: string, v: Value, withLayout = false): ZonedTime {
  if (!Array.isArray(v)) {
    if (typeof v !== 'number' && typeof v !== 'bigint') throw operandTypeError(name, 1, ['number', 'array'], typeName(v));
    return { ns: nsOf(name, v, 1), zone: 'UTC' };
  }
  const max = withLayout ? 3 : 2;
  if (v.length < 2 || v.length > max) throw operandError(name, 1, `expected array of length 2${withLayout ? ' or 3' : ''} but got ${v.length}`);
  const zone = zoneName(stringOperand(name, v[1]!, 1), name);
  const out: ZonedTime = { ns: nsOf(name, v[0]!, 1), zone };
  if (v.length === 3) out.layout = stringOperand(name, v[2]!, 1);
  return out;
}

const civilOf = (name: string, v: Value): Civil => {
  const t = zoned(name, v);
  return civil(t.ns, t.zone);
};

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration, exact to the nanosecond. */
export function parseDuration(s: string): bigint | { error: string } {
  const invalid = { error: `time: invalid duration ${JSON.stringify(s)}` };
  let rest = s;
  let neg = false;
  if (rest[0] === '-' || rest[0] === '+') {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return invalid;
  let total = 0n;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    if (m[0] === '' || m[0] === '.') return invalid;
    rest = rest.slice(m[0].length);
    const u = /^[^\d.]*/.exec(rest)![0];
    if (u === '') return { error: `time: missing unit in duration ${JSON.stringify(s)}` };
    const mult = UNITS[u];
    if (mult === undefined) return { error: `time: unknown unit ${JSON.stringify(u)} in duration ${JSON.stringify(s)}` };
    rest = rest.slice(u.length);
    const frac = m[2] ?? '';
    total += BigInt(m[1] || '0') * mult + (frac === '' ? 0n : (BigInt(frac) * mult) / 10n ** BigInt(frac.length));
  }
  if (total > 2n ** 63n - 1n) return invalid;
  return neg ? -total : total;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** OPA's time.diff: component-wise difference with borrowing, the later time first. */
function diff(a: ZonedTime, b: ZonedTime): number[] {
  let [t1, t2] = a.ns <= b.ns ? [a.ns, b.ns] : [b.ns, a.ns];
  const c1 = civil(t1, a.zone);
  const c2 = civil(t2, a.zone);
  t1 = t2;
  let year = c2.year - c1.year;
  let month = c2.month - c1.month;
  let day = c2.day - c1.day;
  let hour = c2.hour - c1.hour;
  let min = c2.minute - c1.minute;
  let sec = c2.second - c1.second;
  if (sec < 0) {
    sec += 60;
    min--;
  }
  if (min < 0) {
    min += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysIn(c1.year, c1.month);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, min, sec];
}

const ns = (n: bigint): Value => normalizeNumber(n);

export const TIME: Builtin[] = [
  { name: 'time.now_ns', arity: 0, call: (_args, ctx) => ns(ctx.nowNs) },
  {
    name: 'time.parse_rfc3339_ns',
    arity: 1,
    call([a]) {
      const s = stringOperand('time.parse_rfc3339_ns', a!, 1);
      const t = parseTime(NAMED_LAYOUTS.RFC3339!, s);
      if (typeof t !== 'bigint') throw builtinError('time.parse_rfc3339_ns', t.error);
      return ns(t);
    },
  },
  {
    name: 'time.parse_ns',
    arity: 2,
    call([l, a]) {
      const layout = stringOperand('time.parse_ns', l!, 1);
      const s = stringOperand('time.parse_ns', a!, 2);
      const t = parseTime(NAMED_LAYOUTS[layout] ?? layout, s);
      if (typeof t !== 'bigint') throw builtinError('time.parse_ns', t.error);
      if (!inInt64(t)) throw builtinError('time.parse_ns', 'time outside of valid range');
      return ns(t);
    },
  },
  {
    name: 'time.parse_duration_ns',
    arity: 1,
    call([a]) {
      const d = parseDuration(stringOperand('time.parse_duration_ns', a!, 1));
      if (typeof d !== 'bigint') throw builtinError('time.parse_duration_ns', d.error);
      return ns(d);
    },
  },
  {
    name: 'time.date',
    arity: 1,
    call([a]) {
      const c = civilOf('time.date', a!);
      return [c.year, c.month, c.day];
    },
  },
  {
    name: 'time.clock',
    arity: 1,
    call([a]) {
      const c = civilOf('time.clock', a!);
      return [c.hour, c.minute, c.second];
    },
  },
  { name: 'time.weekday', arity: 1, call: ([a]) => DAYS[civilOf('time.weekday', a!).weekday]! },
  {
    name: 'time.add_date',
    arity: 4,
    call([t, y, m, d]) {
      const base = nsOf('time.add_date', t!, 1);
      const c = civil(base, 'UTC');
      const years = intOperand('time.add_date', y!, 2);
      const months = intOperand('time.add_date', m!, 3);
      const days = intOperand('time.add_date', d!, 4);
      const out = fromCivil(c.year + years, c.month + months, c.day + days, c.hour, c.minute, c.second, c.nanos, 'UTC');
      if (!inInt64(out)) throw builtinError('time.add_date', 'time outside of valid range');
      return ns(out);
    },
  },
  { name: 'time.diff', arity: 2, call: ([a, b]) => diff(zoned('time.diff', a!), zoned('time.diff', b!)) },
  {
    name: 'time.format',
    arity: 1,
    call([a]) {
      const t = zoned('time.format', a!, true);
      const layout = t.layout === undefined ? NAMED_LAYOUTS.RFC3339Nano! : (NAMED_LAYOUTS[t.layout] ?? t.layout);
      return formatTime(civil(t.ns, t.zone), layout);
    },
  },
];
