import { describe, expect, it } from 'vitest';
import { fromJSON, SetValue, type Value } from '../../../src/rego/value.ts';
import { builtinErr, call, ok, typeErr, type Outcome } from './call.ts';

const set = (...xs: Value[]) => new SetValue(xs);

const cases: Array<[string, Value[], Outcome]> = [
  ['plus', [1, 2], ok(3)],
  ['plus', [0.1, 0.2], ok(0.3)], // OPA adds decimals, not float64s
  ['plus', [1, 'a'], typeErr('plus: operand 2 must be number but got string')],
  ['plus', [set(1), set(2)], typeErr('plus: operand 1 must be number but got set')],
  ['minus', [5, 7], ok(-2)],
  ['minus', [0.3, 0.1], ok(0.2)],
  ['minus', [set(1, 2, 3), set(2)], ok([1, 3])],
  ['minus', [set(1), 1], typeErr('minus: operand 2 must be set but got number')],
  ['minus', [1, set(1)], typeErr('minus: operand 2 must be number but got set')],
  ['minus', ['a', 1], typeErr('minus: operand 1 must be one of {number, set} but got string')],
  ['minus', [set(1), 'a'], typeErr('minus: operand 2 must be number but got string')],
  ['mul', [6, 7], ok(42)],
  ['mul', [0.1, 3], ok(0.3)],
  ['mul', [1.5, 2], ok(3)],
  ['div', [6, 3], ok(2)],
  ['div', [1, 2], ok(0.5)],
  ['div', [0.3, 0.1], ok(3)],
  ['div', [1, 3], ok(1 / 3)],
  ['div', [1, 0], builtinErr('div: divide by zero')],
  ['div', [1, 0.0], builtinErr('div: divide by zero')],
  ['rem', [7, 3], ok(1)],
  ['rem', [-7, 3], ok(-1)],
  ['rem', [7, 0], builtinErr('rem: modulo by zero')],
  ['rem', [7.5, 2], builtinErr('rem: modulo on floating-point number')],
  ['equal', [1, 1], ok(true)],
  ['equal', [fromJSON({ a: [1] }), fromJSON({ a: [1] })], ok(true)],
  ['equal', [1, '1'], ok(false)],
  ['neq', [set(1, 2), set(2, 1)], ok(false)],
  ['lt', [1, 2], ok(true)],
  ['lt', [null, false], ok(true)], // null < boolean < number < string < array < object < set
  ['lt', ['z', [0]], ok(true)],
  [
    'lte',
    [
      [1, 2],
      [1, 2],
    ],
    ok(true),
  ],
  ['gt', [set(), fromJSON({})], ok(true)],
  ['gte', ['b', 'a'], ok(true)],
  ['or', [set(1, 2), set(2, 3)], ok([1, 2, 3])],
  ['or', [set(1), [1]], typeErr('or: operand 2 must be set but got array')],
  ['and', [set(1, 2), set(2, 3)], ok([2])],
  ['and', [set(1), set(2)], ok([])],
  ['and', [1, set(2)], typeErr('and: operand 1 must be set but got number')],
];

describe('operators', () => {
  it.each(cases)('%s(%j)', (name, args, want) => {
    expect(call(name, args)).toEqual(want);
  });

  it('never yields -0', () => {
    expect(Object.is((call('mul', [-1, 0]) as { value: number }).value, 0)).toBe(true);
  });
});
