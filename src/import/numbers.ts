/**
 * LiteLLM's units -> the policy's: seconds -> durations, USD per token ->
 * USD per 1M tokens. Decimal arithmetic on the shortest text of each number
 * (the emitter's exactDecimal run backwards), so 0.0000025 comes back as
 * exactly 2.5, and emitting it again gives the same text.
 */
import { formatDuration } from '../model/duration.ts';
import { exactDecimal } from '../targets/litellm/yaml.ts';

/** A number, or a numeric string (YAML written by hand quotes them sometimes). */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

/** Whole milliseconds in `s` seconds, or undefined when it is not a positive number of whole milliseconds. */
export function secondsToMs(s: number): number | undefined {
  if (!(s > 0)) return undefined;
  const ms = Number(exactDecimal(s, -3));
  return Number.isSafeInteger(ms) ? ms : undefined;
}

export const msToDuration = (ms: number): string => formatDuration(ms);

/** USD per token -> USD per 1M tokens, exactly. */
export const perMillion = (perToken: number): number => Number(exactDecimal(perToken, -6));

export const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
