import { describe, expect, it } from 'vitest';
import { compileModules, evalQuery } from '../../src/rego/index.ts';
import { addNumbers, divideNumbers, multiplyNumbers, numberText, parseNumberText, subtractNumbers } from '../../src/rego/decimal.ts';
import { canonicalKey, compare, normalizeNumber } from '../../src/rego/value.ts';
import { regoText } from '../../src/rego/builtins/text.ts';

function run(query: string): string[] {
  const { compiled } = compileModules([]);
  const { results, error } = evalQuery(compiled!, query);
  if (error) throw new Error(error.message);
  return results.map((r) => regoText(r.x!));
}

describe('exact numbers', () => {
  it('keeps integers beyond 2^53 exact through arithmetic and printing', () => {
    expect(run('x := 9007199254740993 + 2')).toEqual(['9007199254740995']);
    expect(run('x := 123456789123456789123 * 1000000007')).toEqual(['123456789987654312987197523861']);
    expect(run('x := 28857836529306024611913 - 28857836529306024611912')).toEqual(['1']);
    expect(run('x := 100000000000000000000000 / 1000')).toEqual(['100000000000000000000']);
    expect(run('x := 100000000000000000001 % 7')).toEqual([String(100000000000000000001n % 7n)]);
    expect(run('x := sprintf("%d", [18446744073709551617])')).toEqual(['"18446744073709551617"']);
    expect(run('x := json.marshal([12345678901234567890123])')).toEqual(['"[12345678901234567890123]"']);
  });

  it('keeps large integers exact through json.unmarshal', () => {
    expect(run('x := json.unmarshal(`{"serial": 1208925819614629174706175, "n": [1.5, -2, "a\\"b"]}`).serial + 1')).toEqual(['1208925819614629174706176']);
    expect(run('x := json.unmarshal(`[1e400]`)[0] > 1e399')).toEqual(['true']);
    expect(run('x := json.unmarshal(`{"a": 10000000000000000000000}`)')).toEqual(['{"a": 10000000000000000000000}']);
    const { compiled } = compileModules([]);
    expect(evalQuery(compiled!, 'x := json.unmarshal(`[12345678901234567890,]`)', { strictBuiltinErrors: true }).error?.message).toMatch(/json\.unmarshal: /);
  });

  it('parses 1e1000-style literals as exact integers', () => {
    expect(run('x := 1e1000 > 1e999')).toEqual(['true']);
    expect(run('x := format_int(1e30, 10)')).toEqual(['"1000000000000000000000000000000"']);
    expect(parseNumberText('1.5e3')).toBe(1500);
    expect(parseNumberText('-2.5e20')).toBe(-250000000000000000000n);
    expect(parseNumberText('1e-3')).toBe(0.001);
    expect(parseNumberText('1e200000')).toBeUndefined();
    expect(parseNumberText('abc')).toBeUndefined();
  });

  it('has one representation per value', () => {
    expect(normalizeNumber(2n ** 10n)).toBe(1024);
    expect(normalizeNumber(2 ** 60)).toBe(2n ** 60n);
    expect(canonicalKey(normalizeNumber(2 ** 60))).toBe(canonicalKey(2n ** 60n));
    expect(compare(2n ** 60n, 1.5)).toBe(1);
    expect(compare(-(2n ** 60n), 1.5)).toBe(-1);
  });

  it('computes decimals exactly and rounds once', () => {
    expect(addNumbers(0.1, 0.2)).toBe(0.3);
    expect(subtractNumbers(0.3, 0.1)).toBe(0.2);
    expect(multiplyNumbers(1.1, 1.1)).toBe(1.21);
    expect(divideNumbers(1, 3)).toBe(1 / 3);
    expect(addNumbers(2n ** 70n, 0.5)).toBe(2n ** 70n);
    expect(numberText(-0)).toBe('0');
    expect(numberText(2n ** 64n)).toBe('18446744073709551616');
  });
});
