import { describe, expect, it } from 'vitest';
import { compileModules, evalQuery } from '../../../src/rego/index.ts';
import { fromJSON } from '../../../src/rego/value.ts';
import { builtinErr, call, ok } from './call.ts';

const EXACT = 1670006453141828752n; // 2022-12-02T18:40:53.141828752Z
const NS = Number(EXACT); // the nearest float64, as a JSON input would carry it

describe('time.*', () => {
  it('parses RFC 3339 and Go layouts to exact nanoseconds', () => {
    expect(call('time.parse_rfc3339_ns', ['2022-12-02T18:40:53.141828752Z'])).toEqual(ok(Number(EXACT)));
    expect(call('time.parse_rfc3339_ns', ['2022-12-03T00:10:53+05:30'])).toEqual(ok(1670006453000000000));
    expect(call('time.parse_ns', ['2006-01-02', '2020-02-29'])).toEqual(ok(1582934400000000000));
    expect(call('time.parse_ns', ['Mon Jan _2 15:04:05 2006', 'Fri Feb  5 09:30:00 2021'])).toEqual(ok(1612517400000000000));
    expect(call('time.parse_ns', ['RFC1123Z', 'Sat, 03 Dec 2022 00:10:53 +0530'])).toEqual(ok(1670006453000000000));
    // Year 1 (no date in the layout) is outside int64 nanoseconds.
    expect(call('time.parse_ns', ['3:04PM', '11:30AM'])).toEqual(builtinErr('time.parse_ns: time outside of valid range'));
  });

  it('reports what Go reports for bad input', () => {
    expect(call('time.parse_ns', ['2006-01-02', '2020-13-01'])).toEqual(builtinErr('time.parse_ns: parsing time "2020-13-01": month out of range'));
    expect(call('time.parse_ns', ['2006-01-02', '2021-02-29'])).toEqual(builtinErr('time.parse_ns: parsing time "2021-02-29": day out of range'));
    expect(call('time.parse_ns', ['2006-01-02', 'x'])).toEqual(builtinErr('time.parse_ns: parsing time "x" as "2006-01-02": cannot parse "x" as "2006"'));
    expect(call('time.parse_duration_ns', ['1h2x'])).toEqual(builtinErr('time.parse_duration_ns: time: unknown unit "x" in duration "1h2x"'));
    expect(call('time.parse_duration_ns', ['12'])).toEqual(builtinErr('time.parse_duration_ns: time: missing unit in duration "12"'));
    expect(call('time.date', [10n ** 20n])).toEqual(builtinErr('time.date: timestamp too big'));
    expect(call('time.date', [fromJSON([0, 'Mars/Olympus'])])).toEqual(builtinErr('time.date: unknown time zone Mars/Olympus'));
  });

  it('parses Go durations exactly', () => {
    expect(call('time.parse_duration_ns', ['1h2m3.5s'])).toEqual(ok(3723500000000));
    expect(call('time.parse_duration_ns', ['-1.5µs'])).toEqual(ok(-1500));
    expect(call('time.parse_duration_ns', ['0'])).toEqual(ok(0));
  });

  it('gives the calendar, clock and weekday in a zone, across DST', () => {
    expect(call('time.date', [NS])).toEqual(ok([2022, 12, 2]));
    expect(call('time.date', [fromJSON([NS, 'Asia/Kolkata'])])).toEqual(ok([2022, 12, 3]));
    expect(call('time.clock', [fromJSON([NS, 'America/New_York'])])).toEqual(ok([13, 40, 53]));
    // 2022-07-01T12:00:00Z is 08:00 in New York (EDT, -4).
    expect(call('time.clock', [fromJSON([1656676800000000000, 'America/New_York'])])).toEqual(ok([8, 0, 0]));
    expect(call('time.weekday', [NS])).toEqual(ok('Friday'));
    expect(call('time.weekday', [fromJSON([NS, 'Asia/Kolkata'])])).toEqual(ok('Saturday'));
  });

  it('formats with the default, named and custom layouts', () => {
    expect(call('time.format', [EXACT])).toEqual(ok('2022-12-02T18:40:53.141828752Z'));
    expect(call('time.format', [fromJSON([EXACT, 'Asia/Kolkata'])])).toEqual(ok('2022-12-03T00:10:53.141828752+05:30'));
    expect(call('time.format', [fromJSON([EXACT, 'UTC', 'Kitchen'])])).toEqual(ok('6:40PM'));
    expect(call('time.format', [fromJSON([EXACT, 'UTC', '2006-01-02 15:04:05.000 Mon Jan 002'])])).toEqual(ok('2022-12-02 18:40:53.141 Fri Dec 336'));
  });

  it('adds dates with Go normalisation and diffs component-wise', () => {
    expect(call('time.add_date', [1585852421593912000, 3, 9, 12])).toEqual(ok(1705257221593912000));
    // Jan 31 + 1 month is March 3 (2021 is not a leap year), as Go's AddDate.
    expect(call('time.add_date', [1612051200000000000, 0, 1, 0])).toEqual(ok(1614729600000000000));
    expect(call('time.add_date', [0, 2262, 1, 1])).toEqual(builtinErr('time.add_date: time outside of valid range'));
    expect(call('time.diff', [1582934400000000000, 1580515200000000000])).toEqual(ok([0, 0, 28, 0, 0, 0]));
    expect(call('time.diff', [0, 61000000000])).toEqual(ok([0, 0, 0, 0, 1, 1]));
  });

  it('reads the query clock for now_ns', () => {
    expect(call('time.now_ns', [], [], { nowNs: 5n })).toEqual(ok(5));
  });
});

describe('time.now_ns() over a whole query', () => {
  // Between the two reads the query counts through 50,000 numbers: many milliseconds, so a clock read per call would differ.
  const source =
    'package clock\n\nimport rego.v1\n\nbefore := time.now_ns()\n\nbusy := count([x | some x in numbers.range(1, 50000); x % 7 == 0])\n\nafter := time.now_ns() if busy > 0\n';
  const { compiled } = compileModules([{ file: 'clock.rego', source }]);
  const read = (): bigint[] => {
    const { results, error } = evalQuery(compiled!, 'a := data.clock.before; b := data.clock.after; c := time.now_ns()');
    expect(error).toBeUndefined();
    const r = results[0]!;
    return [r.a, r.b, r.c].map((v) => BigInt(v as bigint));
  };

  it('is one instant for every call in the query, and a later one for the next query', () => {
    const t0 = BigInt(Date.now()) * 1_000_000n;
    const [a, b, c] = read();
    expect([b, c]).toEqual([a, a]);
    expect(a! >= t0 && a! - t0 < 60_000_000_000n).toBe(true);
    const [next] = read();
    expect(next! > a!).toBe(true);
  });
});
