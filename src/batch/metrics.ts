/**
 * The batch queue as Prometheus metrics, named and labelled by the metric
 * table (src/observability/metrics.ts), for the generated rules (the
 * "batch queue stuck" alert) and the batch-failure runbook:
 *
 * - switchyard_batch_queue_pending{profile}: requests of unfinished batches
 *   not answered yet (all of a batch still validating or being submitted);
 * - switchyard_batch_queue_oldest_pending_seconds{profile}: age of the
 *   oldest unfinished batch, from when it was submitted (0 when none);
 * - switchyard_batch_requests_total{profile,outcome} and
 *   switchyard_batch_jobs_total{profile,status}: finished work, counted once
 *   per batch (the journal remembers which were counted, so a restarted
 *   exporter does not count them again).
 *
 * Every profile of the plan has its series, at 0 when idle, so the alert
 * sees a queue that is empty rather than no data.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { METRICS } from '../observability/metrics.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { isTerminal, type JobRecord, type Journal } from './journal.ts';

export interface BatchMetrics {
  registry: Registry;
  /** Sets the gauges from the jobs and counts the ones that finished since; returns the jobs it marked counted. */
  observe(jobs: readonly JobRecord[], nowMs: number, journal: Journal): Promise<number>;
}

const help = (m: { help: string }) => m.help;

export function createBatchMetrics(plan: CompiledPlan): BatchMetrics {
  const registry = new Registry();
  const pending = new Gauge({
    name: METRICS.batchQueuePending.name,
    help: help(METRICS.batchQueuePending),
    labelNames: [...METRICS.batchQueuePending.labels],
    registers: [registry],
  });
  const oldest = new Gauge({
    name: METRICS.batchQueueOldestPending.name,
    help: help(METRICS.batchQueueOldestPending),
    labelNames: [...METRICS.batchQueueOldestPending.labels],
    registers: [registry],
  });
  // prom-client appends no suffix: the table's names already end in _total.
  const requests = new Counter({
    name: METRICS.batchRequests.name,
    help: help(METRICS.batchRequests),
    labelNames: [...METRICS.batchRequests.labels],
    registers: [registry],
  });
  const batches = new Counter({
    name: METRICS.batchJobs.name,
    help: help(METRICS.batchJobs),
    labelNames: [...METRICS.batchJobs.labels],
    registers: [registry],
  });
  const profiles = Object.keys(plan.batchProfiles).sort();
  for (const profile of profiles) {
    pending.set({ profile }, 0);
    oldest.set({ profile }, 0);
    for (const outcome of ['completed', 'failed']) requests.inc({ profile, outcome }, 0);
  }

  return {
    registry,
    async observe(jobs, nowMs, journal) {
      const p = new Map<string, number>();
      const o = new Map<string, number>();
      let counted = 0;
      for (const j of jobs) {
        if (!isTerminal(j)) {
          const c = j.batch?.request_counts;
          const waiting = !j.batch || j.batch.status === 'validating' || !c || c.total === 0 ? j.requests : Math.max(0, c.total - c.completed - c.failed);
          p.set(j.profile, (p.get(j.profile) ?? 0) + waiting);
          o.set(j.profile, Math.max(o.get(j.profile) ?? 0, Math.max(0, (nowMs - j.intentAt) / 1000)));
          continue;
        }
        if (j.counted) continue;
        const c = j.batch!.request_counts ?? { total: 0, completed: 0, failed: 0 };
        requests.inc({ profile: j.profile, outcome: 'completed' }, c.completed);
        // Requests an expired, cancelled or failed batch never ran count as failed.
        requests.inc({ profile: j.profile, outcome: 'failed' }, Math.max(c.failed, j.requests - c.completed));
        batches.inc({ profile: j.profile, status: j.batch!.status });
        await journal.mark(j, 'counted');
        counted++;
      }
      for (const profile of new Set([...profiles, ...p.keys()])) {
        pending.set({ profile }, p.get(profile) ?? 0);
        oldest.set({ profile }, Math.round(o.get(profile) ?? 0));
      }
      return counted;
    },
  };
}

/** Serves the registry at /metrics (and nothing else) on host:port. */
export async function serveMetrics(registry: Registry, port: number, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found: the exporter serves GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics unavailable\n');
      },
    );
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${a.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
