/**
 * A slow or down database never delays or fails a request: faults injected
 * into a real PostgreSQL server under the writer.
 *
 * - killed mid-load (immediate shutdown, as a crash) and restarted;
 * - down when the writer starts;
 * - slow: a lock held on the table (writes time out), a trigger that sleeps
 *   (writes succeed, slowly);
 * - flush() and close() keep their time limits while it is down or stuck.
 *
 * Every record() call is checked as it happens: it returns nothing and
 * throws nothing, the queue never passes maxQueue, and each request is
 * either queued whole or dropped whole, so the test knows exactly which
 * requests must end up in the database, and checks that they all do, once.
 */
import { setImmediate as tick } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestLog, type OpenRequestLog, type RequestLogEvent, type RequestLogOptions } from '../../src/request-log/index.ts';
import { type PostgresServer, startPostgres } from '../fixtures/postgres-server.ts';
import { type LoggedRequest, rowsOf, scriptedLoad } from './load.fixture.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds; the test's own timeout bounds the wait. */
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await sleep(10);
}

interface Tracked {
  accepted: LoggedRequest[];
  droppedRows: number;
}

/** Records each request, checking that record() neither returns nor throws, keeps the queue bounded, and queues or drops whole requests. */
function recordTracked(log: OpenRequestLog, maxQueue: number, load: readonly LoggedRequest[], into: Tracked = { accepted: [], droppedRows: 0 }): Tracked {
  for (const r of load) {
    const before = log.stats();
    const rows = 1 + r.attempts.length;
    expect(log.record(r.request, r.attempts)).toBeUndefined();
    const after = log.stats();
    expect(after.queued).toBeLessThanOrEqual(maxQueue);
    expect(after.rejected).toBe(before.rejected);
    if (after.dropped === before.dropped) into.accepted.push(r);
    else {
      expect(after.dropped - before.dropped).toBe(rows);
      into.droppedRows += rows;
    }
  }
  return into;
}

/** Request ids and attempt count in the database. */
async function stored(client: pg.Client): Promise<{ ids: string[]; attempts: number }> {
  const ids = (await client.query<{ request_id: string }>('SELECT request_id FROM switchyard.requests ORDER BY request_id')).rows.map((r) => r.request_id);
  const attempts = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM switchyard.attempts')).rows[0]!.n);
  return { ids, attempts };
}

const idsOf = (rs: readonly LoggedRequest[]) => rs.map((r) => r.request.requestId).sort();
const attemptsOf = (rs: readonly LoggedRequest[]) => rs.reduce((n, r) => n + r.attempts.length, 0);

describe('request log: faults on a PostgreSQL server', () => {
  let server: PostgresServer | undefined;
  let log: OpenRequestLog | undefined;
  let events: RequestLogEvent[] = [];
  const open = (opts: RequestLogOptions) => {
    events = [];
    log = createRequestLog({ flushIntervalMs: 5, retryInitialMs: 20, retryMaxMs: 200, connectTimeoutMs: 1_000, ...opts, onEvent: (e) => events.push(e) });
    return log;
  };

  afterEach(async () => {
    await log?.close(1_000);
    await server?.stop();
    log = undefined;
    server = undefined;
  }, 60_000);

  it('killed mid-load: requests keep flowing, the queue stays bounded, drops are counted exactly, and after a restart every queued row is written once', async () => {
    server = await startPostgres({ durableCommits: true });
    const maxQueue = 1_500;
    const w = open({ databaseUrl: server.url, maxQueue, batchSize: 100, writeTimeoutMs: 2_000 });
    const load = scriptedLoad();
    const tracked: Tracked = { accepted: [], droppedRows: 0 };

    // Record in bursts, yielding to the writer, and kill the server while batches are being written.
    for (let i = 0; i < 400; i += 20) {
      recordTracked(w, maxQueue, load.slice(i, i + 20), tracked);
      await tick();
    }
    const writtenBeforeKill = w.stats().written;
    await server.kill();

    // While it is down: 600 more requests (1,700 rows) against a queue of 1,500 rows.
    recordTracked(w, maxQueue, load.slice(400, 1_000), tracked);
    expect(tracked.droppedRows).toBeGreaterThan(0);
    await until(() => w.stats().failedWrites >= 3);
    expect(w.stats().written).toBeLessThanOrEqual(rowsOf(load.slice(0, 400)));
    expect(events[0]).toMatchObject({ kind: 'down', target: `PostgreSQL postgres://127.0.0.1:${server.port}/postgres` });
    expect(w.stats().dropped).toBe(tracked.droppedRows);

    await server.restart();
    recordTracked(w, maxQueue, load.slice(1_000), tracked);
    await w.flush(60_000);

    const s = w.stats();
    expect(s.queued).toBe(0);
    expect(s.dropped).toBe(tracked.droppedRows);
    expect(s.rejected).toBe(0);
    expect(rowsOf(tracked.accepted) + tracked.droppedRows).toBe(rowsOf(load));
    // Everything accepted is in the database, once; nothing dropped is.
    const db = await stored(server.client);
    expect(db.ids).toEqual(idsOf(tracked.accepted));
    expect(db.attempts).toBe(attemptsOf(tracked.accepted));
    // A batch cut off by the kill was retried; the written count still matches the rows there.
    expect(s.written).toBe(db.ids.length + db.attempts);
    expect(s.written).toBeGreaterThan(writtenBeforeKill);
    expect(events.map((e) => e.kind)).toEqual(['down', 'up']);
  }, 120_000);

  it('down when the writer starts: rows wait in the queue, the tables are created once it is up; no password in any message', async () => {
    server = await startPostgres();
    const url = `postgres://postgres:s3cret-pw@127.0.0.1:${server.port}/postgres`;
    await server.kill();
    const w = open({ databaseUrl: url, maxQueue: 10_000 });
    expect(w.target).toBe(`PostgreSQL postgres://127.0.0.1:${server.port}/postgres`);
    const load = scriptedLoad().slice(0, 30);
    const tracked = recordTracked(w, 10_000, load);
    expect(tracked.droppedRows).toBe(0);
    await until(() => w.stats().failedWrites >= 2);
    expect(w.stats()).toMatchObject({ queued: rowsOf(load), written: 0 });
    expect(events[0]).toMatchObject({ kind: 'down', error: expect.stringContaining('ECONNREFUSED') });

    await server.restart();
    await w.flush(60_000);
    expect(w.stats()).toMatchObject({ queued: 0, written: rowsOf(load), dropped: 0 });
    expect((await stored(server.client)).ids).toEqual(idsOf(load));
    expect(JSON.stringify(events)).not.toContain('s3cret-pw');
  }, 120_000);

  it('a lock held on the table: writes time out and back off, record() keeps queueing then drops, and once the lock goes every queued row is written', async () => {
    server = await startPostgres();
    const maxQueue = 500;
    const w = open({ databaseUrl: server.url, maxQueue, batchSize: 50, writeTimeoutMs: 300 });
    const load = scriptedLoad();
    const tracked = recordTracked(w, maxQueue, load.slice(0, 50));
    await w.flush(60_000);
    expect(w.stats().written).toBe(rowsOf(load.slice(0, 50)));

    const locker = new pg.Client({ connectionString: server.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE switchyard.requests IN ACCESS EXCLUSIVE MODE');
      recordTracked(w, maxQueue, load.slice(50, 400), tracked);
      expect(w.stats().queued).toBeGreaterThan(maxQueue - 20);
      expect(tracked.droppedRows).toBeGreaterThan(0);
      await until(() => w.stats().failedWrites >= 2);
      expect(w.stats().written).toBe(rowsOf(load.slice(0, 50)));
      expect(events[0]).toMatchObject({ kind: 'down', error: 'canceling statement due to statement timeout (SQLSTATE 57014)' });
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
    await w.flush(60_000);
    expect(w.stats()).toMatchObject({ queued: 0, dropped: tracked.droppedRows, rejected: 0 });
    const db = await stored(server.client);
    expect(db.ids).toEqual(idsOf(tracked.accepted));
    expect(db.attempts).toBe(attemptsOf(tracked.accepted));
  }, 120_000);

  it('a slow database (a trigger sleeping 200 ms per batch): nothing fails, the queue stays bounded, every accepted row is written', async () => {
    server = await startPostgres();
    const maxQueue = 400;
    const w = open({ databaseUrl: server.url, maxQueue, batchSize: 50, writeTimeoutMs: 5_000 });
    const load = scriptedLoad().slice(0, 600);
    await until(async () => (await server!.client.query(`SELECT to_regclass('switchyard.requests') IS NOT NULL AS ok`)).rows[0].ok === true);
    await server.client.query(`CREATE FUNCTION switchyard.slow_down() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END $$;
      CREATE TRIGGER slow_down AFTER INSERT ON switchyard.requests FOR EACH STATEMENT EXECUTE FUNCTION switchyard.slow_down();`);
    const tracked: Tracked = { accepted: [], droppedRows: 0 };
    for (let i = 0; i < load.length; i += 100) {
      recordTracked(w, maxQueue, load.slice(i, i + 100), tracked);
      await tick();
    }
    expect(tracked.droppedRows).toBeGreaterThan(0);
    await w.flush(60_000);
    expect(w.stats()).toMatchObject({ queued: 0, dropped: tracked.droppedRows, failedWrites: 0, rejected: 0 });
    expect((await stored(server.client)).ids).toEqual(idsOf(tracked.accepted));
    expect(events).toEqual([]);
  }, 120_000);

  it('flush() and close() keep their time limits while the database is down; what close could not write is counted as dropped', async () => {
    server = await startPostgres({ durableCommits: true });
    const w = open({ databaseUrl: server.url, maxQueue: 10_000 });
    const load = scriptedLoad();
    recordTracked(w, 10_000, load.slice(0, 10));
    await w.flush(60_000);
    await server.kill();

    const waiting = load.slice(10, 40);
    recordTracked(w, 10_000, waiting);
    await w.flush(200);
    expect(w.stats()).toMatchObject({ queued: rowsOf(waiting), written: rowsOf(load.slice(0, 10)), dropped: 0 });
    await w.close(300);
    expect(w.stats()).toMatchObject({ queued: 0, written: rowsOf(load.slice(0, 10)), dropped: rowsOf(waiting) });
    // Closed: rows are dropped and counted, never queued.
    const late = load[40]!;
    w.record(late.request, late.attempts);
    expect(w.stats()).toMatchObject({ queued: 0, dropped: rowsOf(waiting) + rowsOf([late]) });

    await server.restart();
    expect((await stored(server.client)).ids).toEqual(idsOf(load.slice(0, 10)));
  }, 120_000);

  it('close() keeps its time limit while a write is stuck behind a lock', async () => {
    server = await startPostgres();
    const w = open({ databaseUrl: server.url, maxQueue: 10_000, writeTimeoutMs: 60_000 });
    const load = scriptedLoad().slice(0, 20);
    recordTracked(w, 10_000, load.slice(0, 5));
    await w.flush(60_000);
    const locker = new pg.Client({ connectionString: server.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE switchyard.requests IN ACCESS EXCLUSIVE MODE');
      recordTracked(w, 10_000, load.slice(5));
      const waitingOnLock = async () =>
        (
          await server!.client.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'switchyard-request-log' AND wait_event_type = 'Lock'`,
          )
        ).rows[0].n === 1;
      await until(waitingOnLock);
      await w.close(300);
      expect(w.stats()).toMatchObject({ queued: 0, written: rowsOf(load.slice(0, 5)), dropped: rowsOf(load.slice(5)) });
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  }, 120_000);
});
