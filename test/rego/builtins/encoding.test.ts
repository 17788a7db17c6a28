import { describe, expect, it } from 'vitest';
import { fromJSON, ObjectValue, SetValue, type Value } from '../../../src/rego/value.ts';
import { builtinErr, call, ok, typeErr, type Outcome } from './call.ts';

const cases: Array<[string, Value[], Outcome]> = [
  ['json.marshal', [[fromJSON({ foo: new SetValue([3, 1, 2]) })]], ok('[{"foo":[1,2,3]}]')],
  ['json.marshal', [fromJSON({ b: 1, a: null, '10': true, '2': 'x' })], ok('{"10":true,"2":"x","a":null,"b":1}')],
  ['json.marshal', [new ObjectValue([[1, 'one']])], ok('{"1":"one"}')],
  ['json.marshal', ['<a&b>'], ok('"\\u003ca\\u0026b\\u003e"')],
  ['json.marshal', [1.5], ok('1.5')],
  ['json.unmarshal', ['{"a":[1,"x",null]}'], ok({ a: [1, 'x', null] })],
  ['json.unmarshal', [1], typeErr('json.unmarshal: operand 1 must be string but got number')],
  ['json.is_valid', ['plainstring'], ok(false)],
  ['json.is_valid', ['{'], ok(false)],
  ['json.is_valid', ['{"json": "ok"}'], ok(true)],
  ['json.is_valid', [1], ok(false)],
  ['yaml.marshal', [[fromJSON({ foo: new SetValue([1, 2, 3]) })]], ok('- foo:\n  - 1\n  - 2\n  - 3\n')],
  ['yaml.unmarshal', ['- foo:\n  - 1\n  - 2\n'], ok([{ foo: [1, 2] }])],
  ['yaml.unmarshal', ['a: 1\n---\nb: 2\n'], ok({ a: 1 })],
  ['yaml.is_valid', ['foo:\n   - qux: bar\n   - baz: 2'], ok(true)],
  ['yaml.is_valid', ['foo:\n   - qux: bar\n   - baz: {'], ok(false)],
  ['yaml.is_valid', ['{"json": "ok"}'], ok(true)],
  ['yaml.is_valid', ['  test:\ntest1: hello\n'], ok(false)],
  ['yaml.is_valid', ['a: 1\n---\n\tb: 2\n'], ok(false)],
  ['yaml.is_valid', ['a: 1\n---\nb: 2\n'], ok(true)],
  ['yaml.is_valid', [1], ok(false)],
  ['base64.encode', ['hello'], ok('aGVsbG8=')],
  ['base64.decode', ['aGVsbG8='], ok('hello')],
  ['base64.decode', ['aGVsbG8'], builtinErr('base64.decode: illegal base64 data at input byte 4')],
  ['base64.is_valid', ['aGVsbG8='], ok(true)],
  ['base64.is_valid', ['a*'], ok(false)],
  ['base64url.encode', ['\xff\xfe'], ok('w7_Dvg==')],
  ['base64url.encode_no_pad', ['hello'], ok('aGVsbG8')],
  ['base64url.decode', ['aGVsbG8'], ok('hello')],
  ['hex.encode', ['hi'], ok('6869')],
  ['hex.decode', ['6869'], ok('hi')],
  ['hex.decode', ['6g'], builtinErr("hex.decode: encoding/hex: invalid byte: U+0067 'g'")],
  ['urlquery.encode', ['a b&c=d/é'], ok('a+b%26c%3Dd%2F%C3%A9')],
  ['urlquery.decode', ['a+b%26c'], ok('a b&c')],
  ['urlquery.decode', ['%zz'], builtinErr('urlquery.decode: invalid URL escape "%zz"')],
];

describe('encoding', () => {
  it.each(cases)('%s(%j)', (name, args, want) => {
    expect(call(name, args)).toEqual(want);
  });

  it('round-trips through YAML', () => {
    const yaml = call('yaml.marshal', [[fromJSON({ foo: new SetValue([1, 2, 3]) })]]) as { value: string };
    expect(call('yaml.unmarshal', [yaml.value])).toEqual(ok([{ foo: [1, 2, 3] }]));
  });
});
