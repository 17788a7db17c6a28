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

/** Ids are quoted in every message (`"chat-azure"`), so an id with dots or dashes reads as one word. */
export const q = (id: string): string => JSON.stringify(id);
