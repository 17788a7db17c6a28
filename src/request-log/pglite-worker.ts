/**
 * The worker thread that holds PGlite for the request log (see pglite.ts):
 * opens the data directory, then runs the statements the main thread posts,
 * in order, and posts back each one's rows or its error (message and
 * SQLSTATE). `{ op: 'close' }` closes the database cleanly and ends the
 * thread.
 */
import { PGlite } from '@electric-sql/pglite';
import { parentPort, workerData } from 'node:worker_threads';

export type WorkerRequest = { op: 'query'; id: number; sql: string; params: unknown[] } | { op: 'exec'; id: number; sql: string } | { op: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; rows: unknown[] }
  | { type: 'error'; id: number; message: string; code: string | null };

const port = parentPort;

async function main(): Promise<void> {
  if (port === null) throw new Error('pglite-worker.ts runs only as a worker thread');
  const post = (m: WorkerReply) => port.postMessage(m);
  const db = await PGlite.create({ dataDir: (workerData as { pgdata: string }).pgdata });
  port.on('message', (m: WorkerRequest) => {
    if (m.op === 'close') {
      void db.close().finally(() => port.close());
      return;
    }
    const run = m.op === 'query' ? db.query(m.sql, m.params).then((r) => r.rows) : db.exec(m.sql).then(() => []);
    run.then(
      (rows) => post({ type: 'result', id: m.id, rows }),
      (err: unknown) => {
        const code = (err as { code?: unknown }).code;
        post({ type: 'error', id: m.id, message: err instanceof Error ? err.message : String(err), code: typeof code === 'string' ? code : null });
      },
    );
  });
  post({ type: 'ready' });
}

main().catch((err: unknown) => port?.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies WorkerReply));
