/**
 * One left-to-right pass that finds every run of digit groups joined by a
 * single separator (space, `-`, `.`), with an optional leading `+` and
 * parenthesised groups: `+1 (555) 123-4567`, `4111 1111 1111 1111`,
 * `123-45-6789`, `192.168.0.1`. The phone, card, SSN and IPv4 detectors
 * classify these runs instead of each scanning the string with its own
 * regular expression. A group glued to a letter (`INV2024001`, `v1.2`) is
 * part of an identifier and is left out. Linear in the string length.
 */
import { isDigitCode, isWordCode, type DigitGroup, type NumericCluster } from './types.ts';

const FIRST_DIGIT = /[0-9]/g;
const SPACE = 32;
const PLUS = 43;
const OPEN = 40;
const CLOSE = 41;

const isSep = (c: number) => c === SPACE || c === 45 /* - */ || c === 46; /* . */

function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigitCode(s.charCodeAt(i))) i++;
  return i;
}

/** The group that starts at `i` (a digit, or "(" followed by a digit); null when "(" is not closed after its digits. */
function groupAt(s: string, i: number, sep: string): DigitGroup | null {
  if (s.charCodeAt(i) === OPEN) {
    const end = digitsEnd(s, i + 1);
    if (s.charCodeAt(end) !== CLOSE) return null;
    return { start: i, end: end + 1, digits: s.slice(i + 1, end), sep, paren: true };
  }
  const end = digitsEnd(s, i);
  return { start: i, end, digits: s.slice(i, end), sep, paren: false };
}

export function numericClusters(s: string): NumericCluster[] {
  const out: NumericCluster[] = [];
  let from = 0;
  while (from < s.length) {
    FIRST_DIGIT.lastIndex = from;
    const m = FIRST_DIGIT.exec(s);
    if (!m) break;
    let last = (m.index > 0 && s.charCodeAt(m.index - 1) === OPEN ? groupAt(s, m.index - 1, '') : null) ?? groupAt(s, m.index, '')!;
    let start = last.start;
    let plus = false;
    if (start > 0 && s.charCodeAt(start - 1) === PLUS) {
      plus = true;
      start--;
    } else if (start > 1 && s.charCodeAt(start - 1) === SPACE && s.charCodeAt(start - 2) === PLUS) {
      plus = true;
      start -= 2;
    }
    const groups: DigitGroup[] = [last];
    for (;;) {
      let j = last.end;
      let sep = '';
      if (isSep(s.charCodeAt(j))) {
        sep = s[j]!;
        j++;
      }
      const c = s.charCodeAt(j);
      // Two groups touch without a separator only when one is parenthesised: "(555)123".
      if (!(isDigitCode(c) && (sep !== '' || last.paren)) && !(c === OPEN && isDigitCode(s.charCodeAt(j + 1)))) break;
      const next = groupAt(s, j, sep);
      if (!next) break;
      groups.push(next);
      last = next;
    }
    const end = last.end;
    // A group glued to a letter belongs to an identifier ("v1.2", "4567ext"); the groups after or before it stand alone.
    if (start > 0 && isWordCode(s.charCodeAt(start - 1))) {
      groups.shift();
      plus = false;
      // The next group keeps its separator: "v1.2.3.4.5" is a version string, not an address.
      if (groups.length > 0) start = groups[0]!.start;
    }
    if (end < s.length && isWordCode(s.charCodeAt(end))) groups.pop();
    if (groups.length > 0) out.push({ start, end: groups[groups.length - 1]!.end, plus, groups });
    from = end;
    // The rest of a glued token (an identifier) starts no cluster of its own.
    while (from < s.length && isWordCode(s.charCodeAt(from))) from++;
  }
  return out;
}
