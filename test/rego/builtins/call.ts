/** Test helper: call a registered builtin and describe the outcome as plain JSON. */
import { BUILTINS } from '../../../src/rego/builtins/index.ts';
import { BuiltinError, builtinContext, type BuiltinContext } from '../../../src/rego/builtins/types.ts';
import { toJSON, type Value } from '../../../src/rego/value.ts';

export type Outcome = { value: unknown } | { undefined: true } | { error: string; message: string };

export function call(name: string, args: Value[], printed: string[] = [], ctx: Partial<BuiltinContext> = {}): Outcome {
  const b = BUILTINS.get(name);
  if (!b) throw new Error(`no builtin ${name}`);
  try {
    const v = b.call(args, builtinContext({ ...ctx, print: (line) => printed.push(line) }));
    return v === undefined ? { undefined: true } : { value: toJSON(v) };
  } catch (e) {
    if (e instanceof BuiltinError) return { error: e.code, message: e.message };
    throw e;
  }
}

export const ok = (value: unknown): Outcome => ({ value });
export const typeErr = (message: string): Outcome => ({ error: 'eval_type_error', message });
export const builtinErr = (message: string): Outcome => ({ error: 'eval_builtin_error', message });
export const undef: Outcome = { undefined: true };
