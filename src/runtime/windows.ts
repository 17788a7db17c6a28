/**
 * Sliding windows as rings of BUCKETS + 1 time buckets with a running total.
 * A window of W ms has buckets of w = ceil(W / BUCKETS) ms; at time t it sums
 * the buckets with index >= floor(t / w) - BUCKETS. That span always covers
 * (t - W, t], so a limit checked against it is conservative: if every admitted
 * event saw `sum + amount <= limit`, no exact W-long interval ever holds more
 * than `limit`. The price is at most one bucket of under-use.
 * Advancing is amortised O(1), so reading a window on the hot path is cheap.
 * (A class, so the hot path calls methods rather than module functions: under
 * jiti every cross-module call goes through an interop Proxy.)
 */
export const BUCKETS = 20;
const SLOTS = BUCKETS + 1;

export const bucketWidth = (windowMs: number): number => Math.max(1, Math.ceil(windowMs / BUCKETS));

export class SlidingWindow {
  /** Bucket width in ms. */
  readonly width: number;
  private readonly counts = new Float64Array(SLOTS);
  /** Index of the newest bucket advanced to. */
  private last = -Infinity;
  private total = 0;

  constructor(windowMs: number) {
    this.width = bucketWidth(windowMs);
  }

  /** Drops buckets that fell out of the window ending at bucket `cur`. */
  private advance(cur: number): void {
    if (cur <= this.last) return;
    if (cur - this.last > BUCKETS) {
      this.counts.fill(0);
      this.total = 0;
    } else {
      for (let i = this.last + 1; i <= cur; i++) {
        const s = i % SLOTS;
        this.total -= this.counts[s]!;
        this.counts[s] = 0;
      }
      if (this.total < 1e-9) this.total = 0;
    }
    this.last = cur;
  }

  sum(now: number): number {
    this.advance(Math.floor(now / this.width));
    return this.total;
  }

  add(now: number, amount: number): void {
    const cur = Math.floor(now / this.width);
    this.advance(cur);
    // A clock that steps back (another router's skew) counts in the newest bucket: still conservative.
    const idx = (cur < this.last - BUCKETS ? this.last : cur) % SLOTS;
    this.counts[idx] = this.counts[idx]! + amount;
    this.total += amount;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.last = -Infinity;
  }

  /** The non-empty buckets of the window ending at `now`, oldest first, as `load` takes them back. */
  buckets(now: number): Array<[number, number]> {
    this.advance(Math.floor(now / this.width));
    const out: Array<[number, number]> = [];
    // Bucket indices start at 0 (times are epoch ms): a window near time 0 has fewer.
    for (let i = Math.max(0, this.last - BUCKETS); i <= this.last; i++) {
      const c = this.counts[i % SLOTS]!;
      if (c !== 0) out.push([i, c]);
    }
    return out;
  }

  /**
   * Replaces the content with persisted [bucketIndex, count] pairs: the
   * window ends at `now` or at the newest bucket given, if later (another
   * router's clock may run a little ahead); older buckets are ignored.
   */
  load(now: number, buckets: ReadonlyArray<[number, number]>): void {
    let cur = Math.floor(now / this.width);
    for (const [i] of buckets) if (i > cur) cur = i;
    this.counts.fill(0);
    this.total = 0;
    this.last = cur;
    for (const [i, c] of buckets) {
      if (i < cur - BUCKETS) continue;
      this.counts[i % SLOTS] = this.counts[i % SLOTS]! + c;
      this.total += c;
    }
  }
}

/** Calendar month (UTC) of a timestamp as year * 12 + month: the budget period. */
export function monthOf(now: number): number {
  const d = new Date(now);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}
