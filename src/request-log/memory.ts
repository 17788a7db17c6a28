/**
 * The request log used when no database is configured: the most recent
 * requests (and their attempts) kept in process memory, nothing persisted.
 * It lets `switchyard serve` run without PostgreSQL and gives tests the rows
 * the gateway records; the PostgreSQL / PGlite writer replaces it when a
 * database is configured.
 *
 * Memory is bounded: past `capacity` requests the oldest is forgotten and its
 * rows counted as dropped.
 */
import type { AttemptRow, RequestLog, RequestLogStats, RequestRow } from './types.ts';

export interface MemoryRequestLogOptions {
  /** Requests kept; default 10 000. */
  capacity?: number;
}

export interface LoggedRequest {
  request: RequestRow;
  attempts: readonly AttemptRow[];
}

export class MemoryRequestLog implements RequestLog {
  private readonly capacity: number;
  private readonly ring: (LoggedRequest | undefined)[];
  /** Requests recorded so far; the newest is at (count - 1) % capacity. */
  private count = 0;
  private readonly counts: RequestLogStats = { queued: 0, written: 0, dropped: 0, failedWrites: 0 };

  constructor(options: MemoryRequestLogOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? 10_000));
    this.ring = new Array(this.capacity);
  }

  record(request: RequestRow, attempts: readonly AttemptRow[]): void {
    const slot = this.count % this.capacity;
    const evicted = this.ring[slot];
    if (evicted !== undefined) this.counts.dropped += 1 + evicted.attempts.length;
    this.ring[slot] = { request, attempts };
    this.count++;
    this.counts.written += 1 + attempts.length;
  }

  /** The requests held, oldest first. */
  entries(): LoggedRequest[] {
    const held = Math.min(this.count, this.capacity);
    const out: LoggedRequest[] = [];
    for (let i = this.count - held; i < this.count; i++) out.push(this.ring[i % this.capacity]!);
    return out;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  stats(): RequestLogStats {
    return { ...this.counts };
  }
}

export const createMemoryRequestLog = (options?: MemoryRequestLogOptions): MemoryRequestLog => new MemoryRequestLog(options);
