/**
 * Splicing `model` into a raw JSON body gives the same object JSON.parse
 * and a re-serialisation would, for arbitrary objects, key orders, escapes,
 * whitespace and non-ASCII text; bodies the scan cannot read answer null.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findTopLevelMember, withTopLevelMember } from '../../src/gateway/json-members.ts';

const text = fc.string({ unit: fc.constantFrom('a', 'é', '"', '\\', '\n', '{', '}', '[', ']', ',', ':', ' ', '€', '😀', 'model') });
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    tie('array'),
    tie('object'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(text, tie('value'), { maxKeys: 4 }),
})).value;
const topLevel = fc.dictionary(text, json, { maxKeys: 6 });
/** JSON text with random whitespace between tokens (JSON.stringify with an indent, or compact). */
const serialise = (v: unknown, indent: number) => Buffer.from(JSON.stringify(v, null, indent));

describe('top-level member splicing', () => {
  it('replaces an existing member: the result parses to the object with only that member changed', () => {
    fc.assert(
      fc.property(topLevel, json, text, fc.constantFrom(0, 2, '\t'.length), (obj, old, model, indent) => {
        const body = { ...obj, model: old };
        const out = withTopLevelMember(serialise(body, indent), 'model', JSON.stringify(model));
        expect(out).not.toBeNull();
        expect(JSON.parse(out!.toString('utf8'))).toEqual({ ...body, model });
      }),
      { numRuns: 300 },
    );
  });

  it('adds a missing member, and extra members first', () => {
    fc.assert(
      fc.property(topLevel, text, (obj, model) => {
        const { model: _drop, stream_options: _so, ...rest } = obj as Record<string, unknown>;
        const out = withTopLevelMember(serialise(rest, 0), 'model', JSON.stringify(model), '"stream_options":{"include_usage":true}');
        expect(JSON.parse(out!.toString('utf8'))).toEqual({ ...rest, model, stream_options: { include_usage: true } });
      }),
      { numRuns: 200 },
    );
  });

  it('finds the last of duplicate keys (the one JSON.parse keeps) and ignores nested ones', () => {
    const b = Buffer.from('{"model":"a","x":{"model":"nested"},"messages":[{"model":"m"}],"model" : "b" }');
    const span = findTopLevelMember(b, 'model')!;
    expect(b.toString('utf8', span.valueStart, span.valueEnd)).toBe('"b"');
    expect(JSON.parse(withTopLevelMember(b, 'model', '"z"')!.toString())).toEqual({ model: 'z', x: { model: 'nested' }, messages: [{ model: 'm' }] });
  });

  it('answers null for what is not one JSON object', () => {
    for (const bad of ['[1,2]', '"model"', '{"model":"a"', '{"model" "a"}', '{"a":1}{', '{"a":"x\\"}'])
      expect(withTopLevelMember(Buffer.from(bad), 'model', '"z"'), bad).toBeNull();
  });
});
