/**
 * The gateway registers exactly the naming table's `switchyard` metrics
 * (names, types, labels), except the batch runner's (`switchyard_batch_*`,
 * which `switchyard batch watch` exports); state gauges are read at scrape
 * time.
 */
import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/gateway/metrics.ts';
import { metricTable } from '../../src/observability/metrics.ts';
import { parseMetrics } from './metrics-text.ts';

const fromBatchRunner = (name: string) => name.startsWith('switchyard_batch_');

describe('gateway metrics', () => {
  it('match the naming table: names, types and labels', async () => {
    const m = new GatewayMetrics({
      breakers: () => [],
      store: () => ({ kind: 'memory', up: true }),
      requestLog: () => ({ queued: 0, written: 0, dropped: 0, failedWrites: 0, rejected: 0 }),
      canary: () => null,
      plan: () => ({ hash: 'h', loadedAt: 0 }),
    });
    const registered = (await m.registry.getMetricsAsJSON()).map((x) => ({
      name: x.name,
      type: x.type,
      labels: [...((m.registry.getSingleMetric(x.name) as unknown as { labelNames: string[] }).labelNames ?? [])],
    }));
    const table = metricTable()
      .filter((d) => d.origin === 'switchyard' && !fromBatchRunner(d.name))
      .map((d) => ({ name: d.name, type: d.type, labels: [...d.labels] }));
    expect(registered.sort((a, b) => a.name.localeCompare(b.name))).toEqual(table.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('reads breakers, the state store and the request log when scraped', async () => {
    let phase = 0;
    let stats = { queued: 3, written: 10, dropped: 2, failedWrites: 1, rejected: 4 };
    let canary: { version: string; state: number } | null = null;
    const m = new GatewayMetrics({
      breakers: () => [['d1', phase] as const],
      store: () => ({ kind: 'redis', up: phase === 0 }),
      requestLog: () => stats,
      canary: () => canary,
      plan: () => ({ hash: 'sha256:aaa', loadedAt: 0 }),
    });
    let s = parseMetrics(await m.text());
    expect(s.get('switchyard_circuit_breaker_state{deployment="d1"}')).toBe(0);
    expect(s.get('switchyard_state_store_up{store="redis"}')).toBe(1);
    expect([
      s.get('switchyard_request_log_queued'),
      s.get('switchyard_request_log_written_total'),
      s.get('switchyard_request_log_dropped_total'),
      s.get('switchyard_request_log_write_failures_total'),
      s.get('switchyard_request_log_rejected_total'),
    ]).toEqual([3, 10, 2, 1, 4]);
    phase = 1;
    stats = { queued: 0, written: 25, dropped: 7, failedWrites: 1, rejected: 5 };
    s = parseMetrics(await m.text());
    expect(s.get('switchyard_circuit_breaker_state{deployment="d1"}')).toBe(1);
    expect(s.get('switchyard_state_store_up{store="redis"}')).toBe(0);
    expect([
      s.get('switchyard_request_log_queued'),
      s.get('switchyard_request_log_written_total'),
      s.get('switchyard_request_log_dropped_total'),
      s.get('switchyard_request_log_rejected_total'),
    ]).toEqual([0, 25, 7, 5]);
    // No canary: no series; then the state code of the one there is.
    expect([...s.keys()].some((k) => k.startsWith('switchyard_canary_state'))).toBe(false);
    canary = { version: 'v1', state: 2 };
    m.canaryRequest('canary', true);
    m.canaryRequest('stable', false);
    s = parseMetrics(await m.text());
    expect(s.get('switchyard_canary_state{version="v1"}')).toBe(2);
    expect(s.get('switchyard_canary_requests_total{arm="canary",outcome="error"}')).toBe(1);
    expect(s.get('switchyard_canary_requests_total{arm="stable",outcome="success"}')).toBe(1);
  });

  it('the plan served: one info series whose hash label follows the plan, its load time, and reloads by outcome', async () => {
    let served = { hash: 'sha256:aaa', loadedAt: 1_767_225_600_250 };
    const m = new GatewayMetrics({
      breakers: () => [],
      store: () => ({ kind: 'memory', up: true }),
      requestLog: () => ({ queued: 0, written: 0, dropped: 0, failedWrites: 0, rejected: 0 }),
      canary: () => null,
      plan: () => served,
    });
    const planSeries = (s: Map<string, number>) => Object.fromEntries([...s].filter(([k]) => k.startsWith('switchyard_plan_')));
    // Before any reload: both outcomes at 0 (so increase() sees the first failure), the start as the load time.
    expect(planSeries(parseMetrics(await m.text()))).toEqual({
      'switchyard_plan_info{hash="sha256:aaa"}': 1,
      'switchyard_plan_reloads_total{outcome="success"}': 0,
      'switchyard_plan_reloads_total{outcome="failure"}': 0,
      switchyard_plan_last_reload_success_timestamp_seconds: 1_767_225_600.25,
    });
    m.reload('success');
    m.reload('failure');
    m.reload('success');
    served = { hash: 'sha256:bbb', loadedAt: 1_767_225_660_000 };
    const s = parseMetrics(await m.text());
    expect(planSeries(s)).toEqual({
      'switchyard_plan_info{hash="sha256:bbb"}': 1,
      'switchyard_plan_reloads_total{outcome="success"}': 2,
      'switchyard_plan_reloads_total{outcome="failure"}': 1,
      switchyard_plan_last_reload_success_timestamp_seconds: 1_767_225_660,
    });
  });
});
