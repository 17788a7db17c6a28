/**
 * Values from a policy placed into PostgreSQL: string literals and
 * comments. Identifiers are never taken from a policy.
 */

/**
 * A SQL string literal (standard_conforming_strings, the default since
 * PostgreSQL 9.1: a backslash is an ordinary character). PostgreSQL text
 * cannot hold NUL, which the policy schema rejects.
 */
export function sqlString(s: string): string {
  if (s.includes('\0')) throw new Error('a SQL string cannot hold a NUL character');
  return `'${s.replaceAll("'", "''")}'`;
}

/** `-- ` comment lines; a line break in the text starts a new comment line instead of ending the comment. */
export function sqlComment(text: string): string {
  return text
    .split(/\r\n|[\n\r]/)
    .map((l) => `-- ${l}`.trimEnd())
    .join('\n');
}
