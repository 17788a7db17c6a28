/**
 * Go's reference-time layouts ("2006-01-02T15:04:05Z07:00"): the format
 * time.format writes and time.parse_ns reads. Layout elements are found as
 * Go's nextStdChunk finds them; everything else is literal text.
 */
import { type Civil, dateUTC, daysIn } from './time-zone.ts';

export const NAMED_LAYOUTS: Record<string, string> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
  Kitchen: '3:04PM',
  Stamp: 'Jan _2 15:04:05',
  StampMilli: 'Jan _2 15:04:05.000',
  StampMicro: 'Jan _2 15:04:05.000000',
  StampNano: 'Jan _2 15:04:05.000000000',
  DateTime: '2006-01-02 15:04:05',
  DateOnly: '2006-01-02',
  TimeOnly: '15:04:05',
};

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Layout elements, longest first where one is a prefix of another. */
const ELEMENTS = [
  'January',
  'Jan',
  'Monday',
  'Mon',
  'MST',
  '2006',
  '002',
  '01',
  '02',
  '03',
  '04',
  '05',
  '06',
  '15',
  '__2',
  '_2',
  '-07:00:00',
  '-070000',
  '-07:00',
  '-0700',
  '-07',
  'Z07:00:00',
  'Z070000',
  'Z07:00',
  'Z0700',
  'Z07',
  'PM',
  'pm',
  '1',
  '2',
  '3',
  '4',
  '5',
];

type Chunk = { lit: string } | { el: string } | { frac: '0' | '9'; digits: number; sep: string };

const layoutCache = new Map<string, Chunk[]>();

function chunks(layout: string): Chunk[] {
  const cached = layoutCache.get(layout);
  if (cached) return cached;
  const out: Chunk[] = [];
  let lit = '';
  let i = 0;
  while (i < layout.length) {
    const c = layout[i]!;
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const d = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === d) j++;
      if (!/[0-9]/.test(layout[j] ?? '')) {
        if (lit) out.push({ lit });
        lit = '';
        out.push({ frac: d as '0' | '9', digits: j - i - 1, sep: c });
        i = j;
        continue;
      }
    }
    const el = ELEMENTS.find((e) => layout.startsWith(e, i) && elementAllowed(e, layout, i));
    if (el) {
      if (lit) out.push({ lit });
      lit = '';
      out.push({ el });
      i += el.length;
    } else {
      lit += c;
      i++;
    }
  }
  if (lit) out.push({ lit });
  layoutCache.set(layout, out);
  return out;
}

/** Go reads "Jan"/"Mon" only when not followed by a lower-case letter (so "Monthly" stays text). */
function elementAllowed(e: string, layout: string, i: number): boolean {
  if (e === 'Jan' || e === 'Mon') return !/[a-z]/.test(layout[i + e.length] ?? '');
  return true;
}

const pad = (n: number, w: number, ch = '0'): string => String(n).padStart(w, ch);

function formatOffset(offset: number, el: string): string {
  if (el.startsWith('Z') && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2);
  const mm = pad(Math.floor(abs / 60) % 60, 2);
  const ss = pad(abs % 60, 2);
  const body = el.slice(1);
  if (body === '07') return `${sign}${hh}`;
  if (body === '0700') return `${sign}${hh}${mm}`;
  if (body === '07:00') return `${sign}${hh}:${mm}`;
  if (body === '070000') return `${sign}${hh}${mm}${ss}`;
  return `${sign}${hh}:${mm}:${ss}`;
}

export function formatTime(c: Civil, layout: string): string {
  let out = '';
  for (const ch of chunks(layout)) {
    if ('lit' in ch) out += ch.lit;
    else if ('frac' in ch) {
      let digits = pad(c.nanos, 9).slice(0, ch.digits);
      if (ch.frac === '9') digits = digits.replace(/0+$/, '');
      if (digits !== '' || ch.frac === '0') out += ch.sep + digits;
    } else out += formatElement(c, ch.el);
  }
  return out;
}

function formatElement(c: Civil, el: string): string {
  const h12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
  switch (el) {
    case 'January':
      return MONTHS[c.month - 1]!;
    case 'Jan':
      return MONTHS[c.month - 1]!.slice(0, 3);
    case 'Monday':
      return DAYS[c.weekday]!;
    case 'Mon':
      return DAYS[c.weekday]!.slice(0, 3);
    case 'MST':
      return c.abbrev.startsWith('GMT') && c.abbrev !== 'GMT' ? formatOffset(c.offset, '-0700') : c.abbrev;
    case '2006':
      return pad(c.year, 4);
    case '06':
      return pad(c.year % 100, 2);
    case '01':
      return pad(c.month, 2);
    case '1':
      return String(c.month);
    case '02':
      return pad(c.day, 2);
    case '_2':
      return pad(c.day, 2, ' ');
    case '2':
      return String(c.day);
    case '002':
      return pad(c.yearDay, 3);
    case '__2':
      return pad(c.yearDay, 3, ' ');
    case '15':
      return pad(c.hour, 2);
    case '03':
      return pad(h12, 2);
    case '3':
      return String(h12);
    case '04':
      return pad(c.minute, 2);
    case '4':
      return String(c.minute);
    case '05':
      return pad(c.second, 2);
    case '5':
      return String(c.second);
    case 'PM':
      return c.hour >= 12 ? 'PM' : 'AM';
    case 'pm':
      return c.hour >= 12 ? 'pm' : 'am';
    default:
      return formatOffset(c.offset, el);
  }
}

const quote = (s: string): string => JSON.stringify(s);

/** Go's time.Parse: the instant (nanoseconds) the value names, or the text of Go's error. */
export function parseTime(layout: string, value: string): bigint | { error: string } {
  const fail = (rest: string, el: string, why = '') =>
    ({ error: `parsing time ${quote(value)}${why ? `: ${why}` : ` as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(el)}`}` }) as const;
  let year = 1;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nanos = 0;
  let pm: boolean | null = null;
  let offset: number | null = null;
  let yday = -1;
  let v = value;
  const num = (min: number, max: number): number | null => {
    const m = new RegExp(`^\\d{${min},${max}}`).exec(v);
    if (!m) return null;
    v = v.slice(m[0].length);
    return Number(m[0]);
  };
  for (const ch of chunks(layout)) {
    if ('lit' in ch) {
      if (!v.startsWith(ch.lit)) return fail(v, ch.lit);
      v = v.slice(ch.lit.length);
      continue;
    }
    if ('frac' in ch) {
      const m = /^[.,](\d+)/.exec(v);
      if (!m) {
        if (ch.frac === '9') continue;
        return fail(v, `${ch.sep}${ch.frac.repeat(ch.digits)}`);
      }
      if (ch.frac === '0' && m[1]!.length !== ch.digits) return fail(v, `${ch.sep}${ch.frac.repeat(ch.digits)}`);
      nanos = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
      v = v.slice(m[0].length);
      continue;
    }
    const el = ch.el;
    const rest = v;
    let n: number | null = null;
    switch (el) {
      case '2006':
        n = num(4, 4);
        if (n === null) return fail(rest, el);
        year = n;
        break;
      case '06':
        n = num(2, 2);
        if (n === null) return fail(rest, el);
        year = n >= 69 ? 1900 + n : 2000 + n;
        break;
      case 'January':
      case 'Jan': {
        const names = el === 'Jan' ? MONTHS.map((x) => x.slice(0, 3)) : MONTHS;
        const i = names.findIndex((x) => v.toLowerCase().startsWith(x.toLowerCase()));
        if (i < 0) return fail(rest, el);
        month = i + 1;
        v = v.slice(names[i]!.length);
        break;
      }
      case 'Monday':
      case 'Mon': {
        const names = el === 'Mon' ? DAYS.map((x) => x.slice(0, 3)) : DAYS;
        const i = names.findIndex((x) => v.toLowerCase().startsWith(x.toLowerCase()));
        if (i < 0) return fail(rest, el);
        v = v.slice(names[i]!.length);
        break;
      }
      case '01':
      case '1':
        n = el === '01' ? num(2, 2) : num(1, 2);
        if (n === null || n < 1 || n > 12) return n === null ? fail(rest, el) : fail(rest, el, 'month out of range');
        month = n;
        break;
      case '02':
      case '_2':
      case '2':
        if (el === '_2' && v.startsWith(' ')) v = v.slice(1);
        n = el === '02' ? num(2, 2) : num(1, 2);
        if (n === null) return fail(rest, el);
        day = n;
        break;
      case '002':
      case '__2':
        n = num(el === '002' ? 3 : 1, 3);
        if (n === null) return fail(rest, el);
        yday = n;
        break;
      case '15':
        n = num(1, 2);
        if (n === null || n > 23) return n === null ? fail(rest, el) : fail(rest, el, 'hour out of range');
        hour = n;
        break;
      case '03':
      case '3':
        n = el === '03' ? num(2, 2) : num(1, 2);
        if (n === null || n > 12) return n === null ? fail(rest, el) : fail(rest, el, 'hour out of range');
        hour = n;
        break;
      case '04':
      case '4':
        n = el === '04' ? num(2, 2) : num(1, 2);
        if (n === null || n > 59) return n === null ? fail(rest, el) : fail(rest, el, 'minute out of range');
        minute = n;
        break;
      case '05':
      case '5': {
        n = el === '05' ? num(2, 2) : num(1, 2);
        if (n === null || n > 59) return n === null ? fail(rest, el) : fail(rest, el, 'second out of range');
        second = n;
        // Go accepts a fraction after the seconds even when the layout has none.
        const m = /^[.,](\d+)/.exec(v);
        if (m && !layoutHasFracNext(layout, el)) {
          nanos = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
          v = v.slice(m[0].length);
        }
        break;
      }
      case 'PM':
      case 'pm': {
        const m = /^(AM|PM|am|pm)/.exec(v);
        if (!m) return fail(rest, el);
        pm = m[1]!.toUpperCase() === 'PM';
        v = v.slice(2);
        break;
      }
      case 'MST': {
        const m = /^(UTC|GMT|[A-Z]{3,5})/.exec(v);
        if (!m) return fail(rest, el);
        v = v.slice(m[0].length);
        if (m[1] === 'UTC' || m[1] === 'GMT') offset ??= 0;
        break;
      }
      default: {
        if (el.startsWith('Z') && v.startsWith('Z')) {
          v = v.slice(1);
          offset = 0;
          break;
        }
        const body = el.slice(1);
        const re =
          body === '07'
            ? /^([+-])(\d\d)/
            : body === '0700'
              ? /^([+-])(\d\d)(\d\d)/
              : body === '07:00'
                ? /^([+-])(\d\d):(\d\d)/
                : body === '070000'
                  ? /^([+-])(\d\d)(\d\d)(\d\d)/
                  : /^([+-])(\d\d):(\d\d):(\d\d)/;
        const m = re.exec(v);
        if (!m) return fail(rest, el);
        const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
        offset = m[1] === '-' ? -secs : secs;
        v = v.slice(m[0].length);
      }
    }
  }
  if (v !== '') return { error: `parsing time ${quote(value)}: extra text: ${quote(v)}` };
  if (pm !== null) {
    if (pm && hour < 12) hour += 12;
    else if (!pm && hour === 12) hour = 0;
  }
  if (yday >= 0) {
    const d = new Date(dateUTC(year, 1, yday));
    month = d.getUTCMonth() + 1;
    day = d.getUTCDate();
  }
  if (day < 1 || day > daysIn(year, month)) return { error: `parsing time ${quote(value)}: day out of range` };
  const ms = dateUTC(year, month, day, hour, minute, second) - (offset ?? 0) * 1000;
  return BigInt(ms) * 1_000_000n + BigInt(nanos);
}

function layoutHasFracNext(layout: string, el: string): boolean {
  const i = layout.indexOf(el);
  return i >= 0 && /^[.,][09]/.test(layout.slice(i + el.length));
}
