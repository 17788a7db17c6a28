/** What every handler reads: the current generation and the gateway's shared parts. */
import type { RequestLog } from '../request-log/types.ts';
import type { Generation } from './generation.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { StoreHealth } from './store-health.ts';

export interface GatewayState {
  /** The generation new requests take (a request keeps the one it started with). */
  gen: Generation;
  readonly metrics: GatewayMetrics;
  readonly requestLog: RequestLog;
  readonly storeHealth: StoreHealth;
  readonly maxBodyBytes: number;
  /** Calls to providers in flight and queued for a slot, over every deployment. */
  upstream(): { active: number; queued: number };
  /** Shutting down: no new requests. */
  draining: boolean;
}
