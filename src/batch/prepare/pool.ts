/**
 * A small pool of worker threads for prepare's CPU-bound part (parsing,
 * redaction, serialisation), so a large input uses every core while the
 * main thread only reads and writes. Results come back in submission order
 * (the caller awaits them in that order); at most a few regions per worker
 * are in flight, which bounds memory.
 */
import { Worker } from 'node:worker_threads';
import type { PlanBatchProfile } from '../../plan/types.ts';
import type { RegionResult } from './process.ts';

/**
 * Heap limits of a worker (V8 generations, MB): its modules take about 25 MB, a region in flight a few more.
 * The young generation trades collection CPU for RSS: on 2 cores, 1 GB of input ran at 115-119 MB/s with
 * 225 MB peak at 14 MB, 118 MB/s but 265 MB (over the 256 MB budget) at 16, and about 100 MB/s at 12.
 */
const WORKER_YOUNG_MB = 14;
const WORKER_OLD_MB = 40;

interface Pending {
  resolve: (r: RegionResult) => void;
  reject: (e: Error) => void;
}

export class RegionPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly busy: number[] = [];
  private seq = 0;
  private failure: Error | null = null;
  private closing = false;

  constructor(profile: PlanBatchProfile, maxLineBytes: number, size: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
        workerData: { profile, maxLineBytes },
        // A worker holds a few 1 MB regions at a time; bounded heaps keep the process within its memory budget.
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB, maxOldGenerationSizeMb: Math.max(WORKER_OLD_MB, Math.ceil((maxLineBytes * 8) / 1e6)) },
      });
      const index = i;
      w.on('message', (m: { seq: number; result?: RegionResult; error?: string }) => {
        this.busy[index]!--;
        const p = this.pending.get(m.seq);
        this.pending.delete(m.seq);
        if (!p) return;
        if (m.result) p.resolve({ ...m.result, out: Buffer.from(m.result.out.buffer, m.result.out.byteOffset, m.result.out.byteLength) });
        else p.reject(new Error(`prepare worker failed: ${m.error}`));
      });
      w.on('error', (e) => this.fail(e));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`prepare worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.busy.push(0);
    }
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends a region to the least busy worker. */
  submit(buf: Uint8Array, firstLine: number): Promise<RegionResult> {
    if (this.failure) return Promise.reject(this.failure);
    let w = 0;
    for (let i = 1; i < this.busy.length; i++) if (this.busy[i]! < this.busy[w]!) w = i;
    const seq = this.seq++;
    this.busy[w]!++;
    return new Promise<RegionResult>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.workers[w]!.postMessage({ seq, buf, firstLine });
    });
  }

  /** Stops the workers; results still in flight are dropped (their promises never settle, so nothing goes unhandled). */
  async close(): Promise<void> {
    this.closing = true;
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
