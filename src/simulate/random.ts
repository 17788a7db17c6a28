/**
 * Seeded random streams and the distributions the models draw from. Each
 * model part (a group's arrivals, a deployment's latencies, a router) owns
 * its own stream, derived from the run's seed and the part's name: a change
 * in how often one part draws does not shift another's numbers, so two
 * plans simulated with one seed see the same arrivals (common random
 * numbers, which is what makes a base/head comparison quiet).
 */
import { seededRandom } from '../runtime/clock.ts';
import type { Random } from '../runtime/types.ts';

/** FNV-1a over the UTF-16 code units: a stable 32-bit seed for a stream name. */
function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function stream(seed: number, name: string): Random {
  return seededRandom(hash32(name, seed));
}

/** Exponential with the given mean (inverse transform; 1 - u keeps log away from 0). */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Standard normal (Box-Muller; one of the pair is dropped to keep the stream stateless). */
function standardNormal(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** z of the 95th percentile of the standard normal. */
export const Z95 = 1.6448536269514722;

/** Lognormal by its median and 95th percentile: sigma = ln(p95 / p50) / z95 (0 when p95 <= p50: a constant). */
export interface Lognormal {
  median: number;
  sigma: number;
}

export function lognormalFromPercentiles(p50: number, p95: number): Lognormal {
  return { median: p50, sigma: p95 > p50 && p50 > 0 ? Math.log(p95 / p50) / Z95 : 0 };
}

export function sampleLognormal(random: Random, d: Lognormal): number {
  return d.sigma === 0 ? d.median : d.median * Math.exp(d.sigma * standardNormal(random));
}

/**
 * A token count with the given mean: lognormal with coefficient of variation
 * `cv` (sigma^2 = ln(1 + cv^2), median = mean / sqrt(1 + cv^2)), rounded,
 * at least 1.
 */
export function tokenCount(random: Random, mean: number, cv: number): number {
  const s2 = Math.log(1 + cv * cv);
  const x = (mean / Math.sqrt(1 + cv * cv)) * Math.exp(Math.sqrt(s2) * standardNormal(random));
  return Math.max(1, Math.round(x));
}
