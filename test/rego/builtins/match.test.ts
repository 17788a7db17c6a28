/** glob.*, semver.*, regex.template_match / globs_match, graph.* and units.parse. */
import { describe, expect, it } from 'vitest';
import { fromJSON, SetValue } from '../../../src/rego/value.ts';
import { builtinErr, call, ok, typeErr } from './call.ts';

describe('glob', () => {
  it.each([
    ['*.github.com', null, 'api.github.com', true],
    ['*.github.com', [], 'api.github.com', true],
    ['*.github.com', [], 'a.b.github.com', false],
    ['**.github.com', [], 'a.b.github.com', true],
    ['gpt-4?', null, 'gpt-4o', true],
    ['gpt-[34]*', ['-'], 'gpt-3.5', true],
    ['gpt-[!34]*', ['-'], 'gpt-3.5', false],
    ['{claude,gpt}-*', ['/'], 'claude-3', true],
    ['{claude,gpt}-*', ['/'], 'llama-3', false],
    ['a\\*b', null, 'a*b', true],
    ['a\\*b', null, 'axb', false],
  ])('glob.match(%j, %j, %j) is %j', (pattern, delims, text, want) => {
    expect(call('glob.match', [pattern, fromJSON(delims), text])).toEqual(ok(want));
  });

  it('checks operands and quotes meta characters', () => {
    expect(call('glob.match', ['*', 'x', 'a'])).toEqual(typeErr('glob.match: operand 2 must be one of {array, null} but got string'));
    expect(call('glob.match', ['{a,b', null, 'a'])).toMatchObject({ error: 'eval_builtin_error' });
    expect(call('glob.quote_meta', ['*.a{b}[c]?\\'])).toEqual(ok('\\*.a\\{b\\}\\[c\\]\\?\\\\'));
  });
});

describe('semver', () => {
  it('orders versions as Semantic Versioning 2.0 says', () => {
    expect(call('semver.compare', ['1.0.0-alpha', '1.0.0-alpha.1'])).toEqual(ok(-1));
    expect(call('semver.compare', ['1.0.0-rc.1', '1.0.0'])).toEqual(ok(-1));
    expect(call('semver.compare', ['1.0.0-beta.11', '1.0.0-beta.2'])).toEqual(ok(1));
    expect(call('semver.compare', ['1.2.3+build.5', '1.2.3'])).toEqual(ok(0));
    expect(call('semver.compare', ['10.0.0', '9.9.9'])).toEqual(ok(1));
    expect(call('semver.compare', ['v1.0.0', '1.0.0'])).toEqual(builtinErr('semver.compare: operand 1: string "v1.0.0" is not a valid SemVer'));
    expect(call('semver.is_valid', ['1.2.3-rc.1+meta'])).toEqual(ok(true));
    expect(call('semver.is_valid', ['01.2.3'])).toEqual(ok(false));
    expect(call('semver.is_valid', [3])).toEqual(ok(false));
  });
});

describe('regex extras', () => {
  it('matches templates with expressions between delimiters', () => {
    expect(call('regex.template_match', ['urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}'])).toEqual(ok(true));
    expect(call('regex.template_match', ['urn:foo.bar.com:{.*}', 'urn:foo.com:bar:baz', '{', '}'])).toEqual(ok(false));
    expect(call('regex.template_match', ['urn:foo:<[0-9]{2}>', 'urn:foo:42', '<', '>'])).toEqual(ok(true));
    expect(call('regex.template_match', ['urn:{foo', 'urn:x', '{', '}'])).toMatchObject({ error: 'eval_builtin_error' });
  });

  it('tells whether two regex globs share a string', () => {
    expect(call('regex.globs_match', ['a.a.', '.b.b'])).toEqual(ok(true));
    expect(call('regex.globs_match', ['[a-z]*', '[0-9]*'])).toEqual(ok(true));
    expect(call('regex.globs_match', ['[a-z]+', '[0-9]*'])).toEqual(ok(false));
    expect(call('regex.globs_match', ['[a-z]+', '[0-9]+'])).toEqual(ok(false));
    expect(call('regex.globs_match', ['gpt-4.*', 'gpt-3.*'])).toEqual(ok(false));
    expect(call('regex.globs_match', ['gpt-.*', '.*-mini'])).toEqual(ok(true));
    expect(call('regex.globs_match', ['a?b', 'b'])).toEqual(ok(true));
    expect(call('regex.globs_match', ['[^a]', 'a'])).toEqual(ok(false));
  });
});

describe('graph', () => {
  const g = fromJSON({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [], e: ['f'], f: ['e'] });
  it('finds what is reachable, cycles included', () => {
    expect(call('graph.reachable', [g, new SetValue(['a'])])).toEqual(ok(['a', 'b', 'c', 'd']));
    expect(call('graph.reachable', [g, fromJSON(['e'])])).toEqual(ok(['e', 'f']));
    expect(call('graph.reachable', [g, fromJSON(['zzz'])])).toEqual(ok([]));
    expect(call('graph.reachable', ['x', fromJSON([])])).toEqual(typeErr('graph.reachable: operand 1 must be object but got string'));
  });
  it('lists every maximal path', () => {
    expect(call('graph.reachable_paths', [g, fromJSON(['a'])])).toEqual(
      ok([
        ['a', 'b', 'd'],
        ['a', 'c', 'd'],
      ]),
    );
    expect(call('graph.reachable_paths', [g, fromJSON(['e'])])).toEqual(ok([['e', 'f']]));
  });
});

describe('units.parse', () => {
  it.each([
    ['100m', 0.1],
    ['1.5Gi', 1610612736],
    ['2M', 2000000],
    ['"8Ki"', 8192],
    ['1e3', 1000],
  ])('%s is %d', (s, want) => {
    expect(call('units.parse', [s])).toEqual(ok(want));
  });
  it('refuses spaces and unknown units', () => {
    expect(call('units.parse', ['1 G'])).toEqual(builtinErr('units.parse: units.parse: spaces not allowed in resource strings'));
    expect(call('units.parse', ['1GB'])).toEqual(builtinErr('units.parse: units.parse: unit GB not recognized'));
    expect(call('units.parse', ['G'])).toEqual(builtinErr('units.parse: units.parse: no amount provided'));
  });
});
