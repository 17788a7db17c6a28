/**
 * The request log as the serving side writes it: one row per client request
 * and one per upstream attempt, in the tables and columns that the generated
 * analytics SQL reads (`switchyard.requests`, `switchyard.attempts`; their DDL is
 * src/observability/request-log-tables.ts). The gateway and the batch runner write
 * through a RequestLog; how rows reach PostgreSQL (or embedded PGlite) is
 * the writer's business.
 *
 * Times are epoch milliseconds (UTC); money is USD.
 */

export interface RequestRow {
  requestId: string;
  tenant: string;
  /** The model group the client asked for. */
  requestedGroup: string;
  /** The group that served it after fallbacks (last tried if none did); null if none was tried. */
  modelGroup: string | null;
  /** Plan deployment id that served it (last tried if none did). */
  deployment: string | null;
  /** Plan provider id of that deployment. */
  provider: string | null;
  startTime: number;
  endTime: number;
  promptTokens: number;
  completionTokens: number;
  spend: number;
  status: 'success' | 'failure';
  /** HTTP status returned to the client. */
  statusCode: number | null;
  /** Number of attempt rows. */
  attempts: number;
}

export interface AttemptRow {
  requestId: string;
  /** 1, 2, ... in call order across retries and fallbacks. */
  attempt: number;
  modelGroup: string;
  deployment: string;
  provider: string | null;
  /** 'success', or why it failed (for example 'error', 'timeout', 'rate_limited', 'breaker_open'). */
  outcome: string;
  statusCode: number | null;
  latencyMs: number | null;
  startTime: number;
}

export interface RequestLogStats {
  /** Rows waiting to be written. */
  queued: number;
  written: number;
  /** Rows dropped because the queue was full (a slow or down database never delays a request). */
  dropped: number;
  /** Write batches that failed and were retried. */
  failedWrites: number;
  /**
   * Rows refused as unwritable: fields out of range for their column (not a
   * finite number, a string over 512 characters or holding a NUL, an attempt
   * of another request), or rows the database refused. Counted apart from
   * `dropped`, which is about a slow or down database, not about the rows.
   */
  rejected: number;
}

export interface RequestLog {
  /**
   * Queues a request and its attempts (all of them or none: a request is never
   * logged without its attempts). Never blocks, never throws; drops (and
   * counts) when the queue is full or the log is closed. The rows are kept by
   * reference until written: do not change them after the call.
   */
  record(request: RequestRow, attempts: readonly AttemptRow[]): void;
  /** Resolves when everything queued so far is written (or the time limit passed). */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes, then releases the connection. */
  close(timeoutMs?: number): Promise<void>;
  stats(): RequestLogStats;
}
