/** A tiny builtin registry so the interpreter's tests do not depend on the builtin families. */
import { BuiltinError, type Builtin, type BuiltinRegistry } from '../../src/rego/builtins/types.ts';
import { compare, equal, ObjectValue, SetValue, typeName, type Value } from '../../src/rego/value.ts';

const num = (name: string, v: Value, pos: number): number => {
  if (typeof v !== 'number') throw new BuiltinError('eval_type_error', `${name}: operand ${pos} must be number but got ${typeName(v)}`);
  return v;
};

const arith = (name: string, f: (a: number, b: number) => number): Builtin => ({
  name,
  arity: 2,
  call: ([a, b]) => f(num(name, a!, 1), num(name, b!, 2)),
});

const cmp = (name: string, f: (c: number) => boolean): Builtin => ({ name, arity: 2, call: ([a, b]) => f(compare(a!, b!)) });

const list: Builtin[] = [
  {
    name: 'plus',
    arity: 2,
    call: ([a, b]) => num('plus', a!, 1) + num('plus', b!, 2),
  },
  {
    name: 'minus',
    arity: 2,
    call: ([a, b]) => {
      if (a instanceof SetValue && b instanceof SetValue) return new SetValue(a.values().filter((x) => !b.has(x)));
      return num('minus', a!, 1) - num('minus', b!, 2);
    },
  },
  arith('mul', (a, b) => a * b),
  {
    name: 'div',
    arity: 2,
    call: ([a, b]) => {
      if (num('div', b!, 2) === 0) throw new BuiltinError('eval_builtin_error', 'div: divide by zero');
      return num('div', a!, 1) / (b as number);
    },
  },
  arith('rem', (a, b) => a % b),
  { name: 'equal', arity: 2, call: ([a, b]) => equal(a!, b!) },
  { name: 'neq', arity: 2, call: ([a, b]) => !equal(a!, b!) },
  cmp('lt', (c) => c < 0),
  cmp('lte', (c) => c <= 0),
  cmp('gt', (c) => c > 0),
  cmp('gte', (c) => c >= 0),
  { name: 'or', arity: 2, call: ([a, b]) => new SetValue([...(a as SetValue).values(), ...(b as SetValue).values()]) },
  { name: 'and', arity: 2, call: ([a, b]) => new SetValue((a as SetValue).values().filter((x) => (b as SetValue).has(x))) },
  {
    name: 'count',
    arity: 1,
    call: ([v]) => {
      if (typeof v === 'string') return [...v].length;
      if (Array.isArray(v)) return v.length;
      if (v instanceof SetValue || v instanceof ObjectValue) return v.size;
      throw new BuiltinError('eval_type_error', `count: operand 1 must be one of {array, object, set, string} but got ${typeName(v!)}`);
    },
  },
  {
    name: 'sum',
    arity: 1,
    call: ([v]) => (Array.isArray(v) ? v : (v as SetValue).values()).reduce((s: number, x) => s + (x as number), 0),
  },
  { name: 'upper', arity: 1, call: ([s]) => String(s).toUpperCase() },
  { name: 'time.now_ns', arity: 0, call: () => 42 },
  {
    name: 'print',
    arity: 'variadic',
    call: (args, ctx) => {
      ctx.print(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      return true;
    },
  },
];

export const TEST_BUILTINS: BuiltinRegistry = new Map(list.map((b) => [b.name, b]));
