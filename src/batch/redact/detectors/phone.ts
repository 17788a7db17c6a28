/**
 * Phone numbers: 7 to 15 digits (E.164's limit) written with an optional
 * `+` country prefix, single spaces, dashes or dots between groups and
 * parenthesised area codes: `+1 (555) 123-4567`, `020 7946 0958`,
 * `06 12 34 56 78`, `555-1234`, `5551234567`. What would make ordinary
 * numbers look like phones is excluded: dates (2024-01-15, 15.01.2024),
 * dotted numbers under ten digits (1.234.567), lists of small numbers
 * (10 12 14 16) and runs of fewer than ten digits with no separator. In a
 * longer run the longest acceptable stretch of groups is taken each time,
 * so two numbers side by side are both found.
 */
import type { DigitGroup, Detector, NumericCluster, ScanContext, Span } from '../types.ts';

function isDate(g: readonly DigitGroup[]): boolean {
  if (g.length !== 3 || g[1]!.sep !== g[2]!.sep || (g[1]!.sep !== '-' && g[1]!.sep !== '.')) return false;
  const lengths = g.map((x) => x.digits.length).join(',');
  return lengths === '4,2,2' || lengths === '2,2,4';
}

function acceptable(c: NumericCluster, g: readonly DigitGroup[], first: boolean, digits: number): boolean {
  if (digits < 7 || digits > 15) return false;
  const plus = first && c.plus;
  if (!plus && g.length === 1 && digits < 10) return false;
  if (isDate(g)) return false;
  if (digits < 10 && g.slice(1).every((x) => x.sep === '.' && !x.paren)) return false;
  if (digits < 10 && g.filter((x) => x.digits.length <= 2).length >= 3) return false;
  return true;
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
          digits += g[j]!.digits.length;
          if (digits > 15) break;
          if (acceptable(c, g.slice(i, j + 1), i === 0, digits)) best = j;
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
