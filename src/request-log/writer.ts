/**
 * The request-log writer: record() puts rows in a bounded queue and returns;
 * one pump writes them in batches, one batch at a time, through whichever
 * database the Opener opens.
 *
 * - A batch starts when batchSize rows are waiting, or flushIntervalMs after
 *   the first row came; while a batch is written, rows gather for the next.
 * - A failed batch stays at the head of the queue; the writer drops the
 *   connection and retries on a fresh one after an exponential backoff with
 *   jitter (retryInitialMs doubling up to retryMaxMs). Meanwhile record()
 *   keeps queueing until maxQueue rows, then drops and counts.
 * - Rows the database refuses (SQLSTATE class 22 or 23) would fail every
 *   retry: the batch is written again one request at a time and the refused
 *   requests are rejected and counted, so one bad row never stops the log.
 * - A write whose answer never came may have committed: the INSERT skips
 *   rows already there (ON CONFLICT DO NOTHING), so a retry adds nothing twice.
 *
 * Nothing here ever throws into the caller or waits on the database in
 * record(); timers are unref'd so an idle writer never holds the process.
 */
import { type Opener, type SqlConnection, errorLine, isRowError, withTimeout } from './connection.ts';
import { type Entry, RowQueue } from './queue.ts';
import { entryProblem } from './rows.ts';
import { INSERT_SQL, insertParams } from './statements.ts';
import type { AttemptRow, RequestLog, RequestLogStats, RequestRow } from './types.ts';

export type RequestLogEvent =
  /** Writing stopped working (the first failure after a success, or opening failed at start). */
  | { kind: 'down'; target: string; error: string }
  /** Writing works again after being down. */
  | { kind: 'up'; target: string }
  /** Rows refused (at most one event per 10 s; `rows` counts those since the last event). */
  | { kind: 'rejected'; target: string; rows: number; error: string };

export interface WriterOptions {
  /** Rows the queue holds at most; record() drops (and counts) beyond. */
  maxQueue: number;
  /** Rows per INSERT at most (a request is never split from its attempts, so one request may exceed it). */
  batchSize: number;
  /** Longest wait before a partial batch is written. */
  flushIntervalMs: number;
  /** Longest one batch may take before it counts as failed. */
  writeTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** Told when writing goes down, comes back, or rows are refused: log it. Messages never hold a password. */
  onEvent?: (event: RequestLogEvent) => void;
  /** For the retry jitter; Math.random by default. */
  random?: () => number;
}

/** Exponential backoff with equal jitter: between half and all of min(max, initial * 2^(failures-1)). */
export function retryDelayMs(failures: number, initialMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const REJECT_EVENT_EVERY_MS = 10_000;
const DEFAULT_FLUSH_MS = 5_000;

interface Waiter {
  target: number;
  resolve: () => void;
}

export class BatchWriter implements RequestLog {
  private readonly queue: RowQueue;
  private readonly random: () => number;
  private conn: SqlConnection | null = null;
  private opening: Promise<SqlConnection> | null = null;
  /** Connections opened or opening and not yet closed (the data-directory lock is held until none is left). */
  private live = 0;
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private timerImmediate = false;
  private backingOff = false;
  private failures = 0;
  private down = false;
  /** record() refuses rows from now on. */
  private closed = false;
  /** The pump leaves the queue alone from now on. */
  private stopped = false;
  private closing: Promise<void> | null = null;
  private released = false;
  /** Rows ever queued, and rows that left the queue (written, refused, or given up at close): flush waits for the second to reach the first. */
  private accepted = 0;
  private done = 0;
  private written = 0;
  private dropped = 0;
  private failedWrites = 0;
  private rejected = 0;
  private waiters: Waiter[] = [];
  private unreportedRejects = 0;
  private lastRejectEvent = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly opener: Opener,
    private readonly opts: WriterOptions,
    /** Called once the log is closed and no connection is left. */
    private readonly onReleased: () => void = () => undefined,
  ) {
    this.queue = new RowQueue(opts.maxQueue);
    this.random = opts.random ?? Math.random;
    // Open at once, so the tables exist and PGlite is loaded before the first batch; a failure here is only reported.
    this.connection().catch((err: unknown) => this.markDown(err));
  }

  get target(): string {
    return this.opener.target;
  }

  record(request: RequestRow, attempts: readonly AttemptRow[]): void {
    let rows = 1;
    try {
      rows = 1 + attempts.length;
      // Full or closed first: under overload a row about to be dropped is not worth checking.
      if (this.closed || !this.queue.fits(rows)) {
        this.dropped += rows;
        return;
      }
      const problem = entryProblem(request, attempts);
      if (problem !== null) {
        this.reject(rows, problem);
        return;
      }
      this.queue.tryPush({ request, attempts, rows });
      this.accepted += rows;
      if (this.busy || this.backingOff) return;
      this.arm(this.queue.rows >= this.opts.batchSize ? 0 : this.opts.flushIntervalMs);
    } catch (err) {
      this.reject(rows, errorLine(err));
    }
  }

  flush(timeoutMs = DEFAULT_FLUSH_MS): Promise<void> {
    if (this.done >= this.accepted) return Promise.resolve();
    const target = this.accepted;
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      }, timeoutMs);
      this.waiters.push(waiter);
      this.wake();
    });
  }

  /**
   * Stops taking rows, flushes within the time limit, then releases the
   * connection. Rows still queued at the limit are counted as dropped (a
   * batch in flight at that moment may still have reached the database).
   */
  close(timeoutMs = DEFAULT_FLUSH_MS): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  stats(): RequestLogStats {
    return { queued: this.queue.rows, written: this.written, dropped: this.dropped, failedWrites: this.failedWrites, rejected: this.rejected };
  }

  // ---- the pump ------------------------------------------------------------

  /** Runs the pump after `ms`, unless it is due sooner already. */
  private arm(ms: number): void {
    if (this.timer !== null) {
      if (ms > 0 || this.timerImmediate) return;
      clearTimeout(this.timer);
    }
    this.timerImmediate = ms === 0;
    this.timer = setTimeout(this.onTimer, ms);
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.backingOff = false;
    void this.pump();
  };

  /** Runs the pump now, cutting a wait for more rows or a backoff short. */
  private wake(): void {
    if (this.busy || this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.onTimer();
  }

  private async pump(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        if (!(await this.write(this.queue.peek(this.opts.batchSize)))) {
          this.retryLater();
          return;
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private retryLater(): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.backingOff = true;
    this.timerImmediate = false;
    this.timer = setTimeout(this.onTimer, retryDelayMs(this.failures, this.opts.retryInitialMs, this.opts.retryMaxMs, this.random));
    this.timer.unref();
  }

  /** Writes the batch at the head of the queue; false when it must be retried later. */
  private async write(batch: Entry[]): Promise<boolean> {
    try {
      await this.insert(batch);
      this.leave(batch.length, 'written');
      return true;
    } catch (err) {
      if (this.stopped) return false;
      if (isRowError(err)) return this.isolate(batch);
      this.failed(err);
      return false;
    }
  }

  /** The batch again, one request at a time: the requests the database refuses are rejected, the others written. */
  private async isolate(batch: Entry[]): Promise<boolean> {
    for (const e of batch) {
      try {
        await this.insert([e]);
        this.leave(1, 'written');
      } catch (err) {
        if (this.stopped) return false;
        if (!isRowError(err)) {
          this.failed(err);
          return false;
        }
        this.leave(1, 'rejected');
        this.reject(e.rows, `${this.opener.target} refused request ${JSON.stringify(e.request.requestId)}: ${errorLine(err)}`);
      }
    }
    return true;
  }

  private async insert(batch: readonly Entry[]): Promise<void> {
    let conn: SqlConnection;
    try {
      conn = await this.connection();
    } catch (err) {
      // Opening failed (even with a class 23 SQLSTATE, as a CREATE racing another writer's can): the database's state, not the rows'.
      throw new Error(errorLine(err));
    }
    // The database's own timeout (PostgreSQL statement_timeout) comes first; this one covers an engine that never answers.
    await withTimeout(conn.query(INSERT_SQL, insertParams(batch)), this.opts.writeTimeoutMs + 2_000, `writing to ${this.opener.target}`);
  }

  /** Removes the n oldest entries after they were written or refused, and wakes flush() callers they complete. */
  private leave(n: number, how: 'written' | 'rejected'): void {
    if (this.stopped) return;
    const rows = this.queue.shift(n);
    this.done += rows;
    if (how === 'written') {
      this.written += rows;
      this.failures = 0;
      if (this.down) {
        this.down = false;
        this.emit({ kind: 'up', target: this.opener.target });
      }
    }
    this.settleWaiters();
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.target <= this.done);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.target > this.done);
    for (const w of ready) w.resolve();
  }

  private failed(err: unknown): void {
    this.failedWrites++;
    this.failures++;
    const conn = this.conn;
    this.conn = null;
    void conn?.close();
    this.markDown(err);
  }

  private markDown(err: unknown): void {
    if (this.down || this.stopped) return;
    this.down = true;
    this.emit({ kind: 'down', target: this.opener.target, error: errorLine(err) });
  }

  private reject(rows: number, error: string): void {
    this.rejected += rows;
    this.unreportedRejects += rows;
    const now = Date.now();
    if (now - this.lastRejectEvent < REJECT_EVENT_EVERY_MS) return;
    this.lastRejectEvent = now;
    this.emit({ kind: 'rejected', target: this.opener.target, rows: this.unreportedRejects, error });
    this.unreportedRejects = 0;
  }

  private emit(event: RequestLogEvent): void {
    try {
      this.opts.onEvent?.(event);
    } catch {
      // A failing logger must not stop the log.
    }
  }

  // ---- connections ---------------------------------------------------------

  private connection(): Promise<SqlConnection> {
    if (this.conn !== null) return Promise.resolve(this.conn);
    this.opening ??= this.openFresh().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async openFresh(): Promise<SqlConnection> {
    this.live++;
    let closed = false;
    const gone = () => {
      if (closed) return;
      closed = true;
      this.live--;
      if (this.stopped && this.live === 0) this.release();
    };
    const opened = this.opener.open().then(
      (c): SqlConnection => ({ ...c, close: () => c.close().finally(gone) }),
      (err: unknown) => {
        gone();
        throw err;
      },
    );
    const conn = await withTimeout(opened, this.opener.openTimeoutMs, `opening ${this.opener.target}`, (late) => void late.close());
    if (this.stopped) {
      void conn.close();
      throw new Error('request log closed');
    }
    this.conn = conn;
    return conn;
  }

  // ---- close ---------------------------------------------------------------

  private async shutdown(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.closed = true;
    await this.flush(timeoutMs);
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const lost = this.queue.clear();
    this.dropped += lost;
    this.done += lost;
    this.settleWaiters();
    const closes: Promise<unknown>[] = [];
    if (this.conn !== null) closes.push(this.conn.close());
    this.conn = null;
    // A connection still opening is closed as soon as it opens (openFresh sees `stopped`).
    if (this.opening !== null) closes.push(this.opening.catch(() => undefined));
    await withTimeout(Promise.all(closes), Math.max(deadline - Date.now(), 1), 'closing the request log').catch(() => undefined);
    if (this.live === 0) this.release();
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    this.onReleased();
  }
}
