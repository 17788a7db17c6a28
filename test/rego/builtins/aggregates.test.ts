import { describe, expect, it } from 'vitest';
import { fromJSON, SetValue, type Value } from '../../../src/rego/value.ts';
import { call, ok, typeErr, undef, type Outcome } from './call.ts';

const set = (...xs: Value[]) => new SetValue(xs);

const cases: Array<[string, Value[], Outcome]> = [
  ['count', [[1, 2, 3]], ok(3)],
  ['count', [set(1, 2)], ok(2)],
  ['count', [fromJSON({ a: 1 })], ok(1)],
  ['count', ['héllo'], ok(5)], // code points, not bytes
  ['count', ['😀'], ok(1)],
  ['count', [1], typeErr('count: operand 1 must be one of {array, object, set, string} but got number')],
  ['sum', [[1, 2, 3, 4]], ok(10)],
  ['sum', [set(1, 2, 3, 4)], ok(10)],
  ['sum', [[]], ok(0)],
  ['sum', [[0.1, 0.2]], ok(0.3)],
  ['sum', [[1, 'a']], typeErr('sum: operand 1 must be array of numbers but got array containing string')],
  ['sum', [set(1, 'a')], typeErr('sum: operand 1 must be set of numbers but got set containing string')],
  ['sum', [fromJSON({ a: 1 })], typeErr('sum: operand 1 must be one of {set, array} but got object')],
  ['product', [[2, 3, 4]], ok(24)],
  ['product', [[]], ok(1)],
  ['max', [[1, 5, 3]], ok(5)],
  ['max', [set(1, 'a', null)], ok('a')],
  ['max', [[]], undef],
  ['max', [set()], undef],
  ['min', [[4, 2, 3]], ok(2)],
  ['min', [[]], undef],
  ['min', ['x'], typeErr('min: operand 1 must be one of {set, array} but got string')],
  ['sort', [[3, 'a', 1, null]], ok([null, 1, 3, 'a'])],
  ['sort', [set(3, 1, 2)], ok([1, 2, 3])],
  ['sort', [fromJSON({})], typeErr('sort: operand 1 must be one of {set, array} but got object')],
  ['internal.member_2', [1, set(1)], ok(true)],
  ['internal.member_2', [1, [2, 1]], ok(true)],
  ['internal.member_2', [1, fromJSON({ foo: 1 })], ok(true)],
  ['internal.member_2', ['foo', fromJSON({ foo: 1 })], ok(false)],
  ['internal.member_2', [1, 'abc'], ok(false)],
  ['internal.member_3', ['foo', 1, fromJSON({ foo: 1 })], ok(true)],
  ['internal.member_3', [1, 'two', ['one', 'two']], ok(true)],
  ['internal.member_3', [2, 'two', ['one', 'two']], ok(false)],
  ['internal.member_3', [1, 1, set(1)], ok(true)],
];

describe('aggregates', () => {
  it.each(cases)('%s(%j)', (name, args, want) => {
    expect(call(name, args)).toEqual(want);
  });
});
