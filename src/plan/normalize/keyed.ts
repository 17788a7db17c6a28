import { compareStrings } from '../defaults.ts';

/**
 * An object keyed by id with keys inserted in sorted order. Built with
 * Object.fromEntries so that an odd key such as `__proto__` (allowed in
 * served names and batch metadata) is an own property, as JSON.parse makes it.
 */
export function keyed<T>(entries: readonly (readonly [string, T])[]): Record<string, T> {
  return Object.fromEntries([...entries].sort((a, b) => compareStrings(a[0], b[0])));
}

export const sortedStrings = (xs: readonly string[]): string[] => [...xs].sort(compareStrings);
