import { describe, expect, it } from 'vitest';
import { fromJSON, SetValue, type Value } from '../../../src/rego/value.ts';
import { call, ok, typeErr, type Outcome } from './call.ts';

const set = (...xs: Value[]) => new SetValue(xs);

const cases: Array<[string, Value[], Outcome]> = [
  ['array.concat', [[1, 2], [3]], ok([1, 2, 3])],
  ['array.concat', [[], []], ok([])],
  ['array.concat', [fromJSON({ v1: 'hello' }), []], typeErr('array.concat: operand 1 must be array but got object')],
  ['array.slice', [[1, 2, 3, 4, 5], 1, 3], ok([2, 3])],
  ['array.slice', [[1, 2, 3, 4, 5], -1, 3], ok([1, 2, 3])],
  ['array.slice', [[1, 2, 3, 4, 5], 2, 100], ok([3, 4, 5])],
  ['array.slice', [[1, 2, 3, 4, 5], 3, 1], ok([])],
  ['array.slice', [[1, 2, 3], 0, -1], ok([])],
  ['array.slice', [[1, 2, 3], 0.5, 1], typeErr('array.slice: operand 2 must be integer number but got floating-point number')],
  ['array.slice', [[1, 2, 3], 0, 'a'], typeErr('array.slice: operand 3 must be number but got string')],
  ['array.reverse', [[1, 2, 3]], ok([3, 2, 1])],
  ['array.reverse', [[]], ok([])],
  ['array.reverse', ['abc'], typeErr('array.reverse: operand 1 must be array but got string')],
  ['union', [set(set(1, 2), set(2, 3))], ok([1, 2, 3])],
  ['union', [set()], ok([])],
  ['union', [set(set(1), 2)], typeErr('union: operand 1 must be set but got number')],
  ['intersection', [set(set(1, 2, 3), set(2, 3, 4), set(3, 2))], ok([2, 3])],
  ['intersection', [set()], ok([])],
  ['intersection', [[set(1)]], typeErr('intersection: operand 1 must be set but got array')],
];

describe('arrays and sets', () => {
  it.each(cases)('%s(%j)', (name, args, want) => {
    expect(call(name, args)).toEqual(want);
  });
});
