/**
 * Operand checks shared by the builtin families, worded as OPA's
 * topdown/builtins package words them, so that error texts match OPA's
 * (`<name>: operand <n> must be ...`).
 */
import { isNumber, ObjectValue, SetValue, typeName, type Value } from '../value.ts';
import { BuiltinError, operandTypeError } from './types.ts';

/** A failure that is not about operand types: OPA's eval_builtin_error, `<name>: <detail>`. */
export function builtinError(name: string, detail: string): BuiltinError {
  return new BuiltinError('eval_builtin_error', `${name}: ${detail}`);
}

/** A free-form operand error (OPA's NewOperandErr): eval_type_error, `<name>: operand <n> <detail>`. */
export function operandError(name: string, position: number, detail: string): BuiltinError {
  return new BuiltinError('eval_type_error', `${name}: operand ${position} ${detail}`);
}

/** OPA's plural for element errors: `array of strings`, `set of numbers`. */
export function elementError(name: string, position: number, composite: Value, got: Value, expected: readonly string[]): BuiltinError {
  const tpe = typeName(composite);
  const want = expected.length === 1 ? `${tpe} of ${expected[0]}s` : `${tpe} of (any of) {${expected.join(', ')}}`;
  return operandError(name, position, `must be ${want} but got ${tpe} containing ${typeName(got)}`);
}

/** A number, exact (a bigint past 2^53). */
export function numberOperand(name: string, v: Value, position: number): number | bigint {
  if (!isNumber(v)) throw operandTypeError(name, position, ['number'], typeName(v));
  return v;
}

/** OPA's IntOperand: a number that is an integer (one past 2^53 comes out as the nearest float64). */
export function intOperand(name: string, v: Value, position: number): number {
  const n = numberOperand(name, v, position);
  if (typeof n === 'bigint') return Number(n);
  if (!Number.isInteger(n)) throw operandError(name, position, 'must be integer number but got floating-point number');
  return n;
}

/** OPA's BigIntOperand: same as IntOperand but exact, and a non-number is reported as "must be integer". */
export function bigIntOperand(name: string, v: Value, position: number): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v !== 'number') throw operandTypeError(name, position, ['integer'], typeName(v));
  if (!Number.isInteger(v)) throw operandError(name, position, 'must be integer number but got floating-point number');
  return BigInt(v);
}

export function stringOperand(name: string, v: Value, position: number): string {
  if (typeof v !== 'string') throw operandTypeError(name, position, ['string'], typeName(v));
  return v;
}

export function arrayOperand(name: string, v: Value, position: number): Value[] {
  if (!Array.isArray(v)) throw operandTypeError(name, position, ['array'], typeName(v));
  return v;
}

export function setOperand(name: string, v: Value, position: number): SetValue {
  if (!(v instanceof SetValue)) throw operandTypeError(name, position, ['set'], typeName(v));
  return v;
}

export function objectOperand(name: string, v: Value, position: number): ObjectValue {
  if (!(v instanceof ObjectValue)) throw operandTypeError(name, position, ['object'], typeName(v));
  return v;
}

/** Members of an array, or of a set in sort order (OPA iterates sets sorted). */
export function members(v: Value[] | SetValue): Value[] {
  return Array.isArray(v) ? v : v.sorted();
}

/** OPA's StringSliceOperand: an array or set whose members are all strings. */
export function stringsOperand(name: string, v: Value, position: number): string[] {
  if (!Array.isArray(v) && !(v instanceof SetValue)) throw operandTypeError(name, position, ['array', 'set'], typeName(v));
  return members(v).map((x) => {
    if (typeof x !== 'string') throw elementError(name, position, v, x, ['string']);
    return x;
  });
}

/** Code points of a string (Go iterates strings by rune). */
export const runes = (s: string): string[] => Array.from(s);
