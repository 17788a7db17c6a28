/**
 * The circuit breaker of one deployment: a small state machine whose
 * transitions are deterministic functions of (state, config, now, outcome).
 *   closed    -> open       when, over the window, requests >= minRequests and failures / requests > errorRateThreshold
 *   open      -> half-open  on the first admission after cooldownMs
 *   half-open admits halfOpenProbes probes; -> closed when that many succeed, -> open on any failure
 * The Redis store's Lua script implements the same table; the model-based
 * property tests hold both to it.
 */
import type { PlanBreaker } from '../plan/types.ts';
import { SlidingWindow } from './windows.ts';

export const CLOSED = 0;
export const OPEN = 1;
export const HALF_OPEN = 2;
export type BreakerPhase = typeof CLOSED | typeof OPEN | typeof HALF_OPEN;
export const PHASE_NAMES = ['closed', 'open', 'half-open'] as const;
export type BreakerPhaseName = (typeof PHASE_NAMES)[number];

export class Breaker {
  phase: BreakerPhase = CLOSED;
  openedAt = 0;
  /** Probes admitted in this half-open period. */
  probes = 0;
  probeSuccesses = 0;
  readonly requests: SlidingWindow;
  readonly failures: SlidingWindow;

  constructor(cfg: PlanBreaker) {
    this.requests = new SlidingWindow(cfg.windowMs);
    this.failures = new SlidingWindow(cfg.windowMs);
  }

  /** Would a call be admitted now? (No state change: used to list candidates.) */
  allows(cfg: PlanBreaker, now: number): boolean {
    if (this.phase === CLOSED) return true;
    if (this.phase === OPEN) return now >= this.openedAt + cfg.cooldownMs && cfg.halfOpenProbes > 0;
    return this.probes < cfg.halfOpenProbes;
  }

  /** Admits a call (open -> half-open after the cooldown, counting probes); false if the circuit refuses it. */
  admit(cfg: PlanBreaker, now: number): boolean {
    if (this.phase === OPEN) {
      if (!(now >= this.openedAt + cfg.cooldownMs && cfg.halfOpenProbes > 0)) return false;
      this.phase = HALF_OPEN;
      this.probes = 0;
      this.probeSuccesses = 0;
    }
    if (this.phase === HALF_OPEN) {
      if (this.probes >= cfg.halfOpenProbes) return false;
      this.probes++;
    }
    return true;
  }

  /** Records the outcome of an admitted call; returns the phase before, for transition events. */
  record(cfg: PlanBreaker, now: number, failed: boolean): BreakerPhase {
    const before = this.phase;
    if (this.phase === CLOSED) {
      this.requests.add(now, 1);
      if (failed) {
        this.failures.add(now, 1);
        const requests = this.requests.sum(now);
        if (requests >= cfg.minRequests && this.failures.sum(now) / requests > cfg.errorRateThreshold) this.open(now);
      }
    } else if (this.phase === HALF_OPEN) {
      if (failed) this.open(now);
      else if (++this.probeSuccesses >= cfg.halfOpenProbes) this.close();
    }
    // open: a late result of a call admitted before the circuit opened changes nothing.
    return before;
  }

  /**
   * Records `n` successes in one breaker bucket at once: what `n` calls of
   * record(cfg, now, false) do, in O(1). A shared store folds the successes a
   * router saw between two syncs into one of these (see stores/batch.ts).
   */
  recordSuccesses(cfg: PlanBreaker, now: number, n: number): void {
    if (this.phase === HALF_OPEN) {
      const need = cfg.halfOpenProbes - this.probeSuccesses;
      if (n < need) {
        this.probeSuccesses += n;
        return;
      }
      this.close();
      n -= need;
    }
    if (this.phase === CLOSED && n > 0) this.requests.add(now, n);
  }

  private open(now: number): void {
    this.phase = OPEN;
    this.openedAt = now;
    this.probes = 0;
    this.probeSuccesses = 0;
    this.requests.reset();
    this.failures.reset();
  }

  private close(): void {
    this.phase = CLOSED;
    this.probes = 0;
    this.probeSuccesses = 0;
    this.requests.reset();
    this.failures.reset();
  }
}
