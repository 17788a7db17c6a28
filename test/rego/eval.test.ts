import { describe, expect, it } from 'vitest';
import { compileModules, evalQuery, evalRule } from '../../src/rego/index.ts';
import { fromJSON, toJSON } from '../../src/rego/value.ts';
import { query, value } from './helpers.ts';
import { TEST_BUILTINS } from './registry.ts';

const P = 'package t\n';

describe('evaluator', () => {
  it('complete rules with := and =, and if bodies', () => {
    expect(value(`${P}p := 1\nq = 2\nr if { p == 1 }`, 'x := [data.t.p, data.t.q, data.t.r]')).toEqual([1, 2, true]);
  });

  it('undefined versus false', () => {
    expect(query(`${P}p if false`, 'data.t.p').results).toEqual([]);
    expect(query(`${P}p := false`, 'data.t.p').results).toEqual([]);
    expect(query(`${P}p := false`, 'data.t.p = x').results).toEqual([{ x: false }]);
    expect(query(`${P}p := 1`, 'data.t.p').results).toEqual([{}]);
  });

  it('default rules', () => {
    expect(value(`${P}default p := "no"\np := "yes" if input.ok`, 'x := data.t.p', { input: fromJSON({ ok: false }) })).toBe('no');
    expect(value(`${P}default p := "no"\np := "yes" if input.ok`, 'x := data.t.p', { input: fromJSON({ ok: true }) })).toBe('yes');
  });

  it('partial sets and partial objects', () => {
    expect(value(`${P}s contains x if { some x in [3, 1, 3] }`, 'x := data.t.s')).toEqual([1, 3]);
    expect(value(`${P}o[k] := v if { some k, v in {"a": 1, "b": 2} }`, 'x := data.t.o')).toEqual({ a: 1, b: 2 });
  });

  it('ref heads', () => {
    expect(value(`${P}a.b.c[x] := 1 if { some x in ["u", "v"] }\na.b.d := 2`, 'x := data.t.a')).toEqual({ b: { c: { u: 1, v: 1 }, d: 2 } });
    expect(value(`${P}a.b contains x if { some x in [1] }`, 'x := data.t.a.b')).toEqual([1]);
  });

  it('else chains', () => {
    const src = `${P}p := 1 if { input.x == 1 } else := 2 if { input.x == 2 } else := 3`;
    expect([1, 2, 9].map((n) => value(src, 'x := data.t.p', { input: fromJSON({ x: n }) }))).toEqual([1, 2, 3]);
  });

  it('functions: several bodies, boolean functions, patterns in parameters', () => {
    const src = `${P}f(x) := "neg" if x < 0\nf(x) := "pos" if x > 0\ng(x) if x == 2\nh([a, b]) := a + b`;
    expect(value(src, 'x := [f(-1), f(1)]'.replace(/f\(/g, 'data.t.f('))).toEqual(['neg', 'pos']);
    expect(query(src, 'data.t.g(2)').results).toEqual([{}]);
    expect(query(src, 'data.t.g(3)').results).toEqual([]);
    expect(value(src, 'x := data.t.h([1, 2])')).toBe(3);
  });

  it('bodies separated by ; and newlines, with arithmetic and comparisons', () => {
    expect(
      value(`${P}p := y if { a := 7; b := 2\n  y := [a + b, a - b, a * b, a / b, a % b, a > b, a >= b, a < b, a <= b, a != b] }`, 'x := data.t.p'),
    ).toEqual([9, 5, 14, 3.5, 1, true, true, false, false, true]);
  });

  it('unification, including composites', () => {
    expect(query('package t', '[x, 1] = [2, y]').results).toEqual([{ x: 2, y: 1 }]);
    expect(query('package t', '{"a": x} = {"a": 3}').results).toEqual([{ x: 3 }]);
    expect(query('package t', '[x, 1] = [2, 3]').results).toEqual([]);
  });

  it('set operations', () => {
    expect(value('package t', 'x := [{1, 2} | {3}, {1, 2} & {2}, {1, 2} - {1}]')).toEqual([[1, 2, 3], [2], [2]]);
  });

  it('in, not in, some ... in, and k, v in', () => {
    expect(value('package t', 'x := [1 in [1, 2], 3 in {1}, "a", 1 in {"a": 1}]'.replace('"a", 1 in', '"a", 1 in'))).toEqual([true, false, 'a', true]);
    expect(query('package t', 'not 3 in [1, 2]').results).toEqual([{}]);
    expect(query('package t', 'some k, v in ["a", "b"]').results).toEqual([
      { k: 0, v: 'a' },
      { k: 1, v: 'b' },
    ]);
    expect(query('package t', 'some x\nx = 1').results).toEqual([{ x: 1 }]);
  });

  it('every', () => {
    expect(query('package t', 'every x in [1, 2] { x > 0 }').results).toEqual([{}]);
    expect(query('package t', 'every k, v in {"a": 1} { k == "a"; v == 2 }').results).toEqual([]);
    expect(query('package t', 'every x in [] { x > 100 }').results).toEqual([{}]);
  });

  it('not', () => {
    expect(value(`${P}q contains 1\np if { not q[2] }`, 'x := data.t.p')).toBe(true);
  });

  it('comprehensions', () => {
    expect(value('package t', 'x := [[y | y := [1, 2][_]], {y | y := [1, 1][_]}, {k: v | some k, v in {"a": 1}}]')).toEqual([[1, 2], [1], { a: 1 }]);
  });

  it('refs with vars, _, dots and brackets; base documents', () => {
    const data = fromJSON({
      servers: [
        { name: 'a', ports: [80] },
        { name: 'b', ports: [443, 80] },
      ],
    });
    expect(query('package t', 'data.servers[i].ports[_] = 80; n := data.servers[i]["name"]', { data }).results).toEqual([
      { i: 0, n: 'a' },
      { i: 1, n: 'b' },
    ]);
  });

  it('literals: objects with any keys, sets, strings and numbers', () => {
    expect(value('package t', 'x := {1: "a", "s": {1, 2}, "r": `raw\\n`, "e": 1e2, "f": -0.5}')).toEqual({ '1': 'a', s: [1, 2], r: 'raw\\n', e: 100, f: -0.5 });
    expect(value('package t', 'x := count(set())')).toBe(0);
  });

  it('imports: data aliases and input', () => {
    const src = 'package t\nimport rego.v1\nimport data.lib.util as u\nimport input.user\np := [u.k, user]';
    const { compiled } = compileModules(
      [
        { file: 'a.rego', source: src },
        { file: 'b.rego', source: 'package lib.util\nk := 1' },
      ],
      { builtins: TEST_BUILTINS },
    );
    expect(toJSON(evalRule(compiled!, 'data.t.p', { input: fromJSON({ user: 'ann' }) })!)).toEqual([1, 'ann']);
  });

  it('with on input and data (base and virtual documents)', () => {
    const src = `${P}p := input.x\nv := 1\nq := data.t.v + data.cfg.n`;
    expect(value(src, 'x := data.t.p with input.x as 5')).toBe(5);
    expect(value(src, 'x := data.t.q with data.t.v as 10 with data.cfg.n as 1')).toBe(11);
    expect(value(src, 'x := data.t.p with input as {"x": 2}')).toBe(2);
  });

  it('with on functions and builtins', () => {
    const src = `${P}f(x) := x + 1\nmock(x) := x * 100\nmcount(_) := 200\np := f(1)\nc := count([1, 2])\nn := time.now_ns()`;
    expect(value(src, 'x := data.t.p with data.t.f as data.t.mock')).toBe(100);
    expect(value(src, 'x := data.t.c with count as data.t.mcount')).toBe(200);
    expect(value(src, 'x := data.t.c with count as 7')).toBe(7);
    expect(value(src, 'x := data.t.n with time.now_ns as 5')).toBe(5);
    expect(value(src, 'x := data.t.c')).toBe(2);
  });

  it('conflict errors', () => {
    expect(query(`${P}p := 1\np := 2`, 'data.t.p').error).toMatchObject({ code: 'eval_conflict_error', text: 'rule data.t.p produced conflicting values' });
    expect(query(`${P}f(x) := 1\nf(x) := 2`, 'data.t.f(1)').error).toMatchObject({
      code: 'eval_conflict_error',
      text: 'function data.t.f produced conflicting values for the same inputs',
    });
    expect(query(`${P}o[k] := v if { some v in [1, 2]; k := "a" }`, 'data.t.o').error).toMatchObject({
      code: 'eval_conflict_error',
      text: 'object keys must be unique',
    });
  });

  it('builtin errors: undefined by default, errors when strict', () => {
    const src = `${P}p := 1 / 0\nq := count(1)`;
    expect(query(src, 'data.t.p = x').results).toEqual([]);
    expect(query(src, 'data.t.p = x', { strictBuiltinErrors: true }).error?.message).toBe('m.rego:2: eval_builtin_error: div: divide by zero');
    expect(query(src, 'data.t.q = x', { strictBuiltinErrors: true }).error).toMatchObject({ code: 'eval_type_error', location: { row: 3 } });
  });

  it('print output, with <undefined> for undefined operands', () => {
    const lines: string[] = [];
    query(`${P}p if { print("v:", input.missing, 1) }`, 'data.t.p', { print: (l) => lines.push(l) });
    expect(lines).toEqual(['v: <undefined> 1']);
  });

  it('query results: one binding map per solution, [{}] for a defined ref', () => {
    expect(query(`${P}s contains x if { some x in [1, 2] }`, 'data.t.s[x]').results).toEqual([{ x: 1 }, { x: 2 }]);
    const { compiled } = compileModules([{ file: 'a.rego', source: `${P}p := 1` }], { builtins: TEST_BUILTINS });
    expect(evalQuery(compiled!, 'data.t.p').results).toEqual([{}]);
  });

  it('package extent: a whole package as an object, functions left out', () => {
    expect(value(`${P}a := 1\nf(x) := x\nb contains 2\nc if false`, 'x := data.t')).toEqual({ a: 1, b: [2] });
  });

  it('evaluates a partial set once per query, however often it is read', () => {
    let calls = 0;
    const builtins = new Map(TEST_BUILTINS);
    builtins.set('upper', { name: 'upper', arity: 1, call: ([s]) => (calls++, String(s).toUpperCase()) });
    const src = `${P}s contains upper(x) if { some x in ["a", "b"] }\np if { some i in numbers.range(1, 50); s["A"] }`;
    builtins.set('numbers.range', { name: 'numbers.range', arity: 2, call: () => Array.from({ length: 50 }, (_, i) => i) });
    const { compiled } = compileModules([{ file: 'a.rego', source: src }], { builtins });
    expect(evalRule(compiled!, 'data.t.p')).toBe(true);
    expect(calls).toBe(2);
  });
});
