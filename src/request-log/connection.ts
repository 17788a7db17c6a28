/**
 * What the writer needs from a database, whichever it is: PostgreSQL over
 * the network (postgres.ts) or PGlite in a worker thread (pglite.ts). A
 * connection is opened with the request-log tables ready to write.
 */

export interface SqlConnection {
  /** One statement with parameters; its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** A script of several statements, no parameters. */
  exec(script: string): Promise<void>;
  /** Releases the connection; an in-flight statement is abandoned. Never rejects. */
  close(): Promise<void>;
}

export interface Opener {
  /** Where rows go, for log lines: never holds a password. */
  readonly target: string;
  /** How long opening (connecting and creating missing tables) may take before the writer gives up and retries. */
  readonly openTimeoutMs: number;
  open(): Promise<SqlConnection>;
}

/**
 * The SQLSTATE of a database error (pg and PGlite both set `code`), else null
 * (socket errors such as EPIPE share the property, so the class is checked:
 * PostgreSQL's classes are 00-58, F0, HV, P0 and XX).
 */
export function sqlState(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^([0-5][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/.test(code) ? code : null;
}

/**
 * True when the database refused the rows themselves (data exception, class
 * 22; integrity constraint, class 23): retrying the same batch would fail
 * again, so the writer isolates the bad rows instead of backing off.
 * Everything else (connection lost, timeout, shutdown, a missing table) is
 * the database's state, worth a retry on a fresh connection.
 */
export function isRowError(err: unknown): boolean {
  const s = sqlState(err);
  return s !== null && (s.startsWith('22') || s.startsWith('23'));
}

/** A one-line description of an error for logs: the message and the SQLSTATE, no stack. */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const state = sqlState(err);
  return `${message.split('\n')[0]}${state === null ? '' : ` (SQLSTATE ${state})`}`;
}

class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} took longer than ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * `p`, or a TimeoutError after `ms`. The work behind `p` goes on; `onLate`
 * receives its value if it still arrives (to close a connection nobody waits
 * for any more).
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, onLate?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new TimeoutError(what, ms));
    }, ms);
    p.then(
      (v) => {
        if (done) onLate?.(v);
        else {
          done = true;
          clearTimeout(timer);
          resolve(v);
        }
      },
      (e: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
