/**
 * Validation against queueing theory: one vLLM engine with c slots, Poisson
 * arrivals (the traffic model) and exponential service is an M/M/c queue, so
 * the mean wait in its queue must match the Erlang C formula. The requests go
 * through the whole simulator (router, transport, engine), so this checks the
 * event loop's handling of time as much as the engine's queue.
 */
import { describe, expect, it } from 'vitest';
import { simulateScenario } from '../../src/simulate/run.ts';
import { BASELINE } from '../../src/simulate/scenario.ts';
import { erlangC, erlangCMeanWait, exponentialService, singleEnginePlan } from './fixtures.ts';

const SERVERS = 4;
const MEAN_SERVICE_MS = 1_000;
/** Per seed; the mean wait is averaged over SEEDS independent runs (its standard error at load 0.8 is then about 1.5%). */
const ARRIVALS = 100_000;
const SEEDS = [7, 8, 9];

describe('one engine, Poisson arrivals, exponential service', () => {
  it('Erlang C itself: known values', () => {
    // c = 1 is M/M/1: P(wait) = rho.
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12);
    // c = 2, a = 1: 1/3 (textbook value).
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
  });

  for (const load of [0.5, 0.65, 0.8]) {
    it(`mean queue wait within 5% of Erlang C at load ${load}`, async () => {
      const lambdaPerMs = (load * SERVERS) / MEAN_SERVICE_MS;
      const rpm = lambdaPerMs * 60_000;
      const plan = singleEnginePlan(SERVERS, rpm);
      const durationMs = Math.round(ARRIVALS / lambdaPerMs);
      const expected = erlangCMeanWait(SERVERS, lambdaPerMs, MEAN_SERVICE_MS);
      const means: number[] = [];
      for (const seed of SEEDS) {
        const r = await simulateScenario(plan, BASELINE, { durationMs, seed, engineService: exponentialService(MEAN_SERVICE_MS, seed) });
        const e = r.engines['pool-a/llama-3.1-8b-instruct']!;
        // Every request was served and none waited long enough to time out: the queue is the textbook one.
        expect(r.totals.requests).toBeGreaterThan(ARRIVALS * 0.98);
        expect(r.totals.requests).toBeLessThan(ARRIVALS * 1.02);
        expect(r.totals.succeeded).toBe(r.totals.requests);
        expect(e.started).toBe(r.totals.requests);
        // Utilisation is the load itself.
        expect(Math.abs(e.utilization - load)).toBeLessThan(0.02);
        means.push(e.queueWaitMs!.mean);
      }
      const mean = means.reduce((a, b) => a + b, 0) / means.length;
      expect(Math.abs(mean - expected) / expected).toBeLessThan(0.05);
    });
  }
});
