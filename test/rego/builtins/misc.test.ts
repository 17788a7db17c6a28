import { describe, expect, it } from 'vitest';
import { BUILTINS, RELATIONS } from '../../../src/rego/builtins/index.ts';
import { builtinContext } from '../../../src/rego/builtins/types.ts';
import { fromJSON, SetValue } from '../../../src/rego/value.ts';
import { builtinErr, call, ok } from './call.ts';

describe('walk', () => {
  it('yields every [path, value], the root first, keys in order', () => {
    expect(call('walk', [fromJSON({ b: [1], a: 2 })])).toEqual(
      ok([
        [[], { a: 2, b: [1] }],
        [['a'], 2],
        [['b'], [1]],
        [['b', 0], 1],
      ]),
    );
  });

  it('walks a scalar as itself', () => {
    expect(call('walk', [1])).toEqual(ok([[[], 1]]));
  });

  it('uses set members as path keys', () => {
    expect(call('walk', [new SetValue(['x'])])).toEqual(
      ok([
        [[], ['x']],
        [['x'], 'x'],
      ]),
    );
  });

  it('is a relation', () => {
    expect(RELATIONS.has('walk')).toBe(true);
  });
});

describe('print', () => {
  it('writes strings bare and other values as Rego text', () => {
    const lines: string[] = [];
    expect(call('print', ['hello', 1, fromJSON({ a: ['x'] }), new SetValue(), null], lines)).toEqual(ok(true));
    expect(lines).toEqual(['hello 1 {"a": ["x"]} set() null']);
  });

  it('is variadic', () => {
    expect(BUILTINS.get('print')!.arity).toBe('variadic');
  });
});

describe('time and units', () => {
  it('time.now_ns reads the query clock', () => {
    const b = BUILTINS.get('time.now_ns')!;
    expect(b.call([], builtinContext({ nowNs: 42n }))).toBe(42);
    const now = b.call([], builtinContext()) as bigint;
    expect(typeof now).toBe('bigint');
    const drift = now - BigInt(Date.now()) * 1_000_000n;
    expect(drift < 60_000_000_000n && drift > -60_000_000_000n).toBe(true);
  });

  it.each([
    ['1KB', 1000],
    ['1kib', 1024],
    ['"10Mi"', 10 * 1024 * 1024],
    ['1.5GB', 1.5e9],
    ['1e3', 1000],
    ['4.35kb', 4350],
    ['12', 12],
  ])('units.parse_bytes(%j) = %d', (s, n) => {
    expect(call('units.parse_bytes', [s])).toEqual(ok(n));
  });

  it.each([
    ['foo', 'no byte amount provided'],
    ['1 KB', 'spaces not allowed in resource strings'],
    ['5ZB', 'byte unit zb not recognized'],
    ['1.2.3kb', 'could not parse byte amount to a number'],
  ])('units.parse_bytes(%j) fails: %s', (s, why) => {
    expect(call('units.parse_bytes', [s])).toEqual(builtinErr(`units.parse_bytes: units.parse_bytes: ${why}`));
  });
});

describe('registry', () => {
  it('names every builtin after itself', () => {
    for (const [name, b] of BUILTINS) expect(b.name).toBe(name);
  });

  it.each([
    ['plus', 2],
    ['count', 1],
    ['object.get', 3],
    ['array.slice', 3],
    ['sprintf', 2],
    ['walk', 1],
    ['time.now_ns', 0],
    ['internal.member_3', 3],
    ['http.send', 1],
  ])('%s takes %d operands', (name, arity) => {
    expect(BUILTINS.get(name)?.arity).toBe(arity);
  });

  it('refuses the network builtins unless the query has the network capability', () => {
    expect(call('http.send', [fromJSON({ method: 'get', url: 'http://127.0.0.1:1/' })])).toMatchObject({
      error: 'eval_builtin_error',
      message: expect.stringMatching(/^http\.send: network access is not enabled/),
    });
    expect(call('net.lookup_ip_addr', ['localhost'])).toMatchObject({ message: expect.stringMatching(/network access is not enabled/) });
    expect(call('net.lookup_ip_addr', ['10.0.0.1'])).toEqual({ value: ['10.0.0.1'] });
  });
});
