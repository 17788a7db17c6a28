/**
 * Payment card numbers: 13 to 19 digits, written whole or in groups split
 * by spaces or dashes, that pass the Luhn check. Within a longer run of
 * groups ("4111 1111 1111 1111 2024") every stretch of whole groups is
 * tried, so a card number next to other numbers is still found.
 */
import type { Detector, ScanContext, Span } from '../types.ts';
import { luhnValid } from './luhn.ts';

export const paymentCard: Detector = {
  name: 'payment_card',
  tag: 'CARD',
  find(_s: string, ctx: ScanContext, out: Span[]): void {
    for (const c of ctx.clusters()) {
      const g = c.groups;
      let i = 0;
      while (i < g.length) {
        let digits = '';
        let best = -1;
        for (let j = i; j < g.length; j++) {
          const x = g[j]!;
          if (j > i && (x.paren || (x.sep !== ' ' && x.sep !== '-'))) break;
          digits += x.digits;
          if (digits.length > 19) break;
          if (digits.length >= 13 && luhnValid(digits)) best = j;
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
