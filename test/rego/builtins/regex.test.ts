import { describe, expect, it } from 'vitest';
import type { Value } from '../../../src/rego/value.ts';
import { call, ok, typeErr, type Outcome } from './call.ts';

const matches: Array<[string, string, boolean]> = [
  ['^[a-z]+\\[[0-9]+\\]$', 'foo[1]', true],
  ['^$', '', true],
  ['', 'x', true],
  ['^$', 'something', false],
  ['(?i)^ABC$', 'abc', true],
  ['(?i:A)b', 'ab', true],
  ['(?s)a.b', 'a\nb', true],
  ['a.b', 'a\nb', false],
  ['(?m)^b$', 'a\nb\nc', true],
  ['^b$', 'a\nb\nc', false],
  ['\\Aab\\z', 'ab', true],
  ['\\Aab\\z', 'ab\n', false],
  ['(?P<year>\\d{4})-\\d{2}', '2024-05', true],
  ['[[:alpha:]]+[[:digit:]]', 'ab1', true],
  ['[[:upper:]]', 'abc', false],
  ['\\pL+', 'héllo', true],
  ['\\p{Greek}', 'α', true],
  ['^\\x{1F600}$', '😀', true],
  ['^.$', '😀', true],
  ['a{2,3}', 'caab', true],
  ['a{,3}', 'a{,3}', true], // not a repeat in RE2: literal braces
  ['x]', 'x]', true],
  ['\\s', '\u00a0', false], // RE2's \s is ASCII only
  ['[\\s]', '\t', true],
  ['\\Q.*\\E', 'a.*b', true],
  ['\\Q.*\\E', 'ab', false],
  ['\\!\\#', '!#', true],
  ['^sk-[A-Za-z0-9_-]{16,}', 'sk-abcdefghijklmnop1', true],
  ['^[a-z][a-z0-9+.-]*://[^/\\s:@]+:[^/\\s@]+@', 'https://user:pw@host', true],
  ['^[a-z][a-z0-9+.-]*://[^/\\s:@]+:[^/\\s@]+@', 'https://host/path', false],
  ['-----BEGIN [A-Z ]*PRIVATE KEY-----', '-----BEGIN RSA PRIVATE KEY-----', true],
];

const invalid = ['$^[[[', '(?=a)', '(?<!a)b', '(a', 'a)', '\\1', '*a', 'a**', '\\e', 'a{1001}', '[z-a]', '\\p{Nope}'];

describe('regex.match', () => {
  it.each(matches)('%j matches %j: %s', (pattern, s, want) => {
    expect(call('regex.match', [pattern, s])).toEqual(ok(want));
  });

  it.each(invalid)('rejects %j as RE2 does', (pattern) => {
    const got = call('regex.match', [pattern, 'x']);
    expect(got).toMatchObject({ error: 'eval_builtin_error' });
    expect((got as { message: string }).message).toMatch(/^regex\.match: error parsing regexp: /);
    expect(call('regex.is_valid', [pattern])).toEqual(ok(false));
  });

  it('checks operand types', () => {
    expect(call('regex.match', [1, 'x'])).toEqual(typeErr('regex.match: operand 1 must be string but got number'));
    expect(call('regex.is_valid', [1])).toEqual(ok(false));
    expect(call('regex.is_valid', ['^a+$'])).toEqual(ok(true));
  });
});

const others: Array<[string, Value[], Outcome]> = [
  ['regex.split', ['a', 'banana'], ok(['b', 'n', 'n', ''])],
  ['regex.split', [',\\s*', 'a, b,c'], ok(['a', 'b', 'c'])],
  ['regex.find_n', ['a.', 'banana', -1], ok(['an', 'an'])],
  ['regex.find_n', ['a.', 'banana', 1], ok(['an'])],
  [
    'regex.find_all_string_submatch_n',
    ['a(x*)b', '-ab-axxb-', -1],
    ok([
      ['ab', ''],
      ['axxb', 'xx'],
    ]),
  ],
  ['regex.replace', ['abc-def', '([a-z]+)-([a-z]+)', '${2}_$1'], ok('def_abc')],
  ['regex.replace', ['abc-def', '([a-z]+)-([a-z]+)', '$2_${1}x'], ok('abcx')], // as in Go, $2_ names a group "2_"
  ['regex.replace', ['k=v', '(?P<key>\\w+)=(?P<val>\\w+)', '$val=$key'], ok('v=k')],
  ['regex.replace', ['aaa', 'a', '$$'], ok('$$$')],
];

describe('other regex builtins', () => {
  it.each(others)('%s(%j)', (name, args, want) => {
    expect(call(name, args)).toEqual(want);
  });
});
