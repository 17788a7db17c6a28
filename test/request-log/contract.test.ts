/**
 * The RequestLog contract, one test run against every implementation: the
 * in-memory log, the writer on PGlite and the writer on a PostgreSQL
 * server. A gateway test written against memoryRequestLog() holds for the
 * database writers because of this file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestLog, memoryRequestLog } from '../../src/request-log/index.ts';
import type { AttemptRow, RequestLog, RequestRow } from '../../src/request-log/types.ts';
import { type PostgresServer, startPostgres } from '../fixtures/postgres-server.ts';
import { pgliteEngine } from '../fixtures/sql-engine.ts';
import { type LoggedRequest, rowsOf, scriptedLoad } from './load.fixture.ts';

interface Subject {
  log: RequestLog;
  /** Request ids and attempt count kept, read after close(). */
  stored(): Promise<{ ids: string[]; attempts: number }>;
}

interface Implementation {
  name: string;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  open(): Promise<Subject>;
}

const sortedIds = (rows: readonly { requestId: string }[]) => rows.map((r) => r.requestId).sort();

let server: PostgresServer;
let databases = 0;
let pgliteDir = '';

const IMPLEMENTATIONS: Implementation[] = [
  {
    name: 'memoryRequestLog',
    async open() {
      const log = memoryRequestLog();
      return { log, stored: async () => ({ ids: sortedIds(log.requests()), attempts: log.attempts().length }) };
    },
  },
  {
    name: 'the writer on PGlite',
    async setup() {
      pgliteDir = mkdtempSync(join(tmpdir(), 'switchyard-reqlog-'));
    },
    // One data directory for the suite (initialising one costs seconds): each test's writer reopens it, and stored() empties it after reading.
    async open() {
      const log = createRequestLog({ dataDir: pgliteDir, flushIntervalMs: 5 });
      return {
        log,
        async stored() {
          const db = await pgliteEngine(join(pgliteDir, 'pgdata'));
          try {
            const ids = (await db.rows('SELECT request_id FROM switchyard.requests ORDER BY request_id')).map((r) => String(r.request_id));
            const [n] = await db.rows('SELECT count(*) AS n FROM switchyard.attempts');
            await db.exec('TRUNCATE switchyard.requests, switchyard.attempts');
            return { ids, attempts: Number(n!.n) };
          } finally {
            await db.close();
          }
        },
      };
    },
    async teardown() {
      rmSync(pgliteDir, { recursive: true, force: true });
    },
  },
  {
    name: 'the writer on a PostgreSQL server',
    async setup() {
      server = await startPostgres();
    },
    async open() {
      // A database of its own per test.
      const name = `contract_${++databases}`;
      await server.client.query(`CREATE DATABASE ${name}`);
      const url = server.url.replace(/\/postgres$/, `/${name}`);
      const log = createRequestLog({ databaseUrl: url, flushIntervalMs: 5 });
      return {
        log,
        async stored() {
          const pg = (await import('pg')).default;
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          try {
            const ids = (await c.query<{ request_id: string }>('SELECT request_id FROM switchyard.requests ORDER BY request_id')).rows.map((r) => r.request_id);
            const n = (await c.query<{ n: string }>('SELECT count(*) AS n FROM switchyard.attempts')).rows[0]!.n;
            return { ids, attempts: Number(n) };
          } finally {
            await c.end();
          }
        },
      };
    },
    async teardown() {
      await server?.stop();
    },
  },
];

const load = scriptedLoad();
const valid = load.slice(0, 12);
const template = load[3]!; // d1-c000-s4: five attempts

/** A copy of the template request (id `bad-<n>`) with one thing wrong. */
function bad(n: number, change: { request?: Partial<Record<keyof RequestRow, unknown>>; attempt?: Partial<Record<keyof AttemptRow, unknown>> }): LoggedRequest {
  const id = `bad-${n}`;
  const request = { ...template.request, requestId: id, ...change.request } as RequestRow;
  const attempts = template.attempts.map((a, i) => ({ ...a, requestId: id, ...(i === 1 ? change.attempt : {}) }) as AttemptRow);
  return { request, attempts };
}

const BAD: LoggedRequest[] = [
  bad(1, { request: { spend: Number.NaN } }),
  bad(2, { request: { spend: -0.01 } }),
  bad(3, { request: { promptTokens: 1.5 } }),
  bad(4, { request: { completionTokens: 2 ** 31 } }),
  bad(5, { request: { tenant: '' } }),
  bad(6, { request: { tenant: 'support\0assistant' } }),
  bad(7, { request: { requestId: 'x'.repeat(513) } }),
  bad(8, { request: { status: 'ok' } }),
  bad(9, { request: { startTime: Number.POSITIVE_INFINITY } }),
  bad(10, { request: { statusCode: '200' } }),
  bad(11, { request: { modelGroup: 42 } }),
  bad(12, { attempt: { requestId: 'someone-else' } }),
  bad(13, { attempt: { attempt: 0 } }),
  bad(14, { attempt: { latencyMs: -1 } }),
  bad(15, { attempt: { startTime: -5 } }),
  bad(16, { attempt: { outcome: null } }),
];

for (const impl of IMPLEMENTATIONS) {
  describe(`RequestLog contract: ${impl.name}`, () => {
    beforeAll(async () => impl.setup?.(), 60_000);
    afterAll(async () => impl.teardown?.(), 60_000);

    it('keeps each request with all its attempts and counts rows', async () => {
      const { log, stored } = await impl.open();
      for (const r of valid) log.record(r.request, r.attempts);
      await log.flush(60_000);
      expect(log.stats()).toEqual({ queued: 0, written: rowsOf(valid), dropped: 0, failedWrites: 0, rejected: 0 });
      await log.close(60_000);
      expect(await stored()).toEqual({ ids: sortedIds(valid.map((r) => r.request)), attempts: rowsOf(valid) - valid.length });
    }, 120_000);

    it('rejects, whole and without throwing, requests whose rows no column could hold; the valid ones around them are kept', async () => {
      const { log, stored } = await impl.open();
      const rows = 1 + template.attempts.length;
      for (const [i, r] of BAD.entries()) {
        expect(() => log.record(r.request, r.attempts)).not.toThrow();
        expect(log.stats()).toMatchObject({ queued: 0, rejected: (i + 1) * rows, dropped: 0 });
      }
      // Not objects at all: one row each (no attempts can be counted).
      log.record(null as unknown as RequestRow, []);
      log.record(valid[0]!.request, null as unknown as AttemptRow[]);
      expect(log.stats().rejected).toBe(BAD.length * rows + 2);
      for (const r of valid) log.record(r.request, r.attempts);
      await log.close(60_000);
      expect(log.stats()).toEqual({ queued: 0, written: rowsOf(valid), dropped: 0, failedWrites: 0, rejected: BAD.length * rows + 2 });
      expect((await stored()).ids).toEqual(sortedIds(valid.map((r) => r.request)));
    }, 120_000);

    it('after close(), record() drops and counts; flush() and close() again resolve at once', async () => {
      const { log, stored } = await impl.open();
      log.record(valid[0]!.request, valid[0]!.attempts);
      await log.close(60_000);
      for (const r of valid.slice(1)) log.record(r.request, r.attempts);
      expect(log.stats()).toEqual({ queued: 0, written: rowsOf(valid.slice(0, 1)), dropped: rowsOf(valid.slice(1)), failedWrites: 0, rejected: 0 });
      await log.flush(60_000);
      await log.close(60_000);
      expect((await stored()).ids).toEqual([valid[0]!.request.requestId]);
    }, 120_000);
  });
}
