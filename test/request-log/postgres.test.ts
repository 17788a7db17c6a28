/**
 * The writer on a PostgreSQL server, beyond the contract: rows the database
 * refuses, a retried batch, a role that may only INSERT, two writers
 * creating the tables at once, and settings refused before anything starts.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestLog, type RequestLogEvent, RequestLogError } from '../../src/request-log/index.ts';
import { type PostgresServer, startPostgres } from '../fixtures/postgres-server.ts';
import { ANALYTICS_SQL, rowsOf, scriptedLoad } from './load.fixture.ts';

describe('request log on a PostgreSQL server', () => {
  let server: PostgresServer;
  let databases = 0;
  const load = scriptedLoad();

  /** A fresh database on the server: its URL, and a connected client on it. */
  async function database(): Promise<{ url: string; client: pg.Client; ids(): Promise<string[]> }> {
    const name = `writer_${++databases}`;
    await server.client.query(`CREATE DATABASE ${name}`);
    const url = server.url.replace(/\/postgres$/, `/${name}`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const ids = async () =>
      (await client.query<{ request_id: string }>('SELECT request_id FROM switchyard.requests ORDER BY request_id')).rows.map((r) => r.request_id);
    return { url, client, ids };
  }

  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it('rows the database refuses are isolated: the rest of the batch is written, the refused requests counted and reported once', async () => {
    const db = await database();
    await db.client.query(ANALYTICS_SQL());
    // A rule the writer cannot know about: this database refuses one tenant.
    await db.client.query(`ALTER TABLE switchyard.requests ADD CONSTRAINT no_lab CHECK (tenant <> 'research-lab')`);
    const events: RequestLogEvent[] = [];
    const log = createRequestLog({ databaseUrl: db.url, batchSize: 1_000, flushIntervalMs: 5, onEvent: (e) => events.push(e) });
    const batch = load.slice(0, 20);
    for (const r of batch) log.record(r.request, r.attempts);
    await log.close(60_000);
    const refused = batch.filter((r) => r.request.tenant === 'research-lab');
    const kept = batch.filter((r) => r.request.tenant !== 'research-lab');
    expect(refused.map((r) => r.request.requestId)).toEqual(['d1-c000-s6', 'd1-c000-s7', 'd1-c000-s8', 'd1-c001-s6', 'd1-c001-s7', 'd1-c001-s8']);
    expect(log.stats()).toEqual({ queued: 0, written: rowsOf(kept), dropped: 0, failedWrites: 0, rejected: rowsOf(refused) });
    expect(await db.ids()).toEqual(kept.map((r) => r.request.requestId).sort());
    // Not a word of "down": the database is fine, the rows are not. One event for the burst of refusals.
    expect(events).toEqual([
      {
        kind: 'rejected',
        target: log.target,
        rows: rowsOf(refused.slice(0, 1)),
        error: `${log.target} refused request "d1-c000-s6": new row for relation "requests" violates check constraint "no_lab" (SQLSTATE 23514)`,
      },
    ]);
    await db.client.end();
  }, 60_000);

  it('a batch written again (its commit never acknowledged) adds no row twice', async () => {
    const db = await database();
    const log = createRequestLog({ databaseUrl: db.url, flushIntervalMs: 5 });
    const batch = load.slice(0, 30);
    for (const r of batch) log.record(r.request, r.attempts);
    await log.flush(60_000);
    // The same requests again, as a retry after a lost acknowledgement sends them.
    for (const r of batch) log.record(r.request, r.attempts);
    await log.close(60_000);
    expect(log.stats()).toMatchObject({ written: 2 * rowsOf(batch), rejected: 0, failedWrites: 0 });
    expect(await db.ids()).toEqual(batch.map((r) => r.request.requestId).sort());
    const { rows } = await db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM switchyard.attempts');
    expect(rows[0]!.n).toBe(rowsOf(batch) - batch.length);
    await db.client.end();
  }, 60_000);

  it('stores values as the columns hold them: latencies rounded to whole milliseconds, tiny costs and large token counts exact', async () => {
    const db = await database();
    const log = createRequestLog({ databaseUrl: db.url, flushIntervalMs: 5 });
    const [r] = load.slice(2, 3); // two attempts
    log.record({ ...r!.request, spend: 1.234e-7, promptTokens: 2_000_000_000, completionTokens: 147_483_647 }, [
      { ...r!.attempts[0]!, latencyMs: 99.5 },
      { ...r!.attempts[1]!, latencyMs: 0.4 },
    ]);
    await log.close(60_000);
    expect(log.stats()).toMatchObject({ written: 3, rejected: 0 });
    const { rows } = await db.client.query(
      `SELECT r.spend, r.total_tokens, array_agg(a.latency_ms ORDER BY a.attempt) AS latencies
       FROM switchyard.requests r JOIN switchyard.attempts a USING (request_id) GROUP BY r.spend, r.total_tokens`,
    );
    expect(rows).toEqual([{ spend: 1.234e-7, total_tokens: 2_147_483_647, latencies: [100, 0] }]);
    await db.client.end();
  }, 60_000);

  it('writes as a role that may only INSERT, once whoever applied generated/sql created the tables', async () => {
    const db = await database();
    await db.client.query(ANALYTICS_SQL());
    await db.client.query(`CREATE ROLE gateway LOGIN;
      REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      GRANT USAGE ON SCHEMA switchyard TO gateway;
      GRANT INSERT ON switchyard.requests, switchyard.attempts TO gateway;`);
    const url = db.url.replace('postgres://postgres@', 'postgres://gateway@');
    const events: RequestLogEvent[] = [];
    const log = createRequestLog({ databaseUrl: url, flushIntervalMs: 5, onEvent: (e) => events.push(e) });
    const batch = load.slice(0, 10);
    for (const r of batch) log.record(r.request, r.attempts);
    await log.close(60_000);
    expect(events).toEqual([]);
    expect(log.stats()).toEqual({ queued: 0, written: rowsOf(batch), dropped: 0, failedWrites: 0, rejected: 0 });
    expect(await db.ids()).toEqual(batch.map((r) => r.request.requestId).sort());
    // The role could not have created them: the writer checked before trying.
    await expect(db.client.query('SET ROLE gateway; CREATE SCHEMA probe')).rejects.toThrow(/permission denied/);
    await db.client.query('RESET ROLE');
    await db.client.end();
  }, 60_000);

  it('two writers starting at once on an empty database both create the tables without tripping over each other', async () => {
    const db = await database();
    const events: RequestLogEvent[] = [];
    const logs = [0, 1, 2, 3].map(() => createRequestLog({ databaseUrl: db.url, flushIntervalMs: 5, onEvent: (e) => events.push(e) }));
    const parts = [load.slice(0, 10), load.slice(10, 20), load.slice(20, 30), load.slice(30, 40)];
    logs.forEach((log, i) => {
      for (const r of parts[i]!) log.record(r.request, r.attempts);
    });
    await Promise.all(logs.map((l) => l.close(60_000)));
    expect(events).toEqual([]);
    expect(logs.map((l) => l.stats().written)).toEqual(parts.map(rowsOf));
    expect(await db.ids()).toEqual(
      load
        .slice(0, 40)
        .map((r) => r.request.requestId)
        .sort(),
    );
    await db.client.end();
  }, 60_000);

  it('refuses settings that cannot work before starting, without echoing the URL (it may hold a password)', () => {
    const attempt = (opts: Parameters<typeof createRequestLog>[0]) => {
      try {
        createRequestLog(opts);
      } catch (err) {
        expect(err).toBeInstanceOf(RequestLogError);
        expect((err as RequestLogError).exitCode).toBe(2);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(attempt({ databaseUrl: 'not a url pw=hunter2' })).toBe('--database-url is not a URL: expected postgres://user:password@host:port/database');
    expect(attempt({ databaseUrl: 'mysql://u:hunter2@db/x' })).toBe('--database-url must be a postgres:// or postgresql:// URL, not mysql://...');
    expect(attempt({ databaseUrl: 'postgres://db/x', dataDir: '/tmp/x' })).toBe('the request log goes to --database-url or to a data directory, not both');
    expect(attempt({ databaseUrl: 'postgres://db/x', maxQueue: 0 })).toBe('request log option maxQueue must be a positive integer, got 0');
    expect(attempt({ databaseUrl: 'postgres://db/x', batchSize: 1.5 })).toBe('request log option batchSize must be a positive integer, got 1.5');
    expect(attempt({ databaseUrl: 'postgres://db/x', retryInitialMs: 500, retryMaxMs: 100 })).toBe(
      'request log option retryMaxMs must be at least retryInitialMs',
    );
    expect(attempt({ dataDir: '' })).toBe('the request log data directory must be a non-empty path');
  });
});
