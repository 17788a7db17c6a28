/**
 * Civil time (the calendar and the clock) of an instant in a time zone, as
 * Go's time package gives it. Zones are IANA names read through Intl (the
 * ICU data Node ships); "" and "UTC" are UTC, "Local" the process's zone.
 * Instants are nanoseconds since the epoch in OPA's range (int64).
 */
import { builtinError } from './operands.ts';

export interface Civil {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  weekday: number; // 0 = Sunday
  yearDay: number; // 1..366
  /** Seconds east of UTC. */
  offset: number;
  /** Zone abbreviation (what Go prints for MST). */
  abbrev: string;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export const inInt64 = (ns: bigint): boolean => ns >= INT64_MIN && ns <= INT64_MAX;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
      timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The IANA zone for a Go location name, or an error naming the builtin. */
export function zoneName(name: string, builtin: string): string {
  if (name === '' || name === 'UTC') return 'UTC';
  if (name === 'Local') return Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    formatter(name);
    return name;
  } catch {
    throw builtinError(builtin, `unknown time zone ${name}`);
  }
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** Offset (seconds east of UTC) and abbreviation of a zone at an instant given in milliseconds. */
function zoneOffset(zone: string, ms: number): { offset: number; abbrev: string } {
  if (zone === 'UTC') return { offset: 0, abbrev: 'UTC' };
  const parts = formatter(zone).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  let year = Number(get('year'));
  if (get('era') === 'BC') year = 1 - year;
  const wall = dateUTC(year, Number(get('month')), Number(get('day')), Number(get('hour')), Number(get('minute')), Number(get('second')));
  const offset = Math.round((wall - Math.floor(ms / 1000) * 1000) / 1000);
  return { offset, abbrev: get('timeZoneName') };
}

export function civil(ns: bigint, zone: string): Civil {
  const ms = Number(floorDiv(ns, 1_000_000n));
  const nanos = Number(ns - floorDiv(ns, 1_000_000_000n) * 1_000_000_000n);
  const { offset, abbrev } = zoneOffset(zone, ms);
  const d = new Date(Math.floor(ms / 1000) * 1000 + offset * 1000);
  const year = d.getUTCFullYear();
  const startOfYear = dateUTC(year, 1, 1);
  const dayStart = dateUTC(year, d.getUTCMonth() + 1, d.getUTCDate());
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    nanos,
    weekday: d.getUTCDay(),
    yearDay: Math.round((dayStart - startOfYear) / 86_400_000) + 1,
    offset,
    abbrev,
  };
}

/**
 * The instant of a wall-clock time (fields normalised as Go's time.Date
 * does: month 13 is January of the next year) in a zone.
 */
export function fromCivil(y: number, mo: number, d: number, h: number, mi: number, s: number, nanos: number, zone: string): bigint {
  const wallMs = dateUTC(y, mo, d, h, mi, s);
  let offset = zoneOffset(zone, wallMs).offset;
  // Go picks the offset in force at the resulting instant; one correction settles DST edges.
  offset = zoneOffset(zone, wallMs - offset * 1000).offset;
  return BigInt(wallMs - offset * 1000) * 1_000_000n + BigInt(nanos);
}

const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/** Date.UTC for any year (Date.UTC reads years 0..99 as 1900..1999; the calendar repeats every 400 years). */
export function dateUTC(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  if (y >= 0 && y <= 99) return Date.UTC(y + 400, mo - 1, d, h, mi, s) - FOUR_CENTURIES_MS;
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

export const daysIn = (y: number, m: number): number => 32 - new Date(dateUTC(y, m, 32)).getUTCDate();
