import { describe, expect, it } from 'vitest';
import { fromJSON, SetValue, type Value } from '../../../src/rego/value.ts';
import { builtinErr, call, ok, typeErr, type Outcome } from './call.ts';

const samples: Array<[string, Value]> = [
  ['null', null],
  ['boolean', true],
  ['number', 1.5],
  ['string', 'x'],
  ['array', [1]],
  ['object', fromJSON({ a: 1 })],
  ['set', new SetValue([1])],
];

describe('type checks', () => {
  it.each(samples)('type_name of a %s', (name, v) => {
    expect(call('type_name', [v])).toEqual(ok(name));
  });

  it.each(samples)('exactly one is_* holds for a %s', (name, v) => {
    for (const [other] of samples) expect(call(`is_${other}`, [v])).toEqual(ok(other === name));
  });
});

const casts: Array<[Value, Outcome]> = [
  [null, ok(0)],
  [true, ok(1)],
  [false, ok(0)],
  [-3.5, ok(-3.5)],
  ['3', ok(3)],
  ['-1.5e2', ok(-150)],
  ['+.5', ok(0.5)],
  ['0x1p-2', ok(0.25)],
  ['broken', builtinErr('to_number: strconv.ParseFloat: parsing "broken": invalid syntax')],
  [' 1', builtinErr('to_number: strconv.ParseFloat: parsing " 1": invalid syntax')],
  ['1_000', builtinErr('to_number: strconv.ParseFloat: parsing "1_000": invalid syntax')],
  ['1e400', builtinErr('to_number: strconv.ParseFloat: parsing "1e400": value out of range')],
  ['inf', typeErr('to_number: operand 1 must be valid number string but got string')],
  ['-Infinity', typeErr('to_number: operand 1 must be valid number string but got string')],
  ['-NaN', typeErr('to_number: operand 1 must be valid number string but got string')],
  [[1], typeErr('to_number: operand 1 must be one of {null, boolean, number, string} but got array')],
];

describe('to_number', () => {
  it.each(casts)('to_number(%j)', (v, want) => {
    expect(call('to_number', [v])).toEqual(want);
  });
});
