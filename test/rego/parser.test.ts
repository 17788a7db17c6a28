import { describe, expect, it } from 'vitest';
import { parseModule, parseQuery, parseTermText } from '../../src/rego/parser.ts';

describe('parser', () => {
  it('parses package, imports and rule kinds with locations', () => {
    const m = parseModule(
      [
        'package a.b',
        'import rego.v1',
        'import data.x.y as z',
        '',
        'default allow := false',
        'allow if input.ok',
        'deny contains msg if {',
        '  msg := "no"',
        '}',
        'o[k] := 1 if k := "a"',
        'f(x) := x + 1',
        'a.b.c[x] := y if { x := 1; y := 2 }',
      ].join('\n'),
      'p.rego',
    );
    expect(m.packagePath).toEqual(['a', 'b']);
    expect(m.imports.map((i) => i.alias)).toEqual([null, 'z']);
    expect(m.rules.map((r) => r.kind)).toEqual(['complete', 'complete', 'multi', 'partial', 'function', 'partial']);
    expect(m.rules[0]!.isDefault).toBe(true);
    expect(m.rules[2]!.loc).toEqual({ file: 'p.rego', row: 7, col: 1 });
    expect(m.rules[2]!.body[0]!.loc).toEqual({ file: 'p.rego', row: 8, col: 3 });
  });

  it('parses else chains', () => {
    const m = parseModule('package p\nx := 1 if { false } else := 2 if { false } else := 3', 'p.rego');
    expect(m.rules).toHaveLength(1);
    expect(m.rules[0]!.elses.map((e) => e.value)).toMatchObject([{ value: 2 }, { value: 3 }]);
  });

  it('gives operators OPA precedence', () => {
    const t = parseTermText('1 + 2 * 3 == 7');
    expect(t).toMatchObject({ type: 'call', op: ['equal'], args: [{ op: ['plus'], args: [{ value: 1 }, { op: ['mul'] }] }, { value: 7 }] });
    expect(parseTermText('a | b & c')).toMatchObject({ op: ['or'], args: [{}, { op: ['and'] }] });
  });

  it('parses membership, some and every', () => {
    const body = parseQuery('some k, v in xs\nx in xs\nk, v in xs\nevery x in xs { x > 0 }');
    expect(body.map((e) => e.kind)).toEqual(['somein', 'term', 'term', 'every']);
    expect(body[1]).toMatchObject({ term: { op: ['internal', 'member_2'] } });
    expect(body[2]).toMatchObject({ term: { op: ['internal', 'member_3'] } });
  });

  it('parses comprehensions, set(), negative numbers and refs with brackets', () => {
    expect(parseTermText('[x | x := xs[_]]')).toMatchObject({ type: 'arraycompr' });
    expect(parseTermText('{k: v | some k, v in o}')).toMatchObject({ type: 'objectcompr' });
    expect(parseTermText('{x | x := 1}')).toMatchObject({ type: 'setcompr' });
    expect(parseTermText('set()')).toMatchObject({ type: 'set', items: [] });
    expect(parseTermText('-1.5')).toMatchObject({ type: 'scalar', value: -1.5 });
    expect(parseTermText('a.b["c"][x]')).toMatchObject({ type: 'ref', path: [{ value: 'b' }, { value: 'c' }, { type: 'var', name: 'x' }] });
  });

  it('parses with modifiers, not, and multi-line expressions inside brackets', () => {
    const body = parseQuery('not p with input.x as 1 with data.y as {\n  "a": [1,\n    2],\n}');
    expect(body).toHaveLength(1);
    expect(body[0]!.negated).toBe(true);
    expect(body[0]!.with).toHaveLength(2);
  });

  it('separates expressions by newlines and semicolons', () => {
    expect(parseQuery('a = 1; b = 2\nc = 3')).toHaveLength(3);
  });

  it('reports syntax errors with file:row', () => {
    expect(() => parseModule('package p\n\np := [1, 2', 'e.rego')).toThrow(/^e.rego:3: rego_parse_error/);
    expect(() => parseModule('package p\np {\n true\n}', 'e.rego')).toThrow(/e.rego:2: rego_parse_error: `if` keyword is required before rule body/);
  });
});
