/**
 * The exporter: gauges per profile from the journal, finished work counted
 * once per batch even across exporter restarts, names and labels from the
 * metric table, served over HTTP and read back by a real Prometheus text
 * parser (promtool check metrics).
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createBatchMetrics, serveMetrics } from '../../src/batch/metrics.ts';
import { prepare } from '../../src/batch/prepare/prepare.ts';
import { submit } from '../../src/batch/submit.ts';
import { watch } from '../../src/batch/watch.ts';
import { METRICS } from '../../src/observability/metrics.ts';
import { prometheusBinary } from '../targets/prometheus-bin.ts';
import { jsonl, referencePlan } from './fixtures.ts';
import { type Harness, harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

/** Sample values of one metric by label set, from exposition text. */
function samples(text: string, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

describe('batch queue metrics', () => {
  it('exports pending requests and the oldest pending age per profile, and counts finished batches once', async () => {
    const plan = await referencePlan();
    h = await harness(plan, { pace: { perRequestMs: 60_000 } });
    const rows = (n: number) => jsonl(Array.from({ length: n }, (_, i) => ({ messages: [{ role: 'user', content: `q${i}` }] })));
    const research = (await prepare({ plan, profile: 'research', input: h.t.write('r.jsonl', rows(4)), out: h.t.path('r') })).out;
    const content = (await prepare({ plan, profile: 'content-analysis', input: h.t.write('c.jsonl', rows(3)), out: h.t.path('c') })).out;
    let now = Date.UTC(2025, 5, 1);
    const ctx = { ...h.ctx, now: () => now };
    await submit(ctx, research);
    now += 90_000;
    await submit(ctx, content);
    now += 30_000;

    const metrics = createBatchMetrics(plan);
    const jobs = await h.journal.list();
    await metrics.observe(jobs, now, h.journal);
    let text = await metrics.registry.metrics();
    // Validating: every request of the batch is pending.
    expect(samples(text, METRICS.batchQueuePending.name)).toEqual({
      'profile="content-analysis"': 3,
      'profile="document-extraction"': 0,
      'profile="invoice-processing"': 0,
      'profile="research"': 4,
    });
    expect(samples(text, METRICS.batchQueueOldestPending.name)).toMatchObject({
      'profile="research"': 120,
      'profile="content-analysis"': 30,
      'profile="invoice-processing"': 0,
    });

    // Two requests of research answered: two left.
    h.clock.advance(1_000 + 120_000);
    await watch(ctx, { intervalMs: 1, metrics, stopped: Promise.resolve() });
    text = await metrics.registry.metrics();
    expect(samples(text, METRICS.batchQueuePending.name)['profile="research"']).toBe(2);

    h.finishAll();
    await watch(ctx, { intervalMs: 1, metrics, stopped: Promise.resolve() });
    text = await metrics.registry.metrics();
    expect(samples(text, METRICS.batchQueuePending.name)).toMatchObject({ 'profile="research"': 0, 'profile="content-analysis"': 0 });
    expect(samples(text, METRICS.batchQueueOldestPending.name)).toMatchObject({ 'profile="research"': 0 });
    expect(samples(text, METRICS.batchRequests.name)).toMatchObject({
      'profile="research",outcome="completed"': 4,
      'profile="content-analysis",outcome="completed"': 3,
      'profile="research",outcome="failed"': 0,
    });
    expect(samples(text, METRICS.batchJobs.name)).toEqual({ 'profile="research",status="completed"': 1, 'profile="content-analysis",status="completed"': 1 });
    expect((await h.journal.list()).every((j) => j.counted)).toBe(true);

    // A restarted exporter does not count them again.
    const restarted = createBatchMetrics(plan);
    await restarted.observe(await h.journal.list(), now, h.journal);
    expect(samples(await restarted.registry.metrics(), METRICS.batchJobs.name)).toEqual({});
  });

  it('serves /metrics over HTTP in a format promtool accepts, with the table names and labels', async () => {
    const plan = await referencePlan();
    const metrics = createBatchMetrics(plan);
    const server = await serveMetrics(metrics.registry, 0);
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const key of ['batchQueuePending', 'batchQueueOldestPending', 'batchRequests', 'batchJobs'] as const) {
        const m = METRICS[key];
        expect(text).toContain(`# HELP ${m.name} ${m.help}`);
        expect(text).toContain(`# TYPE ${m.name} ${m.type}`);
      }
      expect(text).toContain('switchyard_batch_queue_pending{profile="research"} 0');
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
      const r = spawnSync(prometheusBinary('promtool'), ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    } finally {
      await server.close();
    }
  });
});
