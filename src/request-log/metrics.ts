/**
 * Which metric of the naming table (src/observability/metrics.ts) carries
 * each number of RequestLog.stats(): the gateway exports them on /metrics,
 * reading stats() at scrape time. Counters there are monotonic because the
 * stats are.
 */
import type { MetricKey } from '../observability/metrics.ts';
import type { RequestLogStats } from './types.ts';

export const REQUEST_LOG_METRICS: Readonly<Record<keyof RequestLogStats, MetricKey>> = {
  queued: 'requestLogQueued',
  written: 'requestLogWritten',
  dropped: 'requestLogDropped',
  rejected: 'requestLogRejected',
  failedWrites: 'requestLogWriteFailures',
};
