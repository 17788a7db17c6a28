import { compileModules, evalQuery, type EvalOptions } from '../../src/rego/index.ts';
import { toJSON } from '../../src/rego/value.ts';
import { TEST_BUILTINS } from './registry.ts';

export function compile(source: string, file = 'm.rego') {
  return compileModules([{ file, source }], { builtins: TEST_BUILTINS });
}

/** Compiles one module and runs a query; results as JSON (sets become sorted arrays). */
export function query(source: string, q: string, opts: EvalOptions = {}) {
  const { compiled, errors } = compile(source);
  if (!compiled) throw new Error(errors.map((e) => e.message).join('\n'));
  const { results, error } = evalQuery(compiled, q, opts);
  return { results: results.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, toJSON(v)]))), error };
}

/** The single value bound to `x` by `q`, or undefined. */
export function value(source: string, q: string, opts: EvalOptions = {}): unknown {
  const { results, error } = query(source, q, opts);
  if (error) throw new Error(error.message);
  return results[0]?.x;
}
