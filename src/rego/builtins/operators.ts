/**
 * Infix operators: arithmetic (+ - * / %), comparison (== != < <= > >=) and
 * set union/intersection (| &), under OPA's builtin names. The arithmetic
 * itself is exact (decimal.ts).
 */
import { compare, equal, isNumber, SetValue, typeName, type Value } from '../value.ts';
import { addNumbers, divideNumbers, isInteger, multiplyNumbers, remainder, subtractNumbers, type Num } from '../decimal.ts';
import { builtinError, numberOperand, setOperand } from './operands.ts';
import { operandTypeError, type Builtin } from './types.ts';

export { addNumbers, multiplyNumbers } from '../decimal.ts';

function arithmetic(name: string, op: (x: Num, y: Num) => Num): Builtin {
  return {
    name,
    arity: 2,
    call: ([a, b]) => op(numberOperand(name, a!, 1), numberOperand(name, b!, 2)),
  };
}

const minus: Builtin = {
  name: 'minus',
  arity: 2,
  call([a, b]) {
    if (isNumber(a) && isNumber(b)) return subtractNumbers(a, b);
    if (a instanceof SetValue && b instanceof SetValue) return new SetValue(a.values().filter((x) => !b.has(x)));
    if (!isNumber(a) && !(a instanceof SetValue)) throw operandTypeError('minus', 1, ['number', 'set'], typeName(a!));
    // OPA's order: a number on the right asks for a set, anything else for a number.
    throw operandTypeError('minus', 2, [isNumber(b) ? 'set' : 'number'], typeName(b!));
  },
};

const rem: Builtin = {
  name: 'rem',
  arity: 2,
  call([a, b]) {
    const x = numberOperand('rem', a!, 1);
    const y = numberOperand('rem', b!, 2);
    if (!isInteger(x) || !isInteger(y)) throw builtinError('rem', 'modulo on floating-point number');
    if (y === 0) throw builtinError('rem', 'modulo by zero');
    return remainder(x, y);
  },
};

const div: Builtin = {
  name: 'div',
  arity: 2,
  call([a, b]) {
    const x = numberOperand('div', a!, 1);
    const y = numberOperand('div', b!, 2);
    if (y === 0) throw builtinError('div', 'divide by zero');
    return divideNumbers(x, y);
  },
};

function comparison(name: string, test: (a: Value, b: Value) => boolean): Builtin {
  return { name, arity: 2, call: ([a, b]) => test(a!, b!) };
}

export const OPERATORS: Builtin[] = [
  arithmetic('plus', addNumbers),
  minus,
  arithmetic('mul', multiplyNumbers),
  div,
  rem,
  comparison('equal', (a, b) => equal(a, b)),
  comparison('neq', (a, b) => !equal(a, b)),
  comparison('lt', (a, b) => compare(a, b) < 0),
  comparison('lte', (a, b) => compare(a, b) <= 0),
  comparison('gt', (a, b) => compare(a, b) > 0),
  comparison('gte', (a, b) => compare(a, b) >= 0),
  {
    name: 'or',
    arity: 2,
    call([a, b]) {
      const x = setOperand('or', a!, 1);
      const y = setOperand('or', b!, 2);
      return new SetValue([...x, ...y]);
    },
  },
  {
    name: 'and',
    arity: 2,
    call([a, b]) {
      const x = setOperand('and', a!, 1);
      const y = setOperand('and', b!, 2);
      return new SetValue(x.values().filter((v) => y.has(v)));
    },
  },
];
