/**
 * Load shedding toward providers: at most `maxConcurrent` calls in flight
 * per deployment, at most `maxQueued` more waiting for a slot, each for at
 * most `queueTimeoutMs` (and never past its own call timeout). A provider
 * that stops answering then holds a fixed number of connections and queued
 * requests, whatever the arrival rate: the rest are refused at once (queue
 * full) or after their wait (queue timeout), and the router falls back or
 * answers the client with a well-formed error. Slots are kept by deployment
 * id for the life of the gateway, so a plan reload keeps counting the calls
 * its predecessor still has in flight.
 */

export interface SlotLimits {
  /** Calls in flight per deployment. */
  maxConcurrent: number;
  /** Calls waiting for a slot per deployment. */
  maxQueued: number;
  /** Longest wait for a slot, ms. */
  queueTimeoutMs: number;
}

export const DEFAULT_SLOT_LIMITS: SlotLimits = { maxConcurrent: 256, maxQueued: 256, queueTimeoutMs: 5_000 };

/** A slot was taken (release it when the call ends), or why not. */
export type SlotResult = 'taken' | 'queue-full' | 'queue-timeout' | 'cancelled';

interface Waiter {
  done(r: SlotResult): void;
  timer: NodeJS.Timeout;
}

class DeploymentQueue {
  active = 0;
  readonly waiting: Waiter[] = [];
}

/** Where a queued call can be cancelled (a client that disconnects while waiting). */
export interface SlotWait {
  readonly result: Promise<SlotResult>;
  cancel(): void;
}

const TAKEN: SlotWait = { result: Promise.resolve('taken'), cancel() {} };
const FULL: SlotWait = { result: Promise.resolve('queue-full'), cancel() {} };

export class DeploymentSlots {
  private readonly queues = new Map<string, DeploymentQueue>();

  constructor(readonly limits: SlotLimits = DEFAULT_SLOT_LIMITS) {}

  private queue(id: string): DeploymentQueue {
    let q = this.queues.get(id);
    if (q === undefined) {
      q = new DeploymentQueue();
      this.queues.set(id, q);
    }
    return q;
  }

  /** Takes a slot of deployment `id`, waiting at most min(queueTimeoutMs, maxWaitMs). */
  acquire(id: string, maxWaitMs: number): SlotWait {
    const q = this.queue(id);
    if (q.active < this.limits.maxConcurrent && q.waiting.length === 0) {
      q.active++;
      return TAKEN;
    }
    if (q.waiting.length >= this.limits.maxQueued) return FULL;
    let settle!: (r: SlotResult) => void;
    const result = new Promise<SlotResult>((r) => (settle = r));
    const waiter: Waiter = {
      done: (r) => {
        clearTimeout(waiter.timer);
        const i = q.waiting.indexOf(waiter);
        if (i >= 0) q.waiting.splice(i, 1);
        settle(r);
      },
      timer: setTimeout(() => waiter.done('queue-timeout'), Math.max(0, Math.min(this.limits.queueTimeoutMs, maxWaitMs))),
    };
    q.waiting.push(waiter);
    return { result, cancel: () => waiter.done('cancelled') };
  }

  /** Ends a call that took a slot: the slot goes to the longest waiter. */
  release(id: string): void {
    const q = this.queue(id);
    const next = q.waiting.shift();
    if (next !== undefined) {
      clearTimeout(next.timer);
      next.done('taken');
    } else q.active--;
  }

  /** Calls in flight and waiting, over every deployment. */
  totals(): { active: number; queued: number } {
    let active = 0;
    let queued = 0;
    for (const q of this.queues.values()) {
      active += q.active;
      queued += q.waiting.length;
    }
    return { active, queued };
  }
}
