/**
 * Strings from an imported config reach TypeScript source (literals and
 * comments): nothing in them can end a string or a comment early. Checked
 * by evaluating what was written, for strings with every character class
 * that matters (quotes, backslashes, line terminators including U+2028/9,
 * control characters, comment closers).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commentLine, tsString, tsValue } from '../../src/import/ts-literal.ts';

const hostile = fc.string({ unit: fc.constantFrom('a', "'", '"', '\\', '\n', '\r', '\u2028', '\u2029', '\u0000', '\u001b', '*/', '`', '${', ' ', 'é') });

describe('TypeScript literals of imported values', () => {
  it('a string literal evaluates to the string', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        expect(new Function(`return ${tsString(s)};`)()).toBe(s);
      }),
    );
  });

  it('a comment line stays one line and comments out everything', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const line = commentLine(s);
        expect(line.split(/[\n\r\u2028\u2029]/)).toHaveLength(1);
        expect(new Function(`${line}\nreturn 1;`)()).toBe(1);
      }),
    );
  });

  it('a value with comments evaluates to the value', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,8}$/), fc.oneof(hostile, fc.integer(), fc.array(hostile, { maxLength: 3 }))),
        hostile,
        (obj, note) => {
          const text = tsValue(obj, ['x'], (p) => (p.length === 2 ? [note] : undefined), 0, 0, ';');
          expect(new Function(`return ${text};`)()).toEqual(obj);
        },
      ),
    );
  });

  it('writes integers of five digits or more with separators, and keeps the project quote style', () => {
    expect(tsValue({ a: 128_000, b: 8192, c: "it's", d: 'x' }, [], () => undefined, 0, 0, ';')).toBe(`{ a: 128_000, b: 8192, c: "it's", d: 'x' }`);
  });
});
