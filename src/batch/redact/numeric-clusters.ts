/**
 * One left-to-right pass that finds every run of digit groups joined by a
 * single separator (space, `-`, `.`), with an optional leading `+` and
 * parenthesised groups: `+1 (555) 123-4567`, `4111 1111 1111 1111`,
 * `123-45-6789`, `192.168.0.1`. The phone, card, SSN and IPv4 detectors
 * classify these runs instead of each scanning the string with its own
 * regular expression. A group glued to a word (`INV2024001`, `v1.2`,
 * `INV-2024-001`) is part of an identifier and is left out, and so is a
 * lone group of fewer than seven digits (no detector takes one). Linear in
 * the string length.
 *
 * This runs on every string of every request, so it allocates only for the
 * groups it reports and keeps its character tests local (a call into
 * another module costs a property lookup per character under jiti).
 */
import type { DigitGroup, NumericCluster } from './types.ts';

/** A letter, digit or underscore. */
function word(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** True when the group ending at `j` continues into another group (one separator, or "(" after ")"). */
function continues(s: string, j: number, closedParen: boolean): boolean {
  let k = j;
  const c = s.charCodeAt(k);
  const sep = c === 32 || c === 45 || c === 46;
  if (sep) k++;
  const d = s.charCodeAt(k);
  if (d >= 48 && d <= 57) return sep || closedParen;
  if (d === 40) {
    const e = s.charCodeAt(k + 1);
    return e >= 48 && e <= 57;
  }
  return false;
}

/** Runs of digits: the regular expression engine skips text without digits far faster than a character loop. */
const DIGITS = /[0-9]+/g;

export function numericClusters(s: string): NumericCluster[] {
  const out: NumericCluster[] = [];
  const n = s.length;
  let from = 0;
  while (from < n) {
    DIGITS.lastIndex = from;
    if (DIGITS.exec(s) === null) break;
    let j = DIGITS.lastIndex;
    // The match array is not kept: its start is where the digits before lastIndex begin.
    let i = j - 1;
    while (i > from && s.charCodeAt(i - 1) >= 48 && s.charCodeAt(i - 1) <= 57) i--;
    // A lone number shorter than any phone number (a year, an amount) is of no use to any detector:
    // it is recognised and skipped before anything is allocated.
    const openParen = i > 0 && s.charCodeAt(i - 1) === 40 && s.charCodeAt(j) === 41;
    const p = openParen ? i - 1 : i;
    const plusBefore = (p > 0 && s.charCodeAt(p - 1) === 43) || (p > 1 && s.charCodeAt(p - 1) === 32 && s.charCodeAt(p - 2) === 43);
    if (j - i < 7 && !plusBefore && !continues(s, openParen ? j + 1 : j, openParen)) {
      from = j;
      while (from < n && word(s.charCodeAt(from))) from++;
      continue;
    }
    const groups: DigitGroup[] = [];
    // A cluster can open with "(" ("(555) 123…"): only when the ")" follows the digits.
    let paren = i > 0 && s.charCodeAt(i - 1) === 40;
    let sep = '';
    let end = i;
    for (;;) {
      j = i;
      while (j < n) {
        const c = s.charCodeAt(j);
        if (c < 48 || c > 57) break;
        j++;
      }
      if (paren && s.charCodeAt(j) === 41) {
        groups.push({ start: i - 1, end: j + 1, len: j - i, sep, paren: true });
        end = j + 1;
      } else if (paren && groups.length > 0) {
        // "555 (123 …" without its ")": the cluster ends before the "(", and the digits start the next one.
        break;
      } else {
        // An opening "(" without its ")" is punctuation before the cluster.
        groups.push({ start: i, end: j, len: j - i, sep, paren: false });
        end = j;
      }
      // One separator (or a "(" straight after a ")"), then the next group.
      let k = end;
      const c = s.charCodeAt(k);
      sep = '';
      if (c === 32 || c === 45 || c === 46) {
        sep = c === 32 ? ' ' : c === 45 ? '-' : '.';
        k++;
      }
      const d = s.charCodeAt(k);
      if (d >= 48 && d <= 57 && (sep !== '' || groups[groups.length - 1]!.paren)) {
        paren = false;
        i = k;
        continue;
      }
      if (d === 40) {
        const e = s.charCodeAt(k + 1);
        if (e >= 48 && e <= 57) {
          paren = true;
          i = k + 1;
          continue;
        }
      }
      break;
    }
    let start = groups[0]!.start;
    let plus = false;
    if (start > 0 && s.charCodeAt(start - 1) === 43) {
      plus = true;
      start--;
    } else if (start > 1 && s.charCodeAt(start - 1) === 32 && s.charCodeAt(start - 2) === 43) {
      plus = true;
      start -= 2;
    }
    // A group glued to a letter belongs to an identifier ("v1.2", "4567ext", "INV-2024-001"); the groups after or before it stand alone.
    if (start > 0 && (word(s.charCodeAt(start - 1)) || (s.charCodeAt(start - 1) === 45 && start > 1 && word(s.charCodeAt(start - 2))))) {
      groups.shift();
      plus = false;
      // The next group keeps its separator: "v1.2.3.4.5" is a version string, not an address.
      if (groups.length > 0) start = groups[0]!.start;
    }
    if (end < n && (word(s.charCodeAt(end)) || (s.charCodeAt(end) === 45 && end + 1 < n && word(s.charCodeAt(end + 1))))) groups.pop();
    if (groups.length > 1 || (groups.length === 1 && (plus || groups[0]!.len >= 7))) out.push({ start, end: groups[groups.length - 1]!.end, plus, groups });
    from = end;
    // The rest of a glued token (an identifier) starts no cluster of its own.
    while (from < n && word(s.charCodeAt(from))) from++;
  }
  return out;
}

/** The digits of groups [i, j] of a cluster, separators and parentheses left out. */
export function groupDigits(s: string, groups: readonly DigitGroup[], i: number, j: number): string {
  let d = '';
  for (let k = i; k <= j; k++) {
    const g = groups[k]!;
    d += g.paren ? s.slice(g.start + 1, g.end - 1) : s.slice(g.start, g.end);
  }
  return d;
}
