/**
 * What `switchyard simulate` reports, per scenario: per requested model
 * group, per deployment and per vLLM engine, the cost projected to a month
 * against the single-provider baseline, and every SLO of the plan marked
 * pass, fail or n/a. `--json` prints this shape and the diff and the risk
 * rules read it, so it is a contract: add fields, never rename them. Rates
 * are fractions (0-1), times ms, money USD; figures are rounded so that one
 * seed gives byte-identical output.
 */

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** The requests that asked for one model group (wherever they were served). */
export interface GroupReport {
  requests: number;
  /** Each request ends exactly once as one of these three: served; failed after calling at least one deployment; failed without a call (shed by limits, breakers or the tenant's rules). */
  succeeded: number;
  errors: number;
  shed: number;
  successRate: number | null;
  /** Share of requests the group's own deployments did not serve (limits of the tenant aside): they needed a fallback. */
  fallbackRate: number | null;
  /** Of those, the share a fallback group served. */
  fallbackSuccessRate: number | null;
  /** Of successful requests, from arrival to first token (retries and backoff included). */
  latencyMs: LatencySummary | null;
  /** Calls answered 429 by a provider. */
  http429: number;
  /** Circuit-breaker openings of the group's own deployments (all deployments, for the totals). */
  breakerTrips: number;
  /** Failed requests by why the last candidate could not serve them (a skip reason such as deployment-tpm or circuit-open, or a call failure such as timeout or http-5xx). */
  failures: Record<string, number>;
  costUsd: number;
  /** Cost of the group's own traffic projected to its monthly requests, and the same served tokens at the baseline deployment. */
  monthlyCostUsd: number;
  baselineMonthlyCostUsd: number;
}

export interface DeploymentReport {
  calls: number;
  errors: number;
  http429: number;
  timeouts: number;
  /** Circuit breaker transitions to open (per router replica). */
  breakerTrips: number;
  served: number;
  costUsd: number;
}

export interface EngineReport {
  gpu: string;
  maxNumSeqs: number;
  kvTokens: number;
  /** Running sequences / max-num-seqs, averaged over the window. */
  utilization: number;
  queueWaitMs: { mean: number; p95: number; max: number } | null;
  maxQueue: number;
  started: number;
  abortedWaiting: number;
  abortedRunning: number;
  refused: number;
}

export type SloStatus = 'pass' | 'fail' | 'n/a';

export interface SloResult {
  id: string;
  metric: string;
  /** `>= 0.4 and <= 0.6` */
  objective: string;
  value: number | null;
  status: SloStatus;
  note: string | null;
}

export interface ScenarioReport {
  name: string;
  kind: string;
  target: string | null;
  description: string;
  durationMs: number;
  /** Router replicas, and whether they shared state for the whole run (a shared state routes as one router). */
  replicas: number;
  sharedState: boolean;
  totals: GroupReport;
  groups: Record<string, GroupReport>;
  deployments: Record<string, DeploymentReport>;
  engines: Record<string, EngineReport>;
  breakerTrips: number;
  cost: {
    baselineDeployment: string | null;
    monthlyUsd: number;
    baselineMonthlyUsd: number;
    /** 1 - monthly / baseline monthly, the cost_reduction_vs_baseline measure. */
    reductionVsBaseline: number | null;
  };
  slos: SloResult[];
  /** Events the event loop ran (for speed figures; a function of the inputs like everything else here). */
  events: number;
}

export interface SimulationReport {
  schemaVersion: 1;
  plan: { name: string; hash: string };
  seed: number;
  durationMs: number;
  /** Groups the gateway (and so the simulation) serves without some deployments: pass-through ones only LiteLLM can call. */
  unserved: { path: string; message: string }[];
  scenarios: ScenarioReport[];
}

export const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const ratio = (num: number, den: number): number | null => (den > 0 ? round(num / den, 4) : null);
