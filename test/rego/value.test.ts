import { expect, it } from 'vitest';
import { compileModules, evalRule } from '../../src/rego/index.ts';
import { argKey, fromJSON, ObjectValue, SetValue, toJSON } from '../../src/rego/value.ts';

it('keys equal arguments alike and different ones apart, whatever their insertion order', () => {
  expect(argKey(new SetValue([1, 2, 3]))).toBe(argKey(new SetValue([3, 1, 2])));
  expect(argKey(ObjectValue.fromRecord({ a: 1, b: [2] }))).toBe(argKey(fromJSON({ b: [2], a: 1 })));
  expect(argKey(ObjectValue.fromRecord({ a: 1 }))).not.toBe(argKey(ObjectValue.fromRecord({ a: 2 })));
  expect(argKey([1, 2])).not.toBe(argKey([2, 1]));
  expect(argKey('x')).toBe('"x"');
  expect(argKey(1)).not.toBe(argKey('1'));
});

it('a function called with whole documents caches per document, never across them', () => {
  const { compiled } = compileModules([
    {
      file: 'f.rego',
      source: 'package f\nimport rego.v1\nsize(doc) := count(doc.items)\nsizes := [size(d) | some d in input.docs]\n',
    },
  ]);
  const docs = [{ items: [1, 2] }, { items: [1, 2, 3] }, { items: [1, 2] }];
  expect(toJSON(evalRule(compiled!, 'data.f.sizes', { input: fromJSON({ docs }) })!)).toEqual([2, 3, 2]);
});
