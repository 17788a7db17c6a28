/** json.filter/remove/patch, json schemas, json.marshal_with_options, urlquery objects, uri.*, render_template, array.flatten. */
import { describe, expect, it } from 'vitest';
import { fromJSON, SetValue } from '../../../src/rego/value.ts';
import { builtinErr, call, ok, typeErr } from './call.ts';

const doc = fromJSON({ a: { b: { c: 7, d: 8 } }, e: 9, l: [{ x: 1, y: 2 }, { z: 3 }] });

describe('json paths', () => {
  it('filters and removes by string and array paths', () => {
    expect(call('json.filter', [doc, new SetValue(['a/b/c', 'l/1'])])).toEqual(ok({ a: { b: { c: 7 } }, l: [{ z: 3 }] }));
    expect(call('json.filter', [doc, fromJSON([['l', 0, 'y']])])).toEqual(ok({ l: [{ y: 2 }] }));
    expect(call('json.remove', [doc, new SetValue(['/a/b/c', 'l/0'])])).toEqual(ok({ a: { b: { d: 8 } }, e: 9, l: [{ z: 3 }] }));
    expect(call('json.remove', [fromJSON({ 'a/b': 1, c: 2 }), fromJSON(['a~1b'])])).toEqual(ok({ c: 2 }));
    expect(call('json.remove', ['x', fromJSON([])])).toEqual(typeErr('json.remove: operand 1 must be object but got string'));
  });

  it('applies JSON patches (RFC 6902) and refuses bad ones', () => {
    const patches = fromJSON([
      { op: 'add', path: '/a/b/n', value: 1 },
      { op: 'replace', path: '/e', value: 10 },
      { op: 'move', from: '/a/b/c', path: '/c' },
      { op: 'copy', from: '/e', path: '/l/-' },
      { op: 'remove', path: '/l/0' },
      { op: 'test', path: '/c', value: 7 },
    ]);
    expect(call('json.patch', [doc, patches])).toEqual(ok({ a: { b: { d: 8, n: 1 } }, c: 7, e: 10, l: [{ z: 3 }, 10] }));
    expect(call('json.patch', [doc, fromJSON([{ op: 'test', path: '/e', value: 1 }])])).toEqual(builtinErr('json.patch: test failed'));
    expect(call('json.patch', [doc, fromJSON([{ op: 'remove', path: '/nope' }])])).toEqual(builtinErr('json.patch: path does not exist'));
  });
});

describe('json schemas', () => {
  const schema = fromJSON({ type: 'object', properties: { rpm: { type: 'integer', minimum: 1 } }, required: ['rpm'] });
  it('reports gojsonschema-style errors', () => {
    expect(call('json.match_schema', [fromJSON({ rpm: 5 }), schema])).toEqual(ok([true, []]));
    expect(call('json.match_schema', [fromJSON({ rpm: 0 }), schema])).toEqual(
      ok([false, [{ desc: 'Must be greater than or equal to 1', error: 'rpm: Must be greater than or equal to 1', field: 'rpm', type: 'number_gte' }]]),
    );
    expect(call('json.match_schema', [fromJSON({}), schema])).toEqual(
      ok([false, [{ desc: 'rpm is required', error: '(root): rpm is required', field: '(root)', type: 'required' }]]),
    );
    expect(call('json.verify_schema', [schema])).toEqual(ok([true, null]));
    expect(call('json.verify_schema', ['{"type": "wrong"}'])).toMatchObject({ value: [false, expect.stringContaining('NOT VALID -- given: /wrong/')] });
  });
});

describe('json.marshal_with_options', () => {
  it('indents as Go MarshalIndent does', () => {
    const v = fromJSON({ b: [1, {}], a: 'x' });
    expect(call('json.marshal_with_options', [v, fromJSON({ pretty: true })])).toEqual(ok('{\n\t"a": "x",\n\t"b": [\n\t\t1,\n\t\t{}\n\t]\n}'));
    expect(call('json.marshal_with_options', [v, fromJSON({ indent: '  ', prefix: '> ' })])).toEqual(
      ok('{\n>   "a": "x",\n>   "b": [\n>     1,\n>     {}\n>   ]\n> }'),
    );
    expect(call('json.marshal_with_options', [v, fromJSON({ pretty: false, indent: '  ' })])).toEqual(ok('{"a":"x","b":[1,{}]}'));
    expect(call('json.marshal_with_options', [v, fromJSON({ color: true })])).toMatchObject({ error: 'eval_type_error' });
  });
});

describe('urlquery objects and uri', () => {
  it('encodes and decodes url.Values', () => {
    expect(call('urlquery.encode_object', [fromJSON({ b: ['x y', 'z&'], a: 'é' })])).toEqual(ok('a=%C3%A9&b=x+y&b=z%26'));
    expect(call('urlquery.decode_object', ['a=1&b&a=%202'])).toEqual(ok({ a: ['1', ' 2'], b: [''] }));
    expect(call('urlquery.decode_object', ['a=%zz'])).toEqual(builtinErr('urlquery.decode_object: invalid URL escape "%zz"'));
  });

  it('parses URIs the way net/url does', () => {
    expect(call('uri.parse', ['HTTPS://user@api.example.com:8443/v1/a%20b?x=1#frag'])).toEqual(
      ok({ scheme: 'https', hostname: 'api.example.com', port: '8443', path: '/v1/a b', raw_path: '/v1/a%20b', raw_query: 'x=1', fragment: 'frag' }),
    );
    expect(call('uri.parse', ['http://[::1]:80/'])).toEqual(ok({ scheme: 'http', hostname: '::1', port: '80', path: '/', raw_path: '/' }));
    expect(call('uri.is_valid', ['http://a/%zz'])).toEqual(ok(false));
    expect(call('uri.is_valid', [''])).toEqual(ok(false));
    expect(call('uri.is_valid', ['mailto:someone@example.com'])).toEqual(ok(true));
  });
});

describe('strings.render_template', () => {
  it.each([
    ['{{.name}} has {{len .models}} models', { name: 'pool-a', models: ['x', 'y'] }, 'pool-a has 2 models'],
    ['{{range $i, $m := .models}}{{if $i}}, {{end}}{{$m}}{{end}}', { models: ['x', 'y'] }, 'x, y'],
    ['{{if gt .rpm 100}}high{{else if gt .rpm 10}}mid{{else}}low{{end}}', { rpm: 50 }, 'mid'],
    ['{{with .t}}{{.a}}{{else}}none{{end}}', { t: null }, 'none'],
    ['{{- " x " -}} {{ printf "%05.1f" .n }}', { n: 3.14159 }, ' x 003.1'],
    ['{{.missing}}', {}, '<undefined>'],
    ['{{index .m "k"}} {{.m}}', { m: { k: 1, j: [true] } }, '1 map[j:[true] k:1]'],
  ])('%s', (tpl, vars, want) => {
    expect(call('strings.render_template', [tpl, fromJSON(vars)])).toEqual(ok(want));
  });

  it('fails on broken templates', () => {
    expect(call('strings.render_template', ['{{if .a}}x', fromJSON({})])).toEqual(
      builtinErr('strings.render_template: template: unexpected EOF, missing {{end}}'),
    );
    expect(call('strings.render_template', ['{{nope 1}}', fromJSON({})])).toMatchObject({ error: 'eval_builtin_error' });
  });
});

describe('array.flatten', () => {
  it('splices nested arrays at any depth', () => {
    expect(call('array.flatten', [fromJSON([1, [2, [3, [4]]], { a: [5] }])])).toEqual(ok([1, 2, 3, 4, { a: [5] }]));
  });
});
