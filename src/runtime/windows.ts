/**
 * Sliding windows as rings of BUCKETS + 1 time buckets with a running total.
 * A window of W ms has buckets of w = ceil(W / BUCKETS) ms; at time t it sums
 * the buckets with index >= floor(t / w) - BUCKETS. That span always covers
 * (t - W, t], so a limit checked against it is conservative: if every admitted
 * event saw `sum + amount <= limit`, no exact W-long interval ever holds more
 * than `limit`. The price is at most one bucket of under-use.
 * Advancing is amortised O(1), so reading a window on the hot path is cheap.
 */
export const BUCKETS = 20;
const SLOTS = BUCKETS + 1;

export interface Window {
  /** Bucket width in ms. */
  readonly width: number;
  readonly counts: Float64Array;
  /** Index of the newest bucket that has been advanced to. */
  last: number;
  total: number;
}

export const bucketWidth = (windowMs: number): number => Math.max(1, Math.ceil(windowMs / BUCKETS));

export function createWindow(windowMs: number): Window {
  return { width: bucketWidth(windowMs), counts: new Float64Array(SLOTS), last: -Infinity, total: 0 };
}

/** Drops buckets that fell out of the window ending at bucket `cur`. */
function advance(w: Window, cur: number): void {
  if (cur <= w.last) return;
  if (cur - w.last > BUCKETS) {
    w.counts.fill(0);
    w.total = 0;
  } else {
    for (let i = w.last + 1; i <= cur; i++) {
      const s = i % SLOTS;
      w.total -= w.counts[s]!;
      w.counts[s] = 0;
    }
    if (w.total < 1e-9) w.total = 0;
  }
  w.last = cur;
}

export function windowSum(w: Window, now: number): number {
  advance(w, Math.floor(now / w.width));
  return w.total;
}

export function windowAdd(w: Window, now: number, amount: number): void {
  const cur = Math.floor(now / w.width);
  advance(w, cur);
  // A clock that steps back (another router's skew) counts in the newest bucket: still conservative.
  const idx = cur < w.last - BUCKETS ? w.last : cur;
  w.counts[idx % SLOTS] = w.counts[idx % SLOTS]! + amount;
  w.total += amount;
}

export function windowReset(w: Window): void {
  w.counts.fill(0);
  w.total = 0;
  w.last = -Infinity;
}

/** Live buckets as [bucketIndex, count] pairs (for stores that persist windows). */
export function windowBuckets(w: Window, now: number): Array<[number, number]> {
  const cur = Math.floor(now / w.width);
  advance(w, cur);
  const out: Array<[number, number]> = [];
  for (let i = cur - BUCKETS; i <= cur; i++) {
    const c = w.counts[((i % SLOTS) + SLOTS) % SLOTS]!;
    if (c !== 0) out.push([i, c]);
  }
  return out;
}

/** Replaces the window's content with persisted buckets (ignoring those outside the window at `now`). */
export function windowLoad(w: Window, now: number, buckets: Iterable<[number, number]>): void {
  const cur = Math.floor(now / w.width);
  w.counts.fill(0);
  w.total = 0;
  w.last = cur;
  for (const [i, c] of buckets) {
    if (i < cur - BUCKETS || i > cur) continue;
    w.counts[i % SLOTS] = w.counts[i % SLOTS]! + c;
    w.total += c;
  }
}

/** Calendar month (UTC) of a timestamp as year * 12 + month: the budget period. */
export function monthOf(now: number): number {
  const d = new Date(now);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}
