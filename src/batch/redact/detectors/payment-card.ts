/**
 * Payment card numbers: 13 to 19 digits, written whole or in groups split
 * by spaces or dashes, that pass the Luhn check. Within a longer run of
 * groups ("4111 1111 1111 1111 2024") every stretch of whole groups is
 * tried, so a card number next to other numbers is still found.
 */
import type { Detector, ScanContext, Span } from '../types.ts';
import { groupDigits } from '../numeric-clusters.ts';
import { luhnValid } from './luhn.ts';

export const paymentCard: Detector = {
  name: 'payment_card',
  tag: 'CARD',
  find(s: string, ctx: ScanContext, out: Span[]): void {
    for (const c of ctx.clusters()) {
      const g = c.groups;
      let i = 0;
      while (i < g.length) {
        let count = 0;
        let best = -1;
        for (let j = i; j < g.length; j++) {
          const x = g[j]!;
          if (j > i && (x.paren || (x.sep !== ' ' && x.sep !== '-'))) break;
          count += x.len;
          if (count > 19) break;
          if (count >= 13 && luhnValid(groupDigits(s, g, i, j))) best = j;
        }
        if (best < 0) {
          i++;
          continue;
        }
        out.push({ start: g[i]!.start, end: g[best]!.end, tag: 'CARD', kind: 'payment_card', literal: false });
        i = best + 1;
      }
    }
  },
};
