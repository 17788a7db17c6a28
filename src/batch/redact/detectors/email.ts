/**
 * Email addresses, found from each `@` outward rather than with one
 * regular expression: a pattern that starts with the local-part class tries
 * every position of every word and backtracks over long runs, while `@` is
 * rare and indexOf finds it at memory speed. Linear in the string length.
 */
import type { Detector, ScanContext, Span } from '../types.ts';

const isLocal = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
const isDomain = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/** End of the domain starting at `i` when it is `label(.label)+` with a top-level label of 2+ letters, else -1. */
function domainEnd(s: string, i: number): number {
  let end = i;
  while (end < s.length && isDomain(s.charCodeAt(end))) end++;
  // A sentence can end right after the address: "write to a@b.com."
  while (end > i && (s.charCodeAt(end - 1) === 46 || s.charCodeAt(end - 1) === 45)) end--;
  const dot = s.lastIndexOf('.', end - 1);
  if (dot <= i || end - dot < 3) return -1;
  for (let k = dot + 1; k < end; k++) if (!isLetter(s.charCodeAt(k))) return -1;
  // No empty label ("a@b..com").
  if (s.slice(i, end).includes('..')) return -1;
  return end;
}

export const email: Detector = {
  name: 'email',
  tag: 'EMAIL',
  find(s: string, _ctx: ScanContext, out: Span[]): void {
    let floor = 0;
    for (let at = s.indexOf('@'); at >= 0; at = s.indexOf('@', at + 1)) {
      let start = at;
      while (start > floor && isLocal(s.charCodeAt(start - 1))) start--;
      if (start === at) continue;
      const end = domainEnd(s, at + 1);
      if (end < 0) continue;
      out.push({ start, end, tag: 'EMAIL', kind: 'email', literal: false });
      floor = end;
      at = end - 1;
    }
  },
};
