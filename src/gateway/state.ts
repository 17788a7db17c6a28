/** What every handler reads: the current generation and the gateway's shared parts. */
import type { RequestLog } from '../request-log/types.ts';
import type { CanaryJudge, CanaryOutcome } from './canary-judge.ts';
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
  /** A canary plan taking a share of requests, or the last one and why it ended. */
  canary: RunningCanary | null;
  /** Called with the arm and outcome of every routed request while a canary runs (not refusals, not requests the client gave up on). */
  onCanaryOutcome(arm: 'stable' | 'canary', outcome: CanaryOutcome): void;
}

export interface RunningCanary {
  readonly gen: Generation;
  /** The bundle version (or a label) of the canary plan. */
  readonly version: string;
  /** Share of requests, 0-100. */
  readonly percent: number;
  readonly judge: CanaryJudge;
  status: 'running' | 'rolled-back' | 'promoted' | 'aborted';
  reason: string | null;
}
