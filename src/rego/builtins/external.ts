/**
 * Builtins that reach outside the evaluation (HTTP, JWT verification).
 * Switchyard's risk rules must stay pure, so these only exist so that
 * policies may name them, chiefly to replace them with `with ... as` in
 * tests; called for real they fail with a builtin error.
 */
import { builtinError } from './operands.ts';
import type { Builtin } from './types.ts';

function unavailable(name: string, arity: number): Builtin {
  return {
    name,
    arity,
    call() {
      throw builtinError(name, 'not available in this evaluator; replace it with `with` in tests');
    },
  };
}

export const EXTERNAL: Builtin[] = [unavailable('http.send', 1)];
