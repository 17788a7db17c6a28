/**
 * The request log of the serving side: `createRequestLog()` gives a writer
 * to PostgreSQL when a database URL is given, else to embedded PGlite in a
 * data directory (DEFAULT_DATA_DIR); `memoryRequestLog()` keeps rows in
 * memory (tests). See writer.ts for how rows travel.
 */
import { resolve } from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { RequestLogError } from './errors.ts';
import { pgliteOpener } from './pglite.ts';
import { postgresOpener } from './postgres.ts';
import type { RequestLog } from './types.ts';
import { BatchWriter, type RequestLogEvent } from './writer.ts';

export { RequestLogError } from './errors.ts';
export { type MemoryRequestLog, memoryRequestLog } from './memory.ts';
export { REQUEST_LOG_METRICS } from './metrics.ts';
export type { AttemptRow, RequestLog, RequestLogStats, RequestRow } from './types.ts';
export type { RequestLogEvent } from './writer.ts';

/** Where `serve` keeps its request log when given no --database-url (relative to the working directory). */
export const DEFAULT_DATA_DIR = '.switchyard/request-log';

export interface RequestLogOptions {
  /** postgres://user:password@host:port/database. Without it, PGlite in `dataDir`. */
  databaseUrl?: string;
  /** PGlite data directory (default DEFAULT_DATA_DIR); one writer per directory (locked). Not with databaseUrl. */
  dataDir?: string;
  /** Rows queued at most before record() drops (default 50,000: about 25 MB). */
  maxQueue?: number;
  /** Rows per INSERT at most (default 1,000). */
  batchSize?: number;
  /** Longest wait before a partial batch is written (default 1,000 ms). */
  flushIntervalMs?: number;
  /** PostgreSQL connect timeout (default 5,000 ms). */
  connectTimeoutMs?: number;
  /** Longest a batch may take: PostgreSQL statement_timeout (default 10,000 ms). */
  writeTimeoutMs?: number;
  /** First retry delay after a failed batch, doubling up to retryMaxMs (defaults 250 ms and 30,000 ms). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Longest PGlite may take to open its directory, initialising it the first time (default 60,000 ms). */
  pgliteOpenTimeoutMs?: number;
  /** Told when writing goes down, comes back, or rows are refused. */
  onEvent?: (event: RequestLogEvent) => void;
}

export const REQUEST_LOG_DEFAULTS = {
  maxQueue: 50_000,
  batchSize: 1_000,
  flushIntervalMs: 1_000,
  connectTimeoutMs: 5_000,
  writeTimeoutMs: 10_000,
  retryInitialMs: 250,
  retryMaxMs: 30_000,
  pgliteOpenTimeoutMs: 60_000,
} as const;

type Numeric = keyof typeof REQUEST_LOG_DEFAULTS;

function positiveInt(options: RequestLogOptions, key: Numeric): number {
  const v = options[key] ?? REQUEST_LOG_DEFAULTS[key];
  if (!Number.isSafeInteger(v) || v <= 0) throw new RequestLogError(`request log option ${key} must be a positive integer, got ${String(v)}`);
  return v;
}

export interface OpenRequestLog extends RequestLog {
  /** Where rows go, for the start-up log line (never a password). */
  readonly target: string;
}

/**
 * A request log writing to PostgreSQL (`databaseUrl`) or to PGlite in a data
 * directory. Returns at once: the database is opened in the background, and
 * a database that is down only delays writing. Throws a RequestLogError for
 * settings that cannot work (a bad URL or option, a data directory another
 * live process holds).
 */
export function createRequestLog(options: RequestLogOptions = {}): OpenRequestLog {
  const n = Object.fromEntries(Object.keys(REQUEST_LOG_DEFAULTS).map((k) => [k, positiveInt(options, k as Numeric)])) as Record<Numeric, number>;
  if (n.retryMaxMs < n.retryInitialMs) throw new RequestLogError('request log option retryMaxMs must be at least retryInitialMs');
  const writer = {
    maxQueue: n.maxQueue,
    batchSize: n.batchSize,
    flushIntervalMs: n.flushIntervalMs,
    writeTimeoutMs: n.writeTimeoutMs,
    retryInitialMs: n.retryInitialMs,
    retryMaxMs: n.retryMaxMs,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
  if (options.databaseUrl !== undefined) {
    if (options.dataDir !== undefined) throw new RequestLogError('the request log goes to --database-url or to a data directory, not both');
    return new BatchWriter(postgresOpener(options.databaseUrl, { connectTimeoutMs: n.connectTimeoutMs, writeTimeoutMs: n.writeTimeoutMs }), writer);
  }
  const dir = options.dataDir ?? DEFAULT_DATA_DIR;
  if (dir === '' || dir.includes('\0')) throw new RequestLogError('the request log data directory must be a non-empty path');
  const absolute = resolve(dir);
  const lock = lockDataDir(absolute);
  return new BatchWriter(pgliteOpener(absolute, n.pgliteOpenTimeoutMs), writer, () => lock.release());
}
