/**
 * The gateway's Prometheus metrics, registered with prom-client under the
 * names, types and labels of the naming table (src/observability/metrics.ts):
 * the generated rules, dashboard and readiness gate read exactly these.
 * Label children are cached per label combination so the hot path does not
 * rebuild label objects; gauges of state (breakers, the state store, the
 * request log, the plan served) are read when Prometheus scrapes.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS, type MetricDef, type MetricKey } from '../observability/metrics.ts';
import { REQUEST_LOG_METRICS } from '../request-log/metrics.ts';
import type { RequestLogStats } from '../request-log/types.ts';

export interface MetricsSources {
  /** Breaker phase (0 closed, 1 open, 2 half-open) of every deployment of the current plan. */
  breakers(): Iterable<readonly [string, number]>;
  store(): { kind: string; up: boolean };
  requestLog(): RequestLogStats;
  /** The canary this gateway runs or ran last, as the switchyard_canary_state code; null without one. */
  canary(): { version: string; state: number } | null;
  /** The plan served (its generation's hash and load time, epoch ms), read at scrape so its two metrics always agree. */
  plan(): { hash: string; loadedAt: number };
}

/** Seconds. The SLO thresholds (2 s interactive p95, 150 ms routing overhead p95) are bucket bounds, so quantiles near them are exact. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 5, 10, 30, 60, 120, 300];
const OVERHEAD_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1];

type Labels<K extends MetricKey> = (typeof METRICS)[K]['labels'][number];

const def = (key: MetricKey): MetricDef => METRICS[key];
const config = <K extends MetricKey>(key: K, registry: Registry) => ({
  name: def(key).name,
  help: def(key).help,
  labelNames: def(key).labels as readonly Labels<K>[] as Labels<K>[],
  registers: [registry],
});

/** Children of one metric by label values, created once. */
class Children<C> {
  private readonly map = new Map<string, C>();
  constructor(private readonly make: (values: string[]) => C) {}
  get(a: string, b = '', c = '', d = ''): C {
    const key = `${a}\u0001${b}\u0001${c}\u0001${d}`;
    let child = this.map.get(key);
    if (child === undefined) {
      const values = [a, b, c, d];
      child = this.make(values);
      this.map.set(key, child);
    }
    return child;
  }
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Children<Counter.Internal>;
  private readonly durations: Children<Histogram.Internal<string>>;
  private readonly overheads: Children<Histogram.Internal<string>>;
  private readonly fallbacks: Children<Counter.Internal>;
  private readonly cost: Children<Counter.Internal>;
  private readonly baselineCost: Children<Counter.Internal>;
  private readonly rejected: Children<Counter.Internal>;
  private readonly streamErrors: Children<Counter.Internal>;
  private readonly canaryRequests: Children<Counter.Internal>;
  private readonly reloads: Record<'success' | 'failure', Counter.Internal>;

  constructor(sources: MetricsSources) {
    const r = this.registry;
    const requests = new Counter(config('requests', r));
    this.requests = new Children((v) => requests.labels(v[0]!, v[1]!, v[2]!, v[3]!));
    const duration = new Histogram({ ...config('requestDuration', r), buckets: DURATION_BUCKETS });
    this.durations = new Children((v) => duration.labels(v[0]!, v[1]!));
    const overhead = new Histogram({ ...config('routingOverhead', r), buckets: OVERHEAD_BUCKETS });
    this.overheads = new Children((v) => overhead.labels(v[0]!));
    const fallbacks = new Counter(config('fallbacks', r));
    this.fallbacks = new Children((v) => fallbacks.labels(v[0]!, v[1]!, v[2]!, v[3]!));
    const cost = new Counter(config('cost', r));
    this.cost = new Children((v) => cost.labels(v[0]!, v[1]!, v[2]!));
    const baselineCost = new Counter(config('baselineCost', r));
    this.baselineCost = new Children((v) => baselineCost.labels(v[0]!, v[1]!));
    const rejected = new Counter(config('rejected', r));
    this.rejected = new Children((v) => rejected.labels(v[0]!, v[1]!));
    const streamErrors = new Counter(config('streamErrors', r));
    this.streamErrors = new Children((v) => streamErrors.labels(v[0]!, v[1]!, v[2]!));
    const canaryRequests = new Counter(config('canaryRequests', r));
    this.canaryRequests = new Children((v) => canaryRequests.labels(v[0]!, v[1]!));
    new Gauge({
      ...config('canaryState', r),
      collect() {
        this.reset();
        const c = sources.canary();
        if (c !== null) this.labels(c.version).set(c.state);
      },
    });

    const reloads = new Counter(config('planReloads', r));
    this.reloads = { success: reloads.labels('success'), failure: reloads.labels('failure') };
    // Both outcomes are exported from the start (at 0), so an alert on increase() sees the first failure.
    this.reloads.success.inc(0);
    this.reloads.failure.inc(0);
    new Gauge({
      ...config('planInfo', r),
      collect() {
        this.reset();
        this.labels(sources.plan().hash).set(1);
      },
    });
    new Gauge({
      ...config('planLastReload', r),
      collect() {
        this.set(sources.plan().loadedAt / 1000);
      },
    });

    new Gauge({
      ...config('breakerState', r),
      collect() {
        this.reset();
        for (const [deployment, phase] of sources.breakers()) this.labels(deployment).set(phase);
      },
    });
    new Gauge({
      ...config('stateStoreUp', r),
      collect() {
        this.reset();
        const s = sources.store();
        this.labels(s.kind).set(s.up ? 1 : 0);
      },
    });
    // The request log's stats() at scrape time, each field under the metric REQUEST_LOG_METRICS names for it
    // (its counters are monotonic because the stats are).
    for (const [field, key] of Object.entries(REQUEST_LOG_METRICS) as [keyof RequestLogStats, MetricKey][]) {
      const read = () => sources.requestLog()[field];
      if (def(key).type === 'gauge')
        new Gauge({
          ...config(key, r),
          collect() {
            this.set(read());
          },
        });
      else
        new Counter({
          ...config(key, r),
          collect() {
            this.reset();
            this.inc(read());
          },
        });
    }
  }

  reload(outcome: 'success' | 'failure'): void {
    this.reloads[outcome].inc();
  }

  canaryRequest(arm: 'stable' | 'canary', failed: boolean): void {
    this.canaryRequests.get(arm, failed ? 'error' : 'success').inc();
  }

  request(group: string, deployment: string, provider: string, outcome: 'success' | 'error'): void {
    this.requests.get(group, deployment, provider, outcome).inc();
  }

  duration(group: string, workload: string, seconds: number): void {
    this.durations.get(group, workload).observe(seconds);
  }

  overhead(group: string, seconds: number): void {
    this.overheads.get(group).observe(seconds);
  }

  fallback(group: string, from: string, to: string, outcome: 'success' | 'failure'): void {
    this.fallbacks.get(group, from, to, outcome).inc();
  }

  spend(tenant: string, provider: string, group: string, usd: number, baselineUsd: number | null): void {
    if (usd > 0) this.cost.get(tenant, provider, group).inc(usd);
    if (baselineUsd !== null && baselineUsd > 0) this.baselineCost.get(tenant, group).inc(baselineUsd);
  }

  reject(tenant: string, reason: string): void {
    this.rejected.get(tenant, reason).inc();
  }

  streamError(group: string, deployment: string, provider: string): void {
    this.streamErrors.get(group, deployment, provider).inc();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
