/**
 * fast-check generators of personal data in the formats people write it,
 * one per built-in detector, for the redaction properties: every value
 * generated here must be found. Card numbers carry a valid Luhn digit and
 * IBANs valid check digits (computed, not copied), since the detectors
 * confirm both.
 */
import fc from 'fast-check';

export type PiiKind = 'email' | 'phone' | 'payment_card' | 'iban' | 'ip_address' | 'us_ssn';

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));
const nonZero = fc.integer({ min: 1, max: 9 }).map(String);
const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const upper = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
const word = (chars: fc.Arbitrary<string>, min: number, max: number) => fc.array(chars, { minLength: min, maxLength: max }).map((c) => c.join(''));

const emailArb = fc
  .tuple(
    word(alnum, 1, 12),
    fc.option(fc.tuple(fc.constantFrom('.', '_', '+', '-'), word(alnum, 1, 8)), { nil: undefined }),
    fc.array(word(alnum, 1, 10), { minLength: 1, maxLength: 3 }),
    word(lower, 2, 6),
    fc.boolean(),
  )
  .map(([local, extra, labels, tld, caps]) => {
    const s = `${local}${extra ? extra.join('') : ''}@${labels.join('.')}.${tld}`;
    return caps ? s.replace(/^./, (c) => c.toUpperCase()) : s;
  });

const phoneArb = fc.oneof(
  fc.tuple(digits(1), digits(3), digits(3), digits(4)).map(([c, a, b, d]) => `+${c} ${a} ${b} ${d}`),
  fc.tuple(nonZero, digits(2), digits(3), digits(4)).map(([a0, a, b, d]) => `(${a0}${a}) ${b}-${d}`),
  fc.tuple(digits(3), digits(3), digits(4), fc.constantFrom('-', '.', ' ')).map(([a, b, d, s]) => `${a}${s}${b}${s}${d}`),
  fc.tuple(digits(2), digits(2), digits(4), digits(4)).map(([c, a, b, d]) => `+${c} ${a} ${b} ${d}`),
  fc.tuple(digits(2), digits(2), digits(2), digits(2), digits(2)).map((g) => `0${g.join(' ').slice(1)}`),
  fc.tuple(nonZero, digits(9)).map(([a, b]) => `${a}${b}`),
  fc.tuple(digits(3), digits(4)).map(([a, b]) => `${a}-${b}`),
  fc.tuple(digits(2), digits(1), digits(4), digits(6)).map(([c, a, b, d]) => `+${c} (${a}) ${b} ${d}`),
);

function luhnComplete(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

const cardArb = fc.oneof(
  fc.tuple(fc.constantFrom('4', '51', '55', '6011'), fc.constantFrom('compact', ' ', '-')).chain(([prefix, style]) =>
    digits(15 - prefix.length).map((rest) => {
      const n = luhnComplete(prefix + rest);
      return style === 'compact' ? n : n.match(/.{4}/g)!.join(style);
    }),
  ),
  // American Express: 15 digits written 4-6-5.
  fc.tuple(fc.constantFrom('34', '37'), digits(12), fc.constantFrom(' ', '-')).map(([p, rest, sep]) => {
    const n = luhnComplete(p + rest);
    return `${n.slice(0, 4)}${sep}${n.slice(4, 10)}${sep}${n.slice(10)}`;
  }),
);

/** Country code, BBAN shape (d digit, A letter) from the IBAN registry for a few countries; lengths as the registry has them (the detector holds each country to its own). */
const IBAN_SHAPES: ReadonlyArray<readonly [string, string]> = [
  ['DE', 'dddddddddddddddddd'],
  ['GB', 'AAAAdddddddddddddd'],
  ['FR', 'ddddddddddddddddddddddd'],
  ['NL', 'AAAAdddddddddd'],
  ['ES', 'dddddddddddddddddddd'],
  ['CH', 'ddddddddddddddddd'],
  ['BE', 'dddddddddddd'],
  ['IT', 'Adddddddddddddddddddddd'],
];

function ibanCheck(country: string, bban: string): string {
  const rearranged = `${bban}${country}00`;
  let r = 0;
  for (const ch of rearranged) {
    const c = ch.charCodeAt(0);
    r = c <= 57 ? (r * 10 + (c - 48)) % 97 : (r * 100 + (c - 55)) % 97;
  }
  return String(98 - r).padStart(2, '0');
}

const ibanArb = fc.constantFrom(...IBAN_SHAPES).chain(([country, shape]) =>
  fc.tuple(fc.tuple(...[...shape].map((c) => (c === 'd' ? digit : upper))), fc.boolean()).map(([chars, grouped]) => {
    const bban = chars.join('');
    const iban = `${country}${ibanCheck(country, bban)}${bban}`;
    return grouped ? iban.match(/.{1,4}/g)!.join(' ') : iban;
  }),
);

const octet = fc.integer({ min: 0, max: 255 }).map(String);
const hexGroup = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const ipArb = fc.oneof(
  fc.tuple(octet, octet, octet, octet).map((o) => o.join('.')),
  fc.array(hexGroup, { minLength: 8, maxLength: 8 }).map((g) => g.join(':')),
  fc.tuple(fc.array(hexGroup, { minLength: 1, maxLength: 3 }), fc.array(hexGroup, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([a, b, up]) => {
    const s = `${a.join(':')}::${b.join(':')}`;
    return up ? s.toUpperCase() : s;
  }),
  fc.tuple(octet, octet, octet, octet).map((o) => `::ffff:${o.join('.')}`),
);

const ssnArb = fc.tuple(digits(3), digits(2), digits(4), fc.constantFrom('-', ' ')).map(([a, b, c, s]) => `${a}${s}${b}${s}${c}`);

export const PII: Record<PiiKind, fc.Arbitrary<string>> = {
  email: emailArb,
  phone: phoneArb,
  payment_card: cardArb,
  iban: ibanArb,
  ip_address: ipArb,
  us_ssn: ssnArb,
};

export const piiArb: fc.Arbitrary<{ kind: PiiKind; value: string }> = fc.oneof(
  ...(Object.keys(PII) as PiiKind[]).map((kind) => PII[kind].map((value) => ({ kind, value }))),
);

/** Words without digits or `@`, so any digit left after redaction came from a value that leaked. */
export const plainWord = word(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), 1, 10);
/** What may stand between a value and the next word: spaces, punctuation, JSON-escaped characters. */
export const separator = fc.constantFrom(' ', '\n', ', ', ': ', ' (', ') ', ' "', '" ', '\t', ' / ', ' é ', ' — ', '; ');
/** Filler that may itself hold numbers next to the values: years, amounts, counts. */
export const noisyWord = fc.oneof(plainWord, fc.integer({ min: 0, max: 99_999 }).map(String), fc.constantFrom('2024', '12.5', 'v1.2', 'x42'));
