import { z } from 'zod';
import { Count, Duration, Fraction } from './common.ts';

/**
 * Per-deployment breaker: opens when the error rate over `window` exceeds
 * `errorRateThreshold` with at least `minRequests` requests, stays open for
 * `cooldown`, then lets `halfOpenProbes` requests through before closing.
 */
export const CircuitBreaker = z
  .object({
    errorRateThreshold: Fraction.default(0.05),
    minRequests: Count(1_000_000).default(20),
    window: Duration.default('60s'),
    cooldown: Duration.default('30s'),
    halfOpenProbes: Count(10_000).default(3),
  })
  .strict();
export type CircuitBreaker = z.infer<typeof CircuitBreaker>;
export type CircuitBreakerInput = z.input<typeof CircuitBreaker>;
