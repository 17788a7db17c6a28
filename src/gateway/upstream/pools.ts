/**
 * The HTTP client pools every upstream call goes through: one undici Pool
 * (keep-alive connections) per provider origin, looked up once per plan
 * generation, not per call. Timeouts are per call (per deployment), set by
 * the calls themselves.
 */
import { type Dispatcher, Pool } from 'undici';

export interface UpstreamPoolOptions {
  /** How long an idle pooled connection is kept. Default 30 s. */
  keepAliveMs?: number;
  /** TCP + TLS connect limit. Default 5 s. */
  connectTimeoutMs?: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly o: UpstreamPoolOptions = {}) {}

  /** The pool of an origin (`scheme://host:port`), created on first use. */
  get(origin: string): Dispatcher {
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        keepAliveTimeout: this.o.keepAliveMs ?? 30_000,
        keepAliveMaxTimeout: 10 * 60_000,
        connect: { timeout: this.o.connectTimeoutMs ?? 5_000 },
        // One request per connection at a time: a slow completion must not hold up the ones behind it.
        pipelining: 1,
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }
}
