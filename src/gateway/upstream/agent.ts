/**
 * The HTTP client pools every upstream call goes through: one undici Agent,
 * which keeps a keep-alive pool per provider origin. Timeouts are per call
 * (per deployment), set by the calls themselves.
 */
import { Agent, type Dispatcher } from 'undici';

export interface UpstreamAgentOptions {
  /** How long an idle pooled connection is kept. Default 30 s. */
  keepAliveMs?: number;
  /** TCP + TLS connect limit. Default 5 s. */
  connectTimeoutMs?: number;
}

export function createUpstreamAgent(o: UpstreamAgentOptions = {}): Dispatcher {
  return new Agent({
    keepAliveTimeout: o.keepAliveMs ?? 30_000,
    keepAliveMaxTimeout: 10 * 60_000,
    connect: { timeout: o.connectTimeoutMs ?? 5_000 },
    // One request per connection at a time: a slow completion must not hold up the ones behind it.
    pipelining: 1,
  });
}
