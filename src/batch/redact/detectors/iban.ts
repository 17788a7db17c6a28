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

/**
 * IBAN length per country, from SWIFT's IBAN registry. With a known country
 * only that length is tried: otherwise one word after the number can pass the
 * mod-97 check by chance (1 in 97) and be swallowed into the account number
 * ("BE49 3403 9168 0641 E"). Countries not listed keep the generic 15 to 34.
 */
const COUNTRY_LENGTH: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

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
      const fixed = COUNTRY_LENGTH[compact.slice(0, 2)];
      const longest = Math.min(fixed ?? MAX_LENGTH, compact.length);
      const shortest = fixed ?? MIN_LENGTH;
      for (let n = longest; n >= shortest && !found; n--) {
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
