/**
 * print and trace. print: Operands are written space-separated on one line: strings as they
 * are, anything else as Rego text. An undefined operand prints as
 * `<undefined>`; the evaluator substitutes that, since a builtin never sees
 * undefined values.
 */
import { stringOperand } from './operands.ts';
import { regoText } from './text.ts';
import type { Builtin } from './types.ts';
import type { Value } from '../value.ts';

const printText = (v: Value): string => (typeof v === 'string' ? v : regoText(v));

export const PRINT: Builtin[] = [
  {
    // A note for the evaluation's trace (what `opa eval --explain notes` shows); always true.
    name: 'trace',
    arity: 1,
    call([note], ctx) {
      ctx.trace(stringOperand('trace', note!, 1));
      return true;
    },
  },
  {
    name: 'print',
    arity: 'variadic',
    call(args, ctx) {
      ctx.print(args.map(printText).join(' '));
      return true;
    },
  },
];
