import { describe, expect, it } from 'vitest';
import { METRICS } from '../../src/observability/metrics.ts';
import { memoryRequestLog, REQUEST_LOG_METRICS } from '../../src/request-log/index.ts';

describe('request-log metrics', () => {
  it('give every number of stats() a metric of the naming table: the queue a gauge, the rest counters', () => {
    expect(Object.keys(REQUEST_LOG_METRICS).sort()).toEqual(Object.keys(memoryRequestLog().stats()).sort());
    expect(
      Object.fromEntries(Object.entries(REQUEST_LOG_METRICS).map(([field, key]) => [field, [METRICS[key].name, METRICS[key].type, METRICS[key].labels]])),
    ).toEqual({
      queued: ['switchyard_request_log_queued', 'gauge', []],
      written: ['switchyard_request_log_written_total', 'counter', []],
      dropped: ['switchyard_request_log_dropped_total', 'counter', []],
      rejected: ['switchyard_request_log_rejected_total', 'counter', []],
      failedWrites: ['switchyard_request_log_write_failures_total', 'counter', []],
    });
  });
});
