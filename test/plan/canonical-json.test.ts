import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/plan/canonical-json.ts';

describe('stableStringify', () => {
  it('sorts keys at every depth, drops undefined members, ends in one LF', () => {
    const text = stableStringify({ b: 1, a: { z: [3, { y: 1, x: undefined, w: null }], c: 'x' }, u: undefined });
    expect(text).toBe('{\n  "a": {\n    "c": "x",\n    "z": [\n      3,\n      {\n        "w": null,\n        "y": 1\n      }\n    ]\n  },\n  "b": 1\n}\n');
  });

  it('writes empty collections inline and supports compact output', () => {
    expect(stableStringify({ a: [], b: {} })).toBe('{\n  "a": [],\n  "b": {}\n}\n');
    expect(stableStringify({ b: [1, 2], a: 'x' }, 0)).toBe('{"a":"x","b":[1,2]}\n');
  });

  it('orders keys by code unit, not locale, and keeps odd keys as data', () => {
    const value = JSON.parse('{"b":1,"B":2,"__proto__":3,"10":4,"9":5}') as unknown;
    expect(stableStringify(value, 0)).toBe('{"10":4,"9":5,"B":2,"__proto__":3,"b":1}\n');
  });

  it('throws on non-finite numbers and on values JSON cannot hold', () => {
    expect(() => stableStringify({ a: { b: Number.NaN } })).toThrow(/non-finite number NaN at \$\.a\.b/);
    expect(() => stableStringify([Number.POSITIVE_INFINITY])).toThrow(/non-finite/);
    expect(() => stableStringify([undefined])).toThrow(/undefined at \$\[0\]/);
    expect(() => stableStringify({ f: () => 1 })).toThrow(/function/);
    expect(() => stableStringify({ n: 1n })).toThrow(/bigint/);
  });

  it('round-trips through JSON.parse and ignores key insertion order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = stableStringify(v);
        expect(text.endsWith('\n')).toBe(true);
        expect(text).not.toContain('\r');
        const back = JSON.parse(text) as unknown;
        // JSON cannot tell -0 from 0; apart from that the value survives.
        expect(back).toEqual(JSON.parse(JSON.stringify(v)));
        expect(stableStringify(back)).toBe(text);
      }),
    );
  });
});
