/**
 * The circuit breaker of one deployment, as pure transitions on a small
 * state object (no I/O, no clock of its own: `now` is passed in).
 *   closed    -> open       when, over the window, requests >= minRequests and failures / requests > errorRateThreshold
 *   open      -> half-open  on the first admission after cooldownMs
 *   half-open admits halfOpenProbes probes; -> closed when that many succeed, -> open on any failure
 * The Redis store's Lua script implements the same table; the model-based
 * property tests hold both to it.
 */
import type { PlanBreaker } from '../plan/types.ts';
import { createWindow, windowAdd, windowReset, windowSum, type Window } from './windows.ts';

export const CLOSED = 0;
export const OPEN = 1;
export const HALF_OPEN = 2;
export type BreakerPhase = typeof CLOSED | typeof OPEN | typeof HALF_OPEN;
export const PHASE_NAMES = ['closed', 'open', 'half-open'] as const;
export type BreakerPhaseName = (typeof PHASE_NAMES)[number];

export interface BreakerState {
  phase: BreakerPhase;
  openedAt: number;
  /** Probes admitted in this half-open period. */
  probes: number;
  probeSuccesses: number;
  requests: Window;
  failures: Window;
}

export function createBreaker(cfg: PlanBreaker): BreakerState {
  return { phase: CLOSED, openedAt: 0, probes: 0, probeSuccesses: 0, requests: createWindow(cfg.windowMs), failures: createWindow(cfg.windowMs) };
}

/** Would a call be admitted now? (No state change: used to list candidates.) */
export function breakerAllows(b: BreakerState, cfg: PlanBreaker, now: number): boolean {
  if (b.phase === CLOSED) return true;
  if (b.phase === OPEN) return now >= b.openedAt + cfg.cooldownMs && cfg.halfOpenProbes > 0;
  return b.probes < cfg.halfOpenProbes;
}

/** Admits a call (moving open -> half-open after the cooldown, counting probes); false if the circuit refuses it. */
export function breakerAdmit(b: BreakerState, cfg: PlanBreaker, now: number): boolean {
  if (b.phase === OPEN) {
    if (!(now >= b.openedAt + cfg.cooldownMs && cfg.halfOpenProbes > 0)) return false;
    b.phase = HALF_OPEN;
    b.probes = 0;
    b.probeSuccesses = 0;
  }
  if (b.phase === HALF_OPEN) {
    if (b.probes >= cfg.halfOpenProbes) return false;
    b.probes++;
  }
  return true;
}

function open(b: BreakerState, now: number): void {
  b.phase = OPEN;
  b.openedAt = now;
  b.probes = 0;
  b.probeSuccesses = 0;
  windowReset(b.requests);
  windowReset(b.failures);
}

/** Records the outcome of an admitted call; returns the phase before, for transition events. */
export function breakerRecord(b: BreakerState, cfg: PlanBreaker, now: number, failed: boolean): BreakerPhase {
  const before = b.phase;
  if (b.phase === CLOSED) {
    windowAdd(b.requests, now, 1);
    if (failed) {
      windowAdd(b.failures, now, 1);
      const requests = windowSum(b.requests, now);
      if (requests >= cfg.minRequests && windowSum(b.failures, now) / requests > cfg.errorRateThreshold) open(b, now);
    }
  } else if (b.phase === HALF_OPEN) {
    if (failed) open(b, now);
    else if (++b.probeSuccesses >= cfg.halfOpenProbes) {
      b.phase = CLOSED;
      b.probes = 0;
      b.probeSuccesses = 0;
      windowReset(b.requests);
      windowReset(b.failures);
    }
  }
  // open: a late result of a call admitted before the circuit opened changes nothing.
  return before;
}

/** The phase as an observer would name it at `now` (open past its cooldown reads as half-open). */
export function breakerPhaseName(b: BreakerState, cfg: PlanBreaker, now: number): BreakerPhaseName {
  if (b.phase === OPEN && now >= b.openedAt + cfg.cooldownMs) return 'half-open';
  return PHASE_NAMES[b.phase];
}
