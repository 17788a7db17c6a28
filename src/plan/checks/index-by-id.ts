/**
 * Lookups the checks share. Every check builds its maps once, so the whole
 * check pass is linear in the size of the policy; with duplicate ids the
 * first definition wins (the duplicate itself is reported by duplicates.ts).
 */
export function indexById<T>(items: readonly T[], idOf: (item: T) => string): Map<string, number> {
  const index = new Map<string, number>();
  items.forEach((item, i) => {
    const id = idOf(item);
    if (!index.has(id)) index.set(id, i);
  });
  return index;
}

/** Calls `visit` for each item that is the first with its id, so a duplicate is not checked (or reported) twice. */
export function forEachFirst<T>(items: readonly T[], idOf: (item: T) => string, visit: (item: T, i: number) => void): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const id = idOf(item);
    if (seen.has(id)) return;
    seen.add(id);
    visit(item, i);
  });
}

/** `[1, 2]` -> `["a", "b"]`-style quoting used in every message, so ids with dots or dashes read unambiguously. */
export const q = (id: string): string => JSON.stringify(id);
