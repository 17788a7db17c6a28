import { describe, expect, it } from 'vitest';
import { listRules } from '../../src/rego/index.ts';
import { compile } from './helpers.ts';

/** The first error as `code at file:row:col`. */
function firstError(source: string): string {
  const { errors } = compile(source, 'c.rego');
  const e = errors[0];
  if (!e) return 'no error';
  return `${e.code}: ${e.text} at ${e.location?.file}:${e.location?.row}:${e.location?.col}`;
}

describe('compile checks', () => {
  it('reports unsafe variables where they are used', () => {
    expect(firstError('package t\np if {\n  x > 1\n}')).toBe('rego_unsafe_var_error: var x is unsafe at c.rego:3:3');
    expect(firstError('package t\np contains y if {\n  x := 1\n}')).toBe('rego_unsafe_var_error: var y is unsafe at c.rego:2:12');
    expect(firstError('package t\np if {\n  not q[x]\n}\nq contains 1')).toBe('rego_unsafe_var_error: var x is unsafe at c.rego:3:9');
  });

  it('reorders bodies so variables are bound before use', () => {
    expect(compile('package t\np if {\n  x > 1\n  x := 2\n}').errors).toEqual([]);
  });

  it('reports recursion between rules and functions', () => {
    expect(firstError('package t\np if q\nq if p')).toBe('rego_recursion_error: rule data.t.p is recursive: data.t.p -> data.t.q -> data.t.p at c.rego:2:1');
    expect(firstError('package t\nf(x) := f(x)')).toMatch(/^rego_recursion_error: function data.t.f is recursive.* at c.rego:2:1$/);
  });

  it('follows a variable key in a data ref only into the rules it can reach', () => {
    // data[k].q reaches data.t.q (itself reaching p): recursive; data[k].r reaches nothing that leads back.
    expect(firstError('package t\np := data[k].q if k := "t"\nq := p')).toMatch(/^rego_recursion_error: rule data.t.p is recursive/);
    expect(firstError('package t\np := data[k].r if k := "t"\nq := p')).toBe('no error');
  });

  it('lets a ref argument bind the var another argument reads, as OPA does', () => {
    expect(compile('package t\np := x if {\n  some x\n  x == input.xs[x]\n}').errors).toEqual([]);
  });

  it('checks arity of builtin and user function calls', () => {
    expect(firstError('package t\np if {\n  count([1], 2, 3)\n}')).toBe('rego_type_error: count: arity mismatch: have 3 arguments, want 1 at c.rego:3:3');
    expect(firstError('package t\nf(x) := x\np := f(1, 2, 3)')).toBe('rego_type_error: f: arity mismatch: have 3 arguments, want 1 at c.rego:3:6');
  });

  it('reports unknown functions', () => {
    expect(firstError('package t\np if nope(1)')).toBe('rego_type_error: undefined function nope at c.rego:2:6');
  });

  it('enforces rego.v1 keywords', () => {
    expect(firstError('package t\np {\n  true\n}')).toBe('rego_parse_error: `if` keyword is required before rule body at c.rego:2:3');
    expect(firstError('package t\np[x] {\n  x := 1\n}')).toBe('rego_parse_error: `if` keyword is required before rule body at c.rego:2:6');
  });

  it('rejects := redeclaration in one body', () => {
    expect(firstError('package t\np if {\n  x := 1\n  x := 2\n}')).toBe('rego_compile_error: var x assigned above at c.rego:4:3');
  });

  it('rejects conflicting rule kinds and duplicate defaults', () => {
    expect(firstError('package t\np := 1\np contains 2')).toBe('rego_type_error: conflicting rules data.t.p found at c.rego:3:1');
    expect(firstError('package t\ndefault p := 1\ndefault p := 2')).toBe('rego_type_error: multiple default rules data.t.p found at c.rego:3:1');
  });

  it('formats messages like OPA', () => {
    const { errors } = compile('package t\np if x', 'c.rego');
    expect(errors[0]!.message).toBe('c.rego:2: rego_unsafe_var_error: var x is unsafe');
  });

  it('lists rules with their locations', () => {
    const { compiled } = compile('package t\ntest_a if true\n\nf(x) := x\ns contains 1', 'c.rego');
    expect(listRules(compiled!)).toEqual([
      { path: 'data.t.test_a', name: 'test_a', kind: 'complete', location: { file: 'c.rego', row: 2, col: 1 } },
      { path: 'data.t.f', name: 'f', kind: 'function', location: { file: 'c.rego', row: 4, col: 1 } },
      { path: 'data.t.s', name: 's', kind: 'multi', location: { file: 'c.rego', row: 5, col: 1 } },
    ]);
  });
});
