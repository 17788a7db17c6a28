/**
 * is_number, is_string, ... and type_name. (OPA's type.go; the file is not
 * called types.ts because that name holds the builtin contract.)
 */
import { typeName, type TypeName } from '../value.ts';
import type { Builtin } from './types.ts';

function is(name: string, t: TypeName): Builtin {
  return { name, arity: 1, call: ([v]) => typeName(v!) === t };
}

export const TYPECHECKS: Builtin[] = [
  is('is_number', 'number'),
  is('is_string', 'string'),
  is('is_boolean', 'boolean'),
  is('is_array', 'array'),
  is('is_set', 'set'),
  is('is_object', 'object'),
  is('is_null', 'null'),
  { name: 'type_name', arity: 1, call: ([v]) => typeName(v!) },
];
