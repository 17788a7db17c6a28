/**
 * Canary: a share of requests runs on a second plan while the rest stays on
 * the stable one, and the canary is dropped on its own when it does worse
 * than the plan allows. Which requests: a stable hash of the tenant and the
 * request id (FNV-1a, 10,000 buckets), so the split is even and does not
 * depend on arrival order. The judgement compares the two arms over a
 * sliding window of their last answers: past `minSamples` canary answers,
 * the canary is rolled back when its error rate (5xx answers) is above the
 * stable plan's `error_rate` SLO objective and above the stable arm's own
 * rate, or when its p95 latency is more than `latencyRatio` times the stable
 * arm's. Pure: the gateway feeds it outcomes and acts on the verdict.
 */
import type { CompiledPlan } from '../plan/types.ts';

const CANARY_BUCKETS = 10_000;

/** 0..9999, the same for the same tenant and request id in every process. */
export function canaryBucket(tenant: string, requestId: string): number {
  let h = 0x811c9dc5;
  const s = `${tenant}\u0000${requestId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % CANARY_BUCKETS;
}

/** Runs on the canary when its bucket is below `percent` of the buckets. */
export const inCanary = (bucket: number, percent: number): boolean => bucket < Math.round(percent * (CANARY_BUCKETS / 100));

/** The most the stable plan tolerates as an error rate: its `error_rate` SLO (the tightest upper bound), else 1%. */
export function errorRateLimit(plan: CompiledPlan): number {
  let limit = Number.POSITIVE_INFINITY;
  for (const t of Object.values(plan.slos.targets)) {
    if (t.metric !== 'error_rate') continue;
    for (const o of t.objective) if (o.op === '<' || o.op === '<=') limit = Math.min(limit, o.value);
  }
  return Number.isFinite(limit) ? limit : 0.01;
}

export interface JudgeOptions {
  /** Answers kept per arm. Default 200. */
  window?: number;
  /** Canary answers needed before any verdict. Default 20. */
  minSamples?: number;
  errorRateLimit: number;
  /** Canary p95 over stable p95 that counts as a regression. Default 2. */
  latencyRatio?: number;
}

export type Verdict = { action: 'continue' } | { action: 'rollback'; reason: string };

class Arm {
  readonly failed: Uint8Array;
  readonly latency: Float64Array;
  n = 0;
  next = 0;
  constructor(size: number) {
    this.failed = new Uint8Array(size);
    this.latency = new Float64Array(size);
  }
  add(failed: boolean, ms: number): void {
    this.failed[this.next] = failed ? 1 : 0;
    this.latency[this.next] = ms;
    this.next = (this.next + 1) % this.failed.length;
    this.n = Math.min(this.n + 1, this.failed.length);
  }
  errorRate(): number {
    let f = 0;
    for (let i = 0; i < this.n; i++) f += this.failed[i]!;
    return this.n === 0 ? 0 : f / this.n;
  }
  p95(): number {
    if (this.n === 0) return 0;
    const xs = Array.from(this.latency.subarray(0, this.n)).sort((a, b) => a - b);
    return xs[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
  }
}

export class CanaryJudge {
  private readonly stable: Arm;
  private readonly canary: Arm;
  private readonly minSamples: number;
  private readonly latencyRatio: number;

  constructor(private readonly o: JudgeOptions) {
    const size = o.window ?? 200;
    this.stable = new Arm(size);
    this.canary = new Arm(size);
    this.minSamples = o.minSamples ?? 20;
    this.latencyRatio = o.latencyRatio ?? 2;
  }

  record(arm: 'stable' | 'canary', failed: boolean, latencyMs: number): void {
    (arm === 'canary' ? this.canary : this.stable).add(failed, latencyMs);
  }

  /** The two arms as the window holds them. */
  snapshot(): { stable: { samples: number; errorRate: number; p95Ms: number }; canary: { samples: number; errorRate: number; p95Ms: number } } {
    const view = (a: Arm) => ({ samples: a.n, errorRate: a.errorRate(), p95Ms: a.p95() });
    return { stable: view(this.stable), canary: view(this.canary) };
  }

  verdict(): Verdict {
    if (this.canary.n < this.minSamples) return { action: 'continue' };
    const c = this.canary.errorRate();
    const s = this.stable.errorRate();
    if (c > this.o.errorRateLimit && c > s)
      return {
        action: 'rollback',
        reason: `canary error rate ${c.toFixed(3)} over the SLO's ${this.o.errorRateLimit} (stable ${s.toFixed(3)}), ${this.canary.n} samples`,
      };
    if (this.stable.n >= this.minSamples) {
      const cp = this.canary.p95();
      const sp = this.stable.p95();
      if (sp > 0 && cp > this.latencyRatio * sp)
        return {
          action: 'rollback',
          reason: `canary p95 ${Math.round(cp)} ms over ${this.latencyRatio}x the stable ${Math.round(sp)} ms, ${this.canary.n} samples`,
        };
    }
    return { action: 'continue' };
  }
}
