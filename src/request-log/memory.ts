/**
 * A RequestLog that keeps rows in memory: for tests, and for a gateway run
 * without any database. It follows the writer's rules (a request is kept
 * with all its attempts or not at all; invalid rows are rejected; past
 * maxRows and after close rows are dropped and counted), so a test written
 * against it holds for the database writers too.
 */
import { entryProblem } from './rows.ts';
import type { AttemptRow, RequestLog, RequestLogStats, RequestRow } from './types.ts';

export interface MemoryRequestLog extends RequestLog {
  /** Request rows kept, in record() order. */
  requests(): readonly RequestRow[];
  /** Attempt rows kept, in record() order. */
  attempts(): readonly AttemptRow[];
}

export function memoryRequestLog(opts: { maxRows?: number } = {}): MemoryRequestLog {
  const maxRows = opts.maxRows ?? 100_000;
  const requests: RequestRow[] = [];
  const attempts: AttemptRow[] = [];
  let closed = false;
  let dropped = 0;
  let rejected = 0;
  return {
    record(request, as) {
      let rows = 1;
      try {
        rows = 1 + as.length;
        if (closed || requests.length + attempts.length + rows > maxRows) {
          dropped += rows;
          return;
        }
        if (entryProblem(request, as) !== null) {
          rejected += rows;
          return;
        }
        requests.push(request);
        attempts.push(...as);
      } catch {
        rejected += rows;
      }
    },
    flush: () => Promise.resolve(),
    close() {
      closed = true;
      return Promise.resolve();
    },
    stats: (): RequestLogStats => ({ queued: 0, written: requests.length + attempts.length, dropped, failedWrites: 0, rejected }),
    requests: () => requests,
    attempts: () => attempts,
  };
}
