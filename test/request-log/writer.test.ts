/**
 * The writer's pure parts: the retry delay, a batch's parameters and the
 * INSERT statement's shape, the row checks, the error classes.
 */
import { describe, expect, it } from 'vitest';
import { isRowError, sqlState } from '../../src/request-log/connection.ts';
import { entryProblem, MAX_TEXT } from '../../src/request-log/rows.ts';
import { ATTEMPT_KEYS, attemptJson, INSERT_SQL, insertParams, REQUEST_KEYS, requestJson } from '../../src/request-log/statements.ts';
import type { RequestRow } from '../../src/request-log/types.ts';
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
  it('is one statement with two parameters, the same text for every batch, skipping rows already there', () => {
    expect([...INSERT_SQL.matchAll(/\$(\d+)::json/g)].map((m) => Number(m[1]))).toEqual([1, 2]);
    expect(INSERT_SQL.match(/ON CONFLICT DO NOTHING/g)).toHaveLength(2);
  });

  it("sends a batch as two JSON texts: the requests, then every attempt in order; only the rows' own fields", () => {
    const [a, b] = scriptedLoad().slice(2, 4); // scenarios 3 (two attempts) and 4 (five)
    // Whatever else a caller's objects carry (here a key) never leaves the process.
    const leaky = { ...a!.request, apiKey: 'sk-secret' } as RequestRow;
    const [requests, attempts] = insertParams([
      { request: leaky, attempts: a!.attempts, rows: 3 },
      { ...b!, rows: 6 },
    ]);
    expect(requests).not.toContain('sk-secret');
    expect(JSON.parse(requests)).toEqual([a!.request, b!.request]);
    expect(JSON.parse(attempts)).toEqual([...a!.attempts, ...b!.attempts]);
    expect(Object.keys(requestJson(a!.request))).toEqual(REQUEST_KEYS);
    expect(Object.keys(attemptJson(a!.attempts[0]!))).toEqual(ATTEMPT_KEYS);
    expect(JSON.parse(requests)[0]).toEqual({
      requestId: 'd1-c000-s3',
      tenant: 'support-assistant',
      requestedGroup: 'chat',
      modelGroup: 'chat-azure',
      deployment: 'azure-eastus-gpt-4o',
      provider: 'azure-eastus',
      startTime: Date.UTC(2025, 2, 1, 0, 0, 16),
      endTime: Date.UTC(2025, 2, 1, 0, 0, 17, 500),
      promptTokens: 10_000,
      completionTokens: 1_000,
      spend: 0.035,
      status: 'success',
      statusCode: 200,
      attempts: 2,
    });
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
