import { describe, expect, it } from 'vitest';
import { fromJSON, SetValue, type Value } from '../../../src/rego/value.ts';
import { builtinErr, call, ok, typeErr, type Outcome } from './call.ts';

const set = (...xs: Value[]) => new SetValue(xs);

const cases: Array<[string, Value[], Outcome]> = [
  ['concat', ['/', ['a', 'b']], ok('a/b')],
  ['concat', [', ', set('b', 'a')], ok('a, b')],
  ['concat', ['', []], ok('')],
  ['concat', ['/', ['a', 1]], typeErr('concat: operand 2 must be array of strings but got array containing number')],
  ['concat', ['/', 'ab'], typeErr('concat: operand 2 must be one of {set, array} but got string')],
  ['concat', [1, ['a']], typeErr('concat: operand 1 must be string but got number')],
  ['contains', ['abc', 'bc'], ok(true)],
  ['contains', ['abc', ''], ok(true)],
  ['startswith', ['abc', 'ab'], ok(true)],
  ['endswith', ['abc', 'ab'], ok(false)],
  ['lower', ['AbC'], ok('abc')],
  ['upper', ['äbc'], ok('ÄBC')],
  ['format_int', [255, 16], ok('ff')],
  ['format_int', [-5.9, 2], ok('-101')],
  ['format_int', [8, 8], ok('10')],
  ['format_int', [10, 3], typeErr('format_int: operand 2 must be one of {2, 8, 10, 16}')],
  ['indexof', ['abcdefgh', 'cde'], ok(2)],
  ['indexof', ['abc', 'x'], ok(-1)],
  ['indexof', ['aé😀b', 'b'], ok(3)],
  ['indexof', ['abc', ''], builtinErr('indexof: empty search character')],
  ['indexof_n', ['dog cat dog', 'dog'], ok([0, 8])],
  ['indexof_n', ['aaa', 'aa'], ok([0, 1])],
  ['replace', ['foo.bar.baz', '.', '/'], ok('foo/bar/baz')],
  ['replace', ['abc', '', '-'], ok('-a-b-c-')],
  ['strings.replace_n', [fromJSON({ a: '1', b: '2' }), 'abcab'], ok('12c12')],
  ['strings.replace_n', [fromJSON({ a: 1 }), 'a'], typeErr('strings.replace_n: operand 1 non-string value found in pattern object')],
  ['split', ['a.b.c', '.'], ok(['a', 'b', 'c'])],
  ['split', ['abc', '.'], ok(['abc'])],
  ['split', ['abc', ''], ok(['a', 'b', 'c'])],
  ['split', ['', '.'], ok([''])],
  ['strings.split_n', ['a.b.c.d', '.', 2], ok(['a', 'b'])],
  ['strings.split_n', ['a.b.c.d', '.', 10], ok(['a', 'b', 'c', 'd'])],
  ['strings.split_n', ['a.b.c.d', '.', 0], ok([])],
  ['strings.split_n', ['a.b.c.d', '.', -2], ok(['c', 'd'])],
  ['strings.split_n', ['a.b.c.d', '.', -10], ok(['a', 'b', 'c', 'd'])],
  ['strings.split_n', ['abc', '.', -2], ok(['abc'])],
  ['strings.split_n', ['', '.', 2], ok([''])],
  ['strings.split_n', ['abc', '', 2], ok(['a', 'b'])],
  ['strings.split_n', ['abc', '', -2], ok(['b', 'c'])],
  ['strings.split_n', ['a.b.c', '.', 1.5], typeErr('strings.split_n: operand 3 must be integer number but got floating-point number')],
  ['substring', ['abcdef', 1, 3], ok('bcd')],
  ['substring', ['abcdef', 2, -1], ok('cdef')],
  ['substring', ['abc', 5, 1], ok('')],
  ['substring', ['héllo', 1, 2], ok('él')],
  ['substring', ['abc', -1, 1], builtinErr('substring: negative offset')],
  ['trim', ['  ?hi?  ', ' ?'], ok('hi')],
  ['trim_left', ['xxhixx', 'x'], ok('hixx')],
  ['trim_right', ['xxhixx', 'x'], ok('xxhi')],
  ['trim_prefix', ['prefix-x', 'prefix-'], ok('x')],
  ['trim_suffix', ['x.rego', '.rego'], ok('x')],
  ['trim_space', ['\t hi \n'], ok('hi')],
  ['trim_space', ['\ufeffhi'], ok('\ufeffhi')], // Go does not count the BOM as space
  ['strings.reverse', ['aé😀'], ok('😀éa')],
  ['strings.count', ['cheese', 'e'], ok(3)],
  ['strings.count', ['five', ''], ok(5)],
  ['strings.any_prefix_match', ['a/b/c', 'a/'], ok(true)],
  ['strings.any_prefix_match', [['x', 'a/b'], set('q', 'a/')], ok(true)],
  ['strings.any_prefix_match', [[], 'a'], ok(false)],
  ['strings.any_prefix_match', ['abc', ''], ok(true)],
  ['strings.any_prefix_match', [[1, 2, 3], 'a'], typeErr('strings.any_prefix_match: operand 1 must be array of strings but got array containing number')],
  ['strings.any_prefix_match', [1, 'a'], typeErr('strings.any_prefix_match: operand 1 must be one of {string, set, array} but got number')],
  ['strings.any_prefix_match', ['a', 1], typeErr('strings.any_prefix_match: operand 2 must be one of {string, set, array} but got number')],
  ['strings.any_suffix_match', ['a/b/c', 'b/c'], ok(true)],
  ['strings.any_suffix_match', [set('a.rego', 'b.md'), ['.txt', '.md']], ok(true)],
  ['strings.any_suffix_match', ['a', ['x', 2]], typeErr('strings.any_suffix_match: operand 2 must be array of strings but got array containing number')],
];

describe('strings', () => {
  it.each(cases)('%s(%j)', (name, args, want) => {
    expect(call(name, args)).toEqual(want);
  });
});

const sprintfCases: Array<[string, Value[], string]> = [
  ['%s', ['x'], 'x'],
  ['%d', [42], '42'],
  ['%v', [42], '42'],
  ['%v', [1.5], '1.5'],
  ['%v', [1e-7], '1e-07'],
  ['%v', [1234567.5], '1.2345675e+06'],
  ['%v', [true], 'true'],
  ['%v', [null], 'null'],
  ['%v', [['a', 1]], '["a", 1]'],
  ['%v', [fromJSON({ b: 1, a: [true] })], '{"a": [true], "b": 1}'],
  ['%v', [new SetValue([2, 1])], '{1, 2}'],
  ['%v', [new SetValue()], 'set()'],
  ['%q', ['a"b'], '"a\\"b"'],
  ['%q', [['x']], '"[\\"x\\"]"'],
  ['%.2f', [3.14159], '3.14'],
  ['%.0f', [2.5], '2'], // Go rounds exact halves to even
  ['%.2f', [0.125], '0.12'],
  ['%f', [1.5], '1.500000'],
  ['%e', [123456.789], '1.234568e+05'],
  ['%g', [0.00001], '1e-05'],
  ['%.3g', [3.14159], '3.14'],
  ['%x', [255], 'ff'],
  ['%X', [255], 'FF'],
  ['%#x', [255], '0xff'],
  ['%o', [8], '10'],
  ['%b', [5], '101'],
  ['%x', ['hi'], '6869'],
  ['%c', [65], 'A'],
  ['%U', [65], 'U+0041'],
  ['%5d|%-5d|%05d', [7, 7, -42], '    7|7    |-0042'],
  ['%+d % d', [3, 3], '+3  3'],
  ['%8.3f|', [3.14159], '   3.142|'],
  ['%-4s|%4s', ['ab', 'cd'], 'ab  |  cd'],
  ['%.2s', ['héllo'], 'hé'],
  ['%d%%', [50], '50%'],
  ['%[2]s %[1]s', ['a', 'b'], 'b a'],
  ['%d', ['a'], '%!d(string=a)'],
  ['%s', [1], '%!s(int=1)'],
  ['%d', [1.5], '%!d(float64=1.5)'],
  ['%t', [true], '%!t(string=true)'], // OPA hands booleans over as their text
  ['%d %d', [1], '1 %!d(MISSING)'],
  ['%d', [1, 'x'], '1%!(EXTRA string=x)'],
  ['100%', [], '100%!(NOVERB)'],
  ['%T %T %T', [1, 1.5, 'a'], 'int float64 string'],
];

describe('sprintf', () => {
  it.each(sprintfCases)('sprintf(%j, %j)', (format, args, want) => {
    expect(call('sprintf', [format, args])).toEqual(ok(want));
  });

  it('checks its operands', () => {
    expect(call('sprintf', ['%d', 1])).toEqual(typeErr('sprintf: operand 2 must be array but got number'));
    expect(call('sprintf', [1, []])).toEqual(typeErr('sprintf: operand 1 must be string but got number'));
  });
});
