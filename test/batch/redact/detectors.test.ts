import { describe, expect, it } from 'vitest';
import { ibanValid } from '../../../src/batch/redact/detectors/iban.ts';
import { luhnValid } from '../../../src/batch/redact/detectors/luhn.ts';
import { numericClusters } from '../../../src/batch/redact/numeric-clusters.ts';
import { createRedactor, RequestPlaceholders } from '../../../src/batch/redact/redactor.ts';
import type { PlanRedaction } from '../../../src/plan/types.ts';

const ALL = ['email', 'iban', 'ip_address', 'payment_card', 'phone', 'us_ssn'];
const redaction = (over: Partial<PlanRedaction> = {}): PlanRedaction => ({ enabled: true, detectors: ALL, rules: [], reidentify: false, ...over });

function redact(s: string, r = createRedactor(redaction())) {
  const placeholders = new RequestPlaceholders();
  const counts = new Map<string, number>();
  return { text: r.redactString(s, placeholders, counts), counts: Object.fromEntries(counts), values: Object.fromEntries(placeholders.values) };
}

describe('built-in detectors', () => {
  it.each([
    ['Contact john.doe+tag@mail.example.co.uk today.', 'Contact [EMAIL_1] today.'],
    ['mailto:a@b.io, A_B-c%d@sub-1.x.museum', 'mailto:[EMAIL_1], [EMAIL_2]'],
    ['Call +1 (555) 123-4567 or 555-987-6543.', 'Call [PHONE_1] or [PHONE_2].'],
    ['+44 20 7946 0958 / 020 7946 0958 / 06 12 34 56 78', '[PHONE_1] / [PHONE_2] / [PHONE_3]'],
    ['tel 5551234567, local 555-1234', 'tel [PHONE_1], local [PHONE_2]'],
    ['card 4111 1111 1111 1111 exp 12/27', 'card [CARD_1] exp 12/27'],
    ['amex 3782-822463-10005; visa 4012888888881881', 'amex [CARD_1]; visa [CARD_2]'],
    ['card 4111111111111111 123', 'card [CARD_1] 123'],
    ['(4000000000000002) and (5551234567)', '[CARD_1] and [PHONE_1]'],
    ['SSN 123-45-6789 or 987 65 4321', 'SSN [SSN_1] or [SSN_2]'],
    ['IBAN DE89 3704 0044 0532 0130 00 EUR', 'IBAN [IBAN_1] EUR'],
    ['(GB29NWBK60161331926819).', '([IBAN_1]).'],
    ['ref REF1 DE89 3704 0044 0532 0130 00', 'ref REF1 [IBAN_1]'],
    // A Belgian IBAN is 16 characters: the one-letter word after it passes mod 97 as "BE49…0641E" would, but is not part of it.
    ['BE49 3403 9168 0641 E a', '[IBAN_1] E a'],
    ['NO9386011117947 X', '[IBAN_1] X'],
    ['host 192.168.1.10:8080, v1.2.3.4.5', 'host [IP_1]:8080, v1.2.3.4.5'],
    ['fe80::1ff:fe23:4567:890a and ::1 and 2001:DB8::8A2E:370:7334.', '[IP_1] and [IP_2] and [IP_3].'],
    ['mapped ::ffff:192.0.2.128 end', 'mapped [IP_1] end'],
  ])('%j', (input, expected) => {
    expect(redact(input).text).toBe(expected);
  });

  it.each([
    'dates 2024-01-15 and 15.01.2024',
    'sizes 10 12 14 16, amount 1.234.567, pi 3.14159',
    'order INV2024000123, ref ABC-12345, sku X1234567890, invoice INV-2024-001, part 555-1234-A',
    'time 12:30:45, ratio 16:9, Note: nothing',
    'version 1.2.3.4.5 and 10.0.0',
    'card-like 4111 1111 1111 1112 fails Luhn in full',
    'IBAN-like DE00370400440532013000 has bad check digits',
    'a @ b, @handle, x@y, user@localhost',
    'nine digits 123456789 and 2024',
  ])('leaves %j alone (no number is redacted as a whole)', (input) => {
    const { text } = redact(input);
    // A Luhn-invalid 16-digit run may still contain a phone-shaped stretch; every other case is untouched.
    if (input.startsWith('card-like')) expect(text).not.toContain('[CARD');
    else expect(text).toBe(input);
  });

  it('numbers the placeholders per request, one per distinct value, and keeps the way back', () => {
    const r = redact('a@x.io wrote to b@x.io and a@x.io; call 555-123-4567');
    expect(r.text).toBe('[EMAIL_1] wrote to [EMAIL_2] and [EMAIL_1]; call [PHONE_1]');
    expect(r.values).toEqual({ '[EMAIL_1]': 'a@x.io', '[EMAIL_2]': 'b@x.io', '[PHONE_1]': '555-123-4567' });
    expect(r.counts).toEqual({ email: 3, phone: 1 });
  });

  it('runs only the detectors the profile names, plus its rules with their literal replacement', () => {
    const r = createRedactor(redaction({ detectors: ['email'], rules: [{ name: 'cust', pattern: '\\bCUST-[0-9]{6,10}\\b', replacement: '$& [CUSTOMER]' }] }));
    const out = redact('a@x.io CUST-1234567 call 555-123-4567', r);
    expect(out.text).toBe('[EMAIL_1] $& [CUSTOMER] call 555-123-4567');
    expect(out.counts).toEqual({ email: 1, 'rule:cust': 1 });
    expect(createRedactor(redaction({ enabled: false })).active).toBe(false);
    expect(createRedactor(redaction({ enabled: false })).redactString('a@x.io', new RequestPlaceholders(), new Map())).toBe('a@x.io');
  });

  it('merges overlapping finds so no claimed character survives', () => {
    const r = createRedactor(redaction({ rules: [{ name: 'tail', pattern: '4567 and', replacement: '[T]' }] }));
    expect(redact('call 555-123-4567 and more', r).text).toBe('call [PHONE_1] more');
  });

  it('redacts object keys and nested strings of a request body', () => {
    const r = createRedactor(redaction());
    const body = { messages: [{ role: 'user', content: [{ type: 'text', text: 'mail a@x.io' }] }], metadata: { 'b@x.io': 'SSN 123-45-6789' } };
    const placeholders = new RequestPlaceholders();
    expect(r.redactValue(body, placeholders, new Map())).toEqual({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'mail [EMAIL_1]' }] }],
      metadata: { '[EMAIL_2]': 'SSN [SSN_1]' },
    });
  });

  it('clusters: separators, parentheses, plus, glued tokens', () => {
    const shape = (s: string) => numericClusters(s).map((c) => [s.slice(c.start, c.end), c.plus, c.groups.map((g) => `${g.sep}${s.slice(g.start, g.end)}`)]);
    expect(shape('+1 (555) 123-4567.')).toEqual([['+1 (555) 123-4567', true, ['1', ' (555)', ' 123', '-4567']]]);
    expect(shape('(555)123 x')).toEqual([['(555)123', false, ['(555)', '123']]]);
    expect(shape('abc123 456def 7890123')).toEqual([['7890123', false, ['7890123']]]);
    expect(shape('v1.2 555-1234 x')).toEqual([['2 555-1234', false, ['.2', ' 555', '-1234']]]);
    // Lone numbers shorter than a phone number are of no use to any detector and are not reported.
    expect(shape('(12 and 3. 2024, 123456, +49')).toEqual([['+49', true, ['49']]]);
    expect(shape('(12 34')).toEqual([['12 34', false, ['12', ' 34']]]);
  });

  it('checksums: Luhn and ISO 7064 mod 97', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE88370400440532013000')).toBe(false);
    expect(ibanValid('GB29NWBK60161331926819')).toBe(true);
    // The chance pass the country lengths guard against: one letter more still checks out.
    expect(ibanValid('BE49340391680641E')).toBe(true);
  });

  it('stays linear on hostile strings', () => {
    const r = createRedactor(redaction());
    const huge = ['1:'.repeat(50_000), `${'a'.repeat(100_000)}@`, '1 '.repeat(50_000), 'AB12 '.repeat(20_000), '(1'.repeat(50_000)];
    for (const s of huge) expect(typeof redact(s, r).text).toBe('string');
  });
});
