/**
 * Phone numbers: 7 to 15 digits (E.164's limit) written with an optional
 * `+` country prefix, single spaces, dashes or dots between groups and
 * parenthesised area codes: `+1 (555) 123-4567`, `020 7946 0958`,
 * `06 12 34 56 78`, `555-1234`, `5551234567`. What would make ordinary
 * numbers look like phones is excluded: dates (2024-01-15, 15.01.2024),
 * dotted numbers under ten digits (1.234.567), lists of small numbers
 * (10 12 14 16), numbers side by side in prose (1234 5678: under ten digits
 * joined only by spaces) and runs of fewer than ten digits with no
 * separator. In a longer run the longest acceptable stretch of groups is
 * taken each time, so two numbers side by side are both found.
 */
import type { DigitGroup, Detector, NumericCluster, ScanContext, Span } from '../types.ts';

/** Groups [i, j] of a cluster with `digits` digits in all: could they be one phone number? */
function acceptable(c: NumericCluster, g: readonly DigitGroup[], i: number, j: number, digits: number): boolean {
  if (digits < 7) return false;
  const plus = i === 0 && c.plus;
  if (digits >= 10) {
    // Dates are at most 8 digits; nothing else to rule out.
    return true;
  }
  if (plus) return true;
  if (i === j) return false;
  // Dates: 2024-01-15, 15.01.2024.
  if (j === i + 2) {
    const a = g[i]!.len;
    const b = g[i + 1]!.len;
    const d = g[j]!.len;
    const s1 = g[i + 1]!.sep;
    if (s1 === g[j]!.sep && (s1 === '-' || s1 === '.') && b === 2 && ((a === 4 && d === 2) || (a === 2 && d === 4))) return false;
  }
  let allDots = true;
  let onlySpaces = true;
  let small = 0;
  for (let k = i; k <= j; k++) {
    const x = g[k]!;
    if (x.len <= 2) small++;
    if (k > i) {
      if (x.sep !== '.' || x.paren) allDots = false;
      if (x.paren || x.sep !== ' ') onlySpaces = false;
    } else if (x.paren) onlySpaces = false;
  }
  return !allDots && !onlySpaces && small < 3;
}

export const phone: Detector = {
  name: 'phone',
  tag: 'PHONE',
  find(_s: string, ctx: ScanContext, out: Span[]): void {
    for (const c of ctx.clusters()) {
      const g = c.groups;
      let i = 0;
      while (i < g.length) {
        let digits = 0;
        let best = -1;
        for (let j = i; j < g.length; j++) {
          digits += g[j]!.len;
          if (digits > 15) break;
          if (acceptable(c, g, i, j, digits)) best = j;
        }
        if (best < 0) {
          i++;
          continue;
        }
        out.push({ start: i === 0 ? c.start : g[i]!.start, end: g[best]!.end, tag: 'PHONE', kind: 'phone', literal: false });
        i = best + 1;
      }
    }
  },
};
