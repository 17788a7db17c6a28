/**
 * The writer's pure parts: the retry delay, the column arrays of a batch and
 * the INSERT statement's shape, the row checks.
 */
import { describe, expect, it } from 'vitest';
import { isRowError, sqlState } from '../../src/request-log/connection.ts';
import { entryProblem, MAX_TEXT } from '../../src/request-log/rows.ts';
import { INSERT_SQL, insertParams } from '../../src/request-log/statements.ts';
import { retryDelayMs } from '../../src/request-log/writer.ts';
import { scriptedLoad } from './load.fixture.ts';

describe('retry delay', () => {
  it('doubles from the initial delay up to the cap, with between half and all of it as jitter', () => {
    const low = () => 0;
    const high = () => 1;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => retryDelayMs(n, 250, 30_000, high))).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect([1, 2, 3, 9].map((n) => retryDelayMs(n, 250, 30_000, low))).toEqual([125, 250, 500, 15_000]);
    // Thousands of failures (a database down for days) neither overflow nor pass the cap.
    expect(retryDelayMs(5_000, 250, 30_000, high)).toBe(30_000);
    expect(retryDelayMs(0, 250, 30_000, high)).toBe(250);
  });
});

describe('batch statement', () => {
  it('has one parameter per column array, the same text for every batch size', () => {
    const params = [...INSERT_SQL.matchAll(/\$(\d+)::/g)].map((m) => Number(m[1]));
    expect(params).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    expect(INSERT_SQL.match(/ON CONFLICT DO NOTHING/g)).toHaveLength(2);
  });

  it('turns a batch into column arrays: requests first, then every attempt, latency rounded to whole milliseconds', () => {
    const [a, b] = scriptedLoad().slice(2, 4); // scenarios 3 (two attempts) and 4 (five)
    const withFraction = { ...a!, attempts: a!.attempts.map((x, i) => ({ ...x, latencyMs: i === 0 ? 99.5 : null })) };
    const cols = insertParams([
      { ...withFraction, rows: 3 },
      { ...b!, rows: 6 },
    ]);
    expect(cols).toHaveLength(23);
    expect(cols.slice(0, 14)).toEqual([
      ['d1-c000-s3', 'd1-c000-s4'],
      ['support-assistant', 'support-assistant'],
      ['chat', 'chat'],
      ['chat-azure', 'chat-anthropic'],
      ['azure-eastus-gpt-4o', 'anthropic-claude-sonnet'],
      ['azure-eastus', 'anthropic'],
      [Date.UTC(2025, 2, 1, 0, 0, 16), Date.UTC(2025, 2, 1, 0, 0, 24)],
      [Date.UTC(2025, 2, 1, 0, 0, 17, 500), Date.UTC(2025, 2, 1, 0, 0, 25, 900)],
      [10_000, 10_000],
      [1_000, 1_000],
      [0.035, 0.045],
      ['success', 'success'],
      [200, 200],
      [2, 5],
    ]);
    expect(cols[14]).toEqual(['d1-c000-s3', 'd1-c000-s3', 'd1-c000-s4', 'd1-c000-s4', 'd1-c000-s4', 'd1-c000-s4', 'd1-c000-s4']);
    expect(cols[15]).toEqual([1, 2, 1, 2, 3, 4, 5]);
    expect(cols[20]).toEqual([503, 200, 503, 503, null, 503, 200]);
    expect(cols[21]).toEqual([100, null, 100, 100, 100, 100, 100]);
  });
});

describe('row checks', () => {
  const [r] = scriptedLoad().slice(3, 4);
  it('accept the rows the gateway writes, with text up to the column limit', () => {
    expect(entryProblem(r!.request, r!.attempts)).toBeNull();
    expect(entryProblem({ ...r!.request, tenant: 't'.repeat(MAX_TEXT) }, [])).toBeNull();
    expect(entryProblem({ ...r!.request, modelGroup: null, deployment: null, provider: null, statusCode: null, attempts: 0 }, [])).toBeNull();
  });

  it('name what is wrong', () => {
    expect(entryProblem({ ...r!.request, tenant: 't'.repeat(MAX_TEXT + 1) }, [])).toBe('tenant is not a valid text value');
    expect(entryProblem({ ...r!.request, promptTokens: 2 ** 31 - 1, completionTokens: 1 }, [])).toBe('token counts are not integers in range');
    expect(entryProblem({ ...r!.request, endTime: 253_402_300_800_000 }, [])).toBe('startTime or endTime is not epoch milliseconds');
    expect(entryProblem(r!.request, [{ ...r!.attempts[0]!, attempt: 2.5 }])).toBe('attempt number is not a positive integer (attempt of "d1-c000-s4")');
  });
});

describe('database errors', () => {
  it('treats data and constraint errors as the rows fault, everything else as the database state', () => {
    expect(isRowError({ code: '23514' })).toBe(true);
    expect(isRowError({ code: '22P02' })).toBe(true);
    expect(isRowError({ code: '57014' })).toBe(false); // statement timeout
    expect(isRowError({ code: '42P01' })).toBe(false); // table dropped: reconnecting recreates it
    expect(isRowError({ code: 'ECONNREFUSED' })).toBe(false);
    expect(sqlState({ code: 'ECONNRESET' })).toBeNull();
    expect(sqlState({ code: 'EPIPE' })).toBeNull();
    expect(sqlState({ code: '57P01' })).toBe('57P01');
    expect(sqlState({ code: 'XX000' })).toBe('XX000');
    expect(isRowError(new Error('timeout'))).toBe(false);
  });
});
