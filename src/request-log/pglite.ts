/**
 * The request log in embedded PGlite, in a data directory: the default when
 * no --database-url is given.
 *
 * PGlite runs PostgreSQL as WebAssembly on the thread that calls it, so a
 * batch written on the main thread would stall every request for as long as
 * the insert takes (milliseconds per thousand rows; seconds to open the
 * directory). It runs in a worker thread instead (pglite-worker.ts); the
 * main thread only posts column arrays and awaits the answer. The worker is
 * TypeScript loaded through jiti, as bin/switchyard.mjs loads the CLI.
 *
 * The worker does not keep the process alive while idle: a writer nobody
 * closed must not hold a gateway open at exit.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Opener, SqlConnection } from './connection.ts';
import type { WorkerReply, WorkerRequest } from './pglite-worker.ts';
import { ensureTables } from './statements.ts';

const WORKER_FILE = fileURLToPath(new URL('./pglite-worker.ts', import.meta.url));
const JITI = createRequire(import.meta.url).resolve('jiti');

/** Worker source: load the TypeScript worker through jiti; report a load failure as a message rather than an uncaught error. */
const BOOTSTRAP = `const { createJiti } = require(${JSON.stringify(JITI)});
createJiti(${JSON.stringify(WORKER_FILE)}).import(${JSON.stringify(WORKER_FILE)}).catch((e) => {
  require('node:worker_threads').parentPort.postMessage({ type: 'failed', message: String((e && e.message) || e) });
});`;

class DatabaseError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (rows: unknown[]) => void;
  reject: (err: Error) => void;
}

/** Starts a worker on `pgdata`; resolves once PGlite has opened it. */
function startWorker(pgdata: string): Promise<SqlConnection> {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { pgdata } });
  worker.unref();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let dead: Error | null = null;
  let exited = false;
  const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const fail = (err: Error) => {
    dead ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker.unref();
  };
  const send = (m: WorkerRequest & { id: number }): Promise<unknown[]> => {
    if (dead !== null) return Promise.reject(dead);
    return new Promise((resolve, reject) => {
      pending.set(m.id, { resolve, reject });
      // Keep the process alive while a statement is in flight, so a write in progress at exit completes.
      if (pending.size === 1) worker.ref();
      worker.postMessage(m);
    });
  };
  const settle = (id: number): Pending | undefined => {
    const p = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    return p;
  };

  const conn: SqlConnection = {
    query: async <Row>(sql: string, params: readonly unknown[] = []) => (await send({ op: 'query', id: nextId++, sql, params: [...params] })) as Row[],
    exec: async (sql) => void (await send({ op: 'exec', id: nextId++, sql })),
    async close() {
      fail(new Error('PGlite request log closed'));
      if (exited) return;
      worker.postMessage({ op: 'close' } satisfies WorkerRequest);
      // A clean close writes PGlite's state; a worker stuck in a statement is stopped instead.
      const timer = setTimeout(() => void worker.terminate(), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };

  return new Promise((resolve, reject) => {
    worker.ref();
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') {
        worker.unref();
        resolve(conn);
      } else if (m.type === 'failed') {
        const err = new Error(`PGlite could not open ${pgdata}: ${m.message}`);
        fail(err);
        reject(err);
        void worker.terminate();
      } else if (m.type === 'result') settle(m.id)?.resolve(m.rows);
      else settle(m.id)?.reject(new DatabaseError(m.message, m.code));
    });
    worker.on('error', (err) => {
      fail(err);
      reject(err);
    });
    worker.on('exit', (code) => {
      exited = true;
      const err = new Error(`PGlite worker exited (code ${code})`);
      fail(err);
      reject(err);
    });
  });
}

export function pgliteOpener(dataDir: string, openTimeoutMs: number): Opener {
  const pgdata = join(dataDir, 'pgdata');
  return {
    target: `PGlite in ${dataDir}`,
    openTimeoutMs,
    async open() {
      const conn = await startWorker(pgdata);
      try {
        await ensureTables(conn);
      } catch (err) {
        await conn.close();
        throw err;
      }
      return conn;
    },
  };
}
