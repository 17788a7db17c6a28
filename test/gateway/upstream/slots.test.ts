import { describe, expect, it } from 'vitest';
import { DeploymentSlots } from '../../../src/gateway/upstream/slots.ts';

describe('DeploymentSlots', () => {
  it('takes up to maxConcurrent at once, queues up to maxQueued in order, refuses the rest', async () => {
    const s = new DeploymentSlots({ maxConcurrent: 2, maxQueued: 2, queueTimeoutMs: 60_000 });
    expect(await s.acquire('d', 60_000).result).toBe('taken');
    expect(await s.acquire('d', 60_000).result).toBe('taken');
    const order: number[] = [];
    const w1 = s.acquire('d', 60_000).result.then((r) => order.push(1) && r);
    const w2 = s.acquire('d', 60_000).result.then((r) => order.push(2) && r);
    expect(await s.acquire('d', 60_000).result).toBe('queue-full');
    // Another deployment has its own slots.
    expect(await s.acquire('e', 60_000).result).toBe('taken');
    expect(s.totals()).toEqual({ active: 3, queued: 2 });
    s.release('d');
    expect(await w1).toBe('taken');
    s.release('d');
    expect(await w2).toBe('taken');
    expect(order).toEqual([1, 2]);
    expect(s.totals()).toEqual({ active: 3, queued: 0 });
    s.release('d');
    s.release('d');
    s.release('e');
    expect(s.totals()).toEqual({ active: 0, queued: 0 });
  });

  it('a wait ends at the queue timeout or the call budget, whichever is first, and frees its place; a cancelled wait too', async () => {
    const s = new DeploymentSlots({ maxConcurrent: 1, maxQueued: 1, queueTimeoutMs: 30 });
    expect(await s.acquire('d', 1_000).result).toBe('taken');
    expect(await s.acquire('d', 1_000).result).toBe('queue-timeout');
    expect(await s.acquire('d', 5).result).toBe('queue-timeout');
    const w = s.acquire('d', 1_000);
    w.cancel();
    expect(await w.result).toBe('cancelled');
    expect(s.totals()).toEqual({ active: 1, queued: 0 });
    // The place is free: a new waiter gets the slot when it is released.
    const next = s.acquire('d', 1_000);
    s.release('d');
    expect(await next.result).toBe('taken');
    expect(s.totals()).toEqual({ active: 1, queued: 0 });
  });
});
