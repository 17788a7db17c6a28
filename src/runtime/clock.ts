/** Clocks and randomness to inject: the real ones, and deterministic ones for tests and dry runs. */
import type { Clock, Random } from './types.ts';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(now: number): void;
}

/** Time that moves only when told to: sleeping advances it at once, so retries and cooldowns cost no real time. */
export function manualClock(start = Date.UTC(2025, 0, 15)): ManualClock {
  let t = start;
  return {
    now: () => t,
    sleep: (ms) => {
      t += Math.max(0, ms);
      return Promise.resolve();
    },
    advance: (ms) => void (t += ms),
    set: (now) => void (t = now),
  };
}

/** mulberry32: a small, fast, seedable generator of [0, 1). */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
