/**
 * Phrasing shared by the zod and ajv diagnostics, so a YAML policy and a TS
 * policy with the same mistake read the same.
 */
import type { Path } from '../diagnostics/path.ts';
import { formatPath } from '../diagnostics/path.ts';

export const SECRET_HINT = 'Write a reference instead: `env:NAME` reads an environment variable, `vault:path#field` a field of a Vault KV secret.';

/** What a sentence is about: the last key with any trailing indexes, e.g. `fallbacks[0]`, or "The policy" at the root. */
export function subject(path: Path): string {
  let i = path.length;
  while (i > 0 && typeof path[i - 1] === 'number') i--;
  if (i === 0) return path.length === 0 ? 'The policy' : `Item \`${formatPath(path)}\``;
  const tail = formatPath(path.slice(i - 1));
  return `\`${tail}\``;
}

/** A value's JSON-ish type for "got a string" phrases; never the value itself, which could be a secret. */
export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    case 'undefined':
      return 'missing';
    default:
      return `a ${typeof value}`;
  }
}

export function article(type: string): string {
  if (type === 'null') return 'null';
  if (type === 'array' || type === 'object' || type === 'integer') return `an ${type}`;
  return `a ${type}`;
}

export const quoteList = (xs: readonly unknown[]): string => xs.map((x) => JSON.stringify(x)).join(', ');

/**
 * Ends a sentence: one final period, capitalised unless it starts with an
 * identifier such as `azure_openai`. Refinement messages may start with a
 * value (`openai providers need …`), so those callers pass capitalize=false.
 */
export function sentence(text: string, capitalize = true): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  const word = capitalize && /^[a-z]+(?![\w.:-])/.test(t);
  return `${word ? t.charAt(0).toUpperCase() : t.charAt(0)}${t.slice(1)}.`;
}
