/**
 * One arm's answers over a sliding time window, as the canary judge reads
 * them: how many, how many failed, how many needed a fallback and how many
 * of those a fallback saved (running counts), and the p95 latency of the
 * interactive ones (a sorted copy of their latencies, so the p95 is read in
 * O(1) and an answer costs one binary search and one memmove). Memory is
 * bounded: at most `maxSamples` answers are kept; past that the oldest drop
 * out before their time (at very high rates the window is the last
 * `maxSamples` answers). The arrays start small and grow as traffic needs.
 */

/** What the gateway tells the judge about one answer. */
export interface CanaryOutcome {
  /** A 5xx answer, or a stream that broke after it began: the plan's failure. */
  failed: boolean;
  /** End to end, as switchyard_request_duration_seconds measures it. */
  latencyMs: number;
  /** The requested group's workload is interactive: a sample of the interactive latency SLO. */
  interactive: boolean;
  /** Whether the requested group served it ('none': no fallback needed), else whether a fallback group did. */
  fallback: 'none' | 'served' | 'failed';
}

const FAILED = 1;
const INTERACTIVE = 2;
const NEEDED = 4;
const SAVED = 8;
const INITIAL = 256;

/** First index in sorted[0, n) whose value is >= x (lower) or > x (upper). */
function search(sorted: Float64Array, n: number, x: number, upper: boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x || (upper && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ArmWindow {
  /** Answers in the window. */
  size = 0;
  failed = 0;
  /** Interactive answers (each with its latency in the sorted copy). */
  interactive = 0;
  neededFallback = 0;
  savedByFallback = 0;
  private at: Float64Array;
  private latency: Float64Array;
  private flags: Uint8Array;
  /** Index of the oldest answer in the ring. */
  private head = 0;
  /** Latencies of the interactive answers, ascending. */
  private sorted: Float64Array;

  constructor(
    readonly windowMs: number,
    readonly maxSamples: number,
  ) {
    const n = Math.min(INITIAL, maxSamples);
    this.at = new Float64Array(n);
    this.latency = new Float64Array(n);
    this.flags = new Uint8Array(n);
    this.sorted = new Float64Array(n);
  }

  add(now: number, o: CanaryOutcome): void {
    this.expire(now);
    if (this.size === this.at.length) {
      if (this.size < this.maxSamples) this.grow();
      else this.dropOldest();
    }
    const i = (this.head + this.size) % this.at.length;
    // A latency that is not a number is no latency sample.
    const interactive = o.interactive && Number.isFinite(o.latencyMs);
    const flags = (o.failed ? FAILED : 0) | (interactive ? INTERACTIVE : 0) | (o.fallback !== 'none' ? NEEDED : 0) | (o.fallback === 'served' ? SAVED : 0);
    this.at[i] = now;
    this.latency[i] = o.latencyMs;
    this.flags[i] = flags;
    this.size++;
    this.count(flags, 1);
    if (interactive) {
      const n = this.interactive - 1;
      const k = search(this.sorted, n, o.latencyMs, true);
      this.sorted.copyWithin(k + 1, k, n);
      this.sorted[k] = o.latencyMs;
    }
  }

  /** Drops the answers that are no longer inside (now - windowMs, now]. */
  expire(now: number): void {
    const oldest = now - this.windowMs;
    while (this.size > 0 && this.at[this.head]! <= oldest) this.dropOldest();
  }

  /** Nearest-rank p95 of the interactive answers; null without one. */
  p95(): number | null {
    const n = this.interactive;
    return n === 0 ? null : this.sorted[Math.ceil(n * 0.95) - 1]!;
  }

  private count(flags: number, by: 1 | -1): void {
    if (flags & FAILED) this.failed += by;
    if (flags & INTERACTIVE) this.interactive += by;
    if (flags & NEEDED) this.neededFallback += by;
    if (flags & SAVED) this.savedByFallback += by;
  }

  private dropOldest(): void {
    const i = this.head;
    const flags = this.flags[i]!;
    if (flags & INTERACTIVE) {
      const n = this.interactive;
      const k = search(this.sorted, n, this.latency[i]!, false);
      this.sorted.copyWithin(k, k + 1, n);
    }
    this.count(flags, -1);
    this.head = (i + 1) % this.at.length;
    this.size--;
  }

  /** Doubles the ring (up to maxSamples), unrolled so the oldest answer is first. */
  private grow(): void {
    const n = Math.min(this.at.length * 2, this.maxSamples);
    const order = (src: Float64Array | Uint8Array, dst: Float64Array | Uint8Array) => {
      for (let j = 0; j < this.size; j++) dst[j] = src[(this.head + j) % src.length]!;
      return dst;
    };
    this.at = order(this.at, new Float64Array(n)) as Float64Array;
    this.latency = order(this.latency, new Float64Array(n)) as Float64Array;
    this.flags = order(this.flags, new Uint8Array(n)) as Uint8Array;
    const sorted = new Float64Array(n);
    sorted.set(this.sorted.subarray(0, this.interactive));
    this.sorted = sorted;
    this.head = 0;
  }
}
