/**
 * The runtime router's public shapes. Everything that makes a routing
 * decision non-deterministic (time, randomness, the network) is injected, so
 * a decision can be replayed exactly in tests and in `switchyard explain`.
 */
import type { PlanDeployment } from '../plan/types.ts';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Uniform in [0, 1). */
export type Random = () => number;

export interface RouteRequest {
  /** Public model name: the model group. */
  group: string;
  tenant?: string;
  estimatedInputTokens: number;
  maxOutputTokens?: number;
  signal?: AbortSignal;
  /** Anything else (messages, metadata) travels to the transport untouched. */
  [extra: string]: unknown;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export type TransportSuccess = { ok: true; latencyMs: number; usage: Usage; body?: unknown };
export type TransportFailure = {
  ok: false;
  status?: number;
  /** `cancelled`: the caller went away (a client disconnect); not the deployment's fault. */
  kind: 'http' | 'timeout' | 'connection' | 'cancelled';
  retryAfterMs?: number;
  latencyMs: number;
  /**
   * The request ends here: no retry and no fallback. A gateway sets it when
   * part of the answer already reached the client (a stream that broke after
   * its first byte) or when the client is gone.
   */
  final?: boolean;
};
export type TransportResult = TransportSuccess | TransportFailure;

export interface TransportCallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** The model group this call is made for (the requested group or one of its fallbacks): its stream timeouts apply. */
  group: string;
}

export interface Transport {
  call(deployment: PlanDeployment, request: RouteRequest, opts: TransportCallOptions): Promise<TransportResult>;
}

/** Why a candidate was not called (or not called again). */
export type SkipReason =
  | 'unknown-group'
  | 'unknown-tenant'
  | 'tenant-not-allowed'
  | 'tenant-rpm'
  | 'tenant-tpm'
  | 'tenant-budget'
  | 'circuit-open'
  | 'context-too-small'
  | 'deployment-rpm'
  | 'deployment-tpm'
  | 'already-tried'
  | 'retry-after-too-long';

/** Why a call failed. */
export type FailureReason = 'http-429' | 'http-5xx' | 'http-4xx' | 'http-other' | 'timeout' | 'connection' | 'cancelled';

export type Step = 'primary' | 'fallback' | 'context-window-fallback';

/** One line of the trace: a call, or a candidate (or whole group, deployment null) that was skipped. */
export interface Attempt {
  group: string;
  step: Step;
  deployment: string | null;
  /** 0 for the first call to this deployment in this request, 1.. for retries; -1 for skips. */
  try: number;
  outcome: 'ok' | 'error' | 'skipped';
  reason: SkipReason | FailureReason | null;
  status: number | null;
  latencyMs: number;
  /** Time slept after this attempt before retrying the same deployment. */
  backoffMs: number;
}

export interface RouteResult {
  ok: boolean;
  deployment?: string;
  group?: string;
  response?: TransportSuccess;
  trace: Attempt[];
}

/** Anything with an EventEmitter-like `emit` (node:events works). Events: degraded, recovered, breaker. */
export interface RouterEvents {
  emit(event: string, payload?: unknown): unknown;
}

export interface RouterMetrics {
  requests: number;
  succeeded: number;
  failed: number;
  /** Requests served by a group other than the one asked for. */
  servedByFallback: number;
  calls: number;
  /** True while the shared store is unreachable and routing runs on local state. */
  degraded: boolean;
  /** How many times the router entered degraded mode. */
  degradedCount: number;
  recoveredCount: number;
  /** Round trips to the shared store: one per background sync, none on a request's path. */
  storeRoundTrips: number;
  storeErrors: number;
}
