/**
 * Values placed into PromQL: label matchers in rules, in promtool test
 * series and in the queries the gate sends. A PromQL string is a Go string
 * literal, where a backslash starts an escape and an unknown escape (`\.`)
 * is a parse error; a regex matcher is RE2 inside such a string, so its
 * metacharacters are escaped twice: once for RE2, once for the string.
 */

/** `s` as a double-quoted PromQL string literal. */
export function promqlString(s: string): string {
  const body = s.replace(/[\\"]/g, '\\$&').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${body}"`;
}

/** RE2's metacharacters escaped, as Go's regexp.QuoteMeta does. */
const re2Literal = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A PromQL regex-matcher operand matching exactly one of `values`: `"a|b\\.c"`. */
export const promqlAlternation = (values: readonly string[]): string => promqlString(values.map(re2Literal).join('|'));
