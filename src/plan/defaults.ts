/**
 * Defaults the plan fills in that the checks need too, so both compute them
 * the same way.
 */
import type { PoolModel } from '../model/gpu-pool.ts';

/** `meta-llama/Llama-3.1-8B-Instruct` -> `llama-3.1-8b-instruct`: how vLLM users usually name a served model. */
export function servedNameOf(m: Pick<PoolModel, 'model' | 'servedName'>): string {
  if (m.servedName !== undefined) return m.servedName;
  const parts = m.model.split('/');
  return (parts[parts.length - 1] ?? m.model).toLowerCase();
}

/**
 * Interactive traffic peaks during a working day and is near zero outside
 * it, so a month is estimated as the peak rate held for 8 hours a day on 30
 * days; a policy states monthlyRequests when it knows better.
 */
export function defaultMonthlyRequests(peakRpm: number): number {
  return peakRpm * 60 * 8 * 30;
}

/** Code-unit order: the same on every machine and locale, unlike localeCompare. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
