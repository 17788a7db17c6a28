/**
 * US Social Security numbers written 123-45-6789 or 123 45 6789. Every
 * number of that shape is taken, valid or not: a test number in a document
 * is as sensitive as a real one. Nine digits without separators are left
 * alone (they are usually order or account numbers).
 */
import type { Detector, ScanContext, Span } from '../types.ts';

export const usSsn: Detector = {
  name: 'us_ssn',
  tag: 'SSN',
  find(_s: string, ctx: ScanContext, out: Span[]): void {
    for (const c of ctx.clusters()) {
      const g = c.groups;
      for (let i = 0; i + 2 < g.length; i++) {
        const [a, b, d] = [g[i]!, g[i + 1]!, g[i + 2]!];
        if (a.paren || b.paren || d.paren) continue;
        if (a.len !== 3 || b.len !== 2 || d.len !== 4) continue;
        if (b.sep !== d.sep || (b.sep !== '-' && b.sep !== ' ')) continue;
        out.push({ start: a.start, end: d.end, tag: 'SSN', kind: 'us_ssn', literal: false });
        i += 2;
      }
    }
  },
};
