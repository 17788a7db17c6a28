/**
 * Durations as policies (and scenario files) write them: 500ms, 30s, 10m, 2h,
 * 1d. Kept free of zod so that modules above the plan (the simulator, the
 * CLI's flags) can parse them without loading the policy language.
 */
export const DURATION_PATTERN = /^[0-9]+(ms|s|m|h|d)$/;

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in a Duration string; the schema guarantees the format. */
export function durationMs(d: string): number {
  const m = /^([0-9]+)(ms|s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`not a duration: ${d}`);
  return Number(m[1]) * DURATION_MS[m[2]!]!;
}

/** Milliseconds in the largest whole unit (h, m, s), else ms: 3600000 -> `1h`, 90000 -> `90s`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
