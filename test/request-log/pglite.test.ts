/**
 * The writer on PGlite: a data directory that outlives the writer, one
 * writer per directory, and a directory PGlite cannot open.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/request-log/data-dir-lock.ts';
import { createRequestLog, type RequestLogEvent, RequestLogError } from '../../src/request-log/index.ts';
import { pgliteEngine } from '../fixtures/sql-engine.ts';
import { rowsOf, scriptedLoad } from './load.fixture.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-reqlog-'));
  dirs.push(d);
  return d;
};

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('request log on PGlite', () => {
  const load = scriptedLoad();

  it('keeps rows across writers on one directory, and refuses a second writer while the first is open', async () => {
    const dir = join(tempDir(), 'nested', 'request-log');
    const first = createRequestLog({ dataDir: dir, flushIntervalMs: 5 });
    expect(first.target).toBe(`PGlite in ${dir}`);
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}@${hostname()}\n`);
    let refused: unknown;
    try {
      createRequestLog({ dataDir: dir });
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(RequestLogError);
    expect(refused).toMatchObject({
      code: 'request-log-locked',
      message: `request log data directory ${dir} is in use by ${process.pid}@${hostname()} (lock file ${join(dir, 'lock')}): give each gateway its own directory, or a --database-url`,
    });
    for (const r of load.slice(0, 10)) first.record(r.request, r.attempts);
    await first.close(60_000);
    expect(existsSync(join(dir, 'lock'))).toBe(false);

    const second = createRequestLog({ dataDir: dir, flushIntervalMs: 5 });
    for (const r of load.slice(10, 20)) second.record(r.request, r.attempts);
    await second.close(60_000);
    expect(second.stats()).toEqual({ queued: 0, written: rowsOf(load.slice(10, 20)), dropped: 0, failedWrites: 0, rejected: 0 });

    const db = await pgliteEngine(join(dir, 'pgdata'));
    try {
      expect((await db.rows('SELECT request_id FROM switchyard.requests ORDER BY request_id')).map((r) => r.request_id)).toEqual(
        load
          .slice(0, 20)
          .map((r) => r.request.requestId)
          .sort(),
      );
    } finally {
      await db.close();
    }
  }, 120_000);

  it('a directory PGlite cannot open: reported as down, rows wait, close() keeps its limit, counts them dropped, and the directory is freed', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    // pgdata is a file, not a directory.
    writeFileSync(join(dir, 'pgdata'), 'not a database\n');
    const events: RequestLogEvent[] = [];
    const log = createRequestLog({ dataDir: dir, flushIntervalMs: 5, retryInitialMs: 20, retryMaxMs: 100, onEvent: (e) => events.push(e) });
    const batch = load.slice(0, 5);
    for (const r of batch) log.record(r.request, r.attempts);
    while (log.stats().failedWrites < 1) await new Promise((r) => setTimeout(r, 10));
    expect(events[0]).toMatchObject({ kind: 'down', target: `PGlite in ${dir}` });
    expect(log.stats()).toMatchObject({ queued: rowsOf(batch), written: 0 });
    await log.close(500);
    expect(log.stats()).toMatchObject({ queued: 0, written: 0, dropped: rowsOf(batch) });
    // A retry may have been opening PGlite at close: the directory is freed once that worker is gone, not before.
    while (existsSync(join(dir, 'lock'))) await new Promise((r) => setTimeout(r, 10));
    lockDataDir(dir).release();
  }, 60_000);
});
