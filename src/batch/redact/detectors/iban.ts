/**
 * International bank account numbers (ISO 13616): a country code, two check
 * digits and up to 30 letters and digits, written compact or in groups of
 * four, confirmed by the mod-97 checksum. Shorter stretches of a candidate
 * are tried too, so an IBAN followed by another word is still found.
 */
import { isWordCode, type Detector, type ScanContext, type Span } from '../types.ts';

const CANDIDATE = /(?<![0-9A-Za-z])[A-Z]{2}[0-9]{2}(?:[0-9A-Z]{11,30}|(?: [0-9A-Z]{4}){2,7}(?: [0-9A-Z]{1,4})?)/g;
const MIN_LENGTH = 15;
const MAX_LENGTH = 34;

/** ISO 7064 mod 97-10 over the rearranged account number, computed digit by digit. */
export function ibanValid(iban: string): boolean {
  const check = Number(iban.slice(2, 4));
  if (check < 2 || check > 98) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let r = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    if (c >= 48 && c <= 57) r = (r * 10 + (c - 48)) % 97;
    else r = (r * 100 + (c - 55)) % 97;
  }
  // A word of letters with a lucky checksum is not an account number: BBANs are mostly digits.
  let digits = 0;
  for (let i = 4; i < iban.length; i++) if (iban.charCodeAt(i) <= 57) digits++;
  return r === 1 && digits >= 6;
}

export const iban: Detector = {
  name: 'iban',
  tag: 'IBAN',
  find(s: string, _ctx: ScanContext, out: Span[]): void {
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(s); m; m = CANDIDATE.exec(s)) {
      // Positions of the letters and digits, spaces skipped.
      const at: number[] = [];
      for (let k = 0; k < m[0].length; k++) if (m[0][k] !== ' ') at.push(m.index + k);
      const compact = m[0].replace(/ /g, '');
      let found = false;
      for (let n = Math.min(MAX_LENGTH, compact.length); n >= MIN_LENGTH && !found; n--) {
        // The account number ends where a word ends, not inside one.
        const next = s.charCodeAt(at[n - 1]! + 1);
        if (isWordCode(next) || !ibanValid(compact.slice(0, n))) continue;
        out.push({ start: m.index, end: at[n - 1]! + 1, tag: 'IBAN', kind: 'iban', literal: false });
        CANDIDATE.lastIndex = at[n - 1]! + 1;
        found = true;
      }
      // An IBAN can start at a later group of a candidate that is not one ("REF1 DE89 3704 …").
      if (!found) CANDIDATE.lastIndex = m.index + 1;
    }
  },
};
