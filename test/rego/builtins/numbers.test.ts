import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/rego/value.ts';
import { builtinErr, call, ok, typeErr, type Outcome } from './call.ts';

const cases: Array<[string, Value[], Outcome]> = [
  ['abs', [-3], ok(3)],
  ['abs', [2.5], ok(2.5)],
  ['abs', ['x'], typeErr('abs: operand 1 must be number but got string')],
  ['ceil', [1.2], ok(2)],
  ['ceil', [-1.2], ok(-1)],
  ['floor', [1.8], ok(1)],
  ['floor', [-1.2], ok(-2)],
  ['round', [1.5], ok(2)],
  ['round', [2.5], ok(3)], // half away from zero, not to even
  ['round', [-2.5], ok(-3)],
  ['round', [-0.4], ok(0)],
  ['round', [0.49999999999999994], ok(0)],
  ['numbers.range', [1, 4], ok([1, 2, 3, 4])],
  ['numbers.range', [2, -1], ok([2, 1, 0, -1])],
  ['numbers.range', [3, 3], ok([3])],
  ['numbers.range', [1, 'a'], typeErr('numbers.range: operand 2 must be integer but got string')],
  ['numbers.range', [1.5, 3], typeErr('numbers.range: operand 1 must be integer number but got floating-point number')],
  ['numbers.range_step', [0, 10, 3], ok([0, 3, 6, 9])],
  ['numbers.range_step', [10, 0, 5], ok([10, 5, 0])],
  ['numbers.range_step', [0, 10, 0], builtinErr('numbers.range_step: numbers.range_step: step must be a positive integer')],
  ['bits.or', [7, 9], ok(15)],
  ['bits.and', [7, 9], ok(1)],
  ['bits.xor', [42, 3], ok(41)],
  ['bits.negate', [42], ok(-43)],
  ['bits.lsh', [1, 3], ok(8)],
  ['bits.lsh', [2147483647, 1], ok(4294967294)],
  ['bits.rsh', [8, 3], ok(1)],
  ['bits.rsh', [-8, 1], ok(-4)],
  ['bits.or', [7.2, 42], typeErr('bits.or: operand 1 must be integer number but got floating-point number')],
  ['bits.lsh', [7, -1], typeErr('bits.lsh: operand 2 must be an unsigned integer number but got a negative integer')],
  ['bits.rsh', [7, -1], typeErr('bits.rsh: operand 2 must be an unsigned integer number but got a negative integer')],
];

describe('numbers', () => {
  it.each(cases)('%s(%j)', (name, args, want) => {
    expect(call(name, args)).toEqual(want);
  });
});
