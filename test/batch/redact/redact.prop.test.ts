/**
 * Redaction properties over generated personal data of every detector's
 * kind, in the formats people write it, at random positions in text:
 * - between plain words, the output is exactly the text with each value
 *   replaced by one placeholder (nothing of a value survives, nothing else
 *   changes);
 * - next to numbers, punctuation and other values, no value survives as
 *   written;
 * - the placeholders map back to exactly the values they replaced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, RequestPlaceholders } from '../../../src/batch/redact/redactor.ts';
import { noisyWord, PII, piiArb, plainWord, separator, type PiiKind } from './pii-arbitraries.ts';

/** Separators that cannot become part of a value (a parenthesis around a phone number is taken with it). */
const plainSeparator = separator.filter((s) => !/[()]/.test(s));

const redactor = createRedactor({ enabled: true, detectors: Object.keys(PII), rules: [], reidentify: true });
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('redaction properties', () => {
  for (const kind of Object.keys(PII) as PiiKind[])
    it(`finds every ${kind} between plain words`, () => {
      fc.assert(
        fc.property(
          fc.array(plainWord, { minLength: 1, maxLength: 6 }),
          PII[kind],
          plainSeparator,
          plainSeparator,
          fc.nat(),
          (words, value, before, after, pos) => {
            const at = pos % (words.length + 1);
            const head = words.slice(0, at).join(' ');
            const tail = words.slice(at).join(' ');
            const text = `${head}${head ? before : ''}${value}${tail ? after : ''}${tail}`;
            const placeholders = new RequestPlaceholders();
            const out = redactor.redactString(text, placeholders, new Map());
            const expected = new RegExp(`^${escapeRe(`${head}${head ? before : ''}`)}\\[[A-Z]+_1\\]${escapeRe(`${tail ? after : ''}${tail}`)}$`);
            expect(out).toMatch(expected);
            expect([...placeholders.values.values()]).toEqual([value]);
          },
        ),
        { numRuns: 300 },
      );
    });

  it('no value survives next to numbers, punctuation and other values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(noisyWord, piiArb), { minLength: 1, maxLength: 12 }),
        fc.array(separator, { minLength: 12, maxLength: 12 }),
        (parts, seps) => {
          const text = parts.map((p, i) => (typeof p === 'string' ? p : p.value) + seps[i]).join('');
          const placeholders = new RequestPlaceholders();
          const out = redactor.redactString(text, placeholders, new Map());
          for (const p of parts) if (typeof p !== 'string') expect(out).not.toContain(p.value);
          // Every placeholder in the output stands for text of the input, and restoring gives the input back.
          let restored = out;
          for (const [ph, v] of placeholders.values) {
            expect(text).toContain(v);
            restored = restored.split(ph).join(v);
          }
          expect(restored).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });
});
