/**
 * The emulator's clock: emulated time runs `speed` times faster than real
 * time from the moment the emulator starts, so a 24-hour completion window
 * can pass in seconds in a test or a demo. Tests may also drive it by hand.
 */
export interface EmulatorClock {
  /** Emulated epoch milliseconds. */
  now(): number;
}

export function scaledClock(speed: number, realNow: () => number = Date.now): EmulatorClock {
  const start = realNow();
  return { now: () => start + (realNow() - start) * speed };
}

/** A clock that moves only when told to. */
export function manualClock(start = Date.UTC(2025, 0, 15, 12)): EmulatorClock & { advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
