import { describe, expect, it } from 'vitest';
import { fromJSON, ObjectValue, SetValue, type Value } from '../../../src/rego/value.ts';
import { call, ok, typeErr, type Outcome } from './call.ts';

const set = (...xs: Value[]) => new SetValue(xs);
const o = (x: unknown) => fromJSON(x);

const cases: Array<[string, Value[], Outcome]> = [
  ['object.get', [o({ a: { b: 'c' } }), 'a', true], ok({ b: 'c' })],
  ['object.get', [o({ a: { b: 'c' } }), 'b', true], ok(true)],
  ['object.get', [o({ a: { b: 'c' } }), ['a', 'b'], 1], ok('c')],
  ['object.get', [o({ a: { b: 'c' } }), ['a', 'x'], 1], ok(1)],
  ['object.get', [o({ a: { b: 'c' } }), [], 1], ok({ a: { b: 'c' } })],
  ['object.get', [o({ a: [{ b: 1 }] }), ['a', 0, 'b'], 0], ok(1)],
  ['object.get', [o({ a: [1] }), ['a', 1], 'no'], ok('no')],
  ['object.get', [new ObjectValue([['a', set('x')]]), ['a', 'x'], 0], ok('x')],
  ['object.get', [[1], 0, 0], typeErr('object.get: operand 1 must be object but got array')],
  ['object.keys', [o({ a: 1, b: 2 })], ok(['a', 'b'])],
  ['object.keys', ['x'], typeErr('object.keys: operand 1 must be object but got string')],
  ['object.union', [o({ a: 1, b: { c: 2 } }), o({ b: { d: 3 }, e: 4 })], ok({ a: 1, b: { c: 2, d: 3 }, e: 4 })],
  ['object.union', [o({ a: { b: 1 } }), o({ a: 2 })], ok({ a: 2 })],
  ['object.union', [o({ a: 1 }), o([1, 2, 3])], typeErr('object.union: operand 2 must be object but got array')],
  ['object.union_n', [o([{ a: { b: 2 } }, { a: 4 }, { a: { c: 3 } }])], ok({ a: { c: 3 } })],
  ['object.union_n', [o([{ a: 1 }, { b: { c: 1 } }, { b: { d: 2 } }])], ok({ a: 1, b: { c: 1, d: 2 } })],
  ['object.union_n', [o([])], ok({})],
  ['object.union_n', [o([{}, 'x'])], typeErr('object.union_n: operand 1 must be array of objects but got array containing string')],
  ['object.remove', [o({ a: 1, b: 2, c: 3 }), ['a', 'c']], ok({ b: 2 })],
  ['object.remove', [o({ a: 1, b: 2 }), set('b')], ok({ a: 1 })],
  ['object.remove', [o({ a: 1, b: 2 }), o({ a: 'x' })], ok({ b: 2 })],
  ['object.remove', [o({ x: 'foo' }), 'x'], typeErr('object.remove: operand 2 must be one of {object, set, array} but got string')],
  ['object.remove', ['foo', ['x']], typeErr('object.remove: operand 1 must be object but got string')],
  ['object.filter', [o({ a: 1, b: 2, c: 3 }), ['a', 'c', 'z']], ok({ a: 1, c: 3 })],
  ['object.filter', [o({ a: 1 }), 1], typeErr('object.filter: operand 2 must be one of {object, set, array} but got number')],
  ['object.subset', [o({ a: 1, b: { c: 2, d: 3 } }), o({ b: { c: 2 } })], ok(true)],
  ['object.subset', [o({ a: 1 }), o({ a: 2 })], ok(false)],
  ['object.subset', [o({ a: [1, 2, 3, 4] }), o({ a: [2, 3] })], ok(true)],
  ['object.subset', [o([1, 2, 3, 4]), o([2, 4])], ok(false)],
  ['object.subset', [set(1, 2, 3), set(1, 3)], ok(true)],
  ['object.subset', [o([1, 2, 3]), set(3, 1)], ok(true)],
  ['object.subset', [o([]), set()], ok(false)], // OPA's arraySetSubset never matches over an empty array
  ['object.subset', [o({}), o([])], typeErr('object.subset: both arguments object.subset must be of the same type or array and set')],
];

describe('objects', () => {
  it.each(cases)('%s(%j)', (name, args, want) => {
    expect(call(name, args)).toEqual(want);
  });
});
