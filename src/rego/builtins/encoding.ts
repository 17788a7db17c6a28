/** json.*, yaml.*, base64.*, base64url.* and hex.* encodings (urlquery.* in urlquery.ts). */
import { parseAllDocuments, stringify as yamlStringify } from 'yaml';
import { fromJSON, ObjectValue, SetValue, typeName, type Value } from '../value.ts';
import { builtinError, operandError, stringOperand } from './operands.ts';
import { numberText } from '../decimal.ts';
import { parseJSONExact } from '../jsontext.ts';
import { operandTypeError, type Builtin } from './types.ts';

/** An object key as OPA's ast.JSON writes it: strings as they are, anything else as its JSON text. */
const keyText = (k: Value): string => (typeof k === 'string' ? k : goJSON(k));

/** JSON text as Go's encoding/json writes it: compact, keys sorted, <>& and U+2028/2029 escaped. */
export function goJSON(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return numberText(v);
    case 'string':
      return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (v instanceof SetValue) return `[${v.sorted().map(goJSON).join(',')}]`;
  const entries = (v as ObjectValue).entries().map(([k, val]) => [keyText(k), val] as const);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${entries.map(([k, val]) => `${goJSON(k)}:${goJSON(val)}`).join(',')}}`;
}

/** Go's json.MarshalIndent: one element per line after `prefix` and `indent` per depth; the first line bare. */
function goJSONIndent(v: Value, prefix: string, indent: string, depth = 0): string {
  const nl = (d: number) => `\n${prefix}${indent.repeat(d)}`;
  if (Array.isArray(v) || v instanceof SetValue) {
    const items = Array.isArray(v) ? v : v.sorted();
    if (items.length === 0) return '[]';
    return `[${items.map((x) => nl(depth + 1) + goJSONIndent(x, prefix, indent, depth + 1)).join(',')}${nl(depth)}]`;
  }
  if (v !== null && typeof v === 'object') {
    const entries = v.entries().map(([k, val]) => [keyText(k), val] as const);
    if (entries.length === 0) return '{}';
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return `{${entries.map(([k, val]) => `${nl(depth + 1)}${goJSON(k)}: ${goJSONIndent(val, prefix, indent, depth + 1)}`).join(',')}${nl(depth)}}`;
  }
  return goJSON(v);
}

function marshalWithOptions(v: Value, opts: Value): string {
  const name = 'json.marshal_with_options';
  if (!(opts instanceof ObjectValue)) throw operandTypeError(name, 2, ['object'], typeName(opts));
  let pretty: boolean | undefined;
  let prefix = '';
  let indent = '\t';
  let styled = false;
  for (const [k, x] of opts) {
    if (k === 'pretty' && typeof x === 'boolean') pretty = x;
    else if ((k === 'prefix' || k === 'indent') && typeof x === 'string') {
      styled = true;
      if (k === 'prefix') prefix = x;
      else indent = x;
    } else throw operandError(name, 2, `must only hold "pretty" (boolean), "prefix" and "indent" (strings), got ${goJSON(k)}: ${typeName(x)}`);
  }
  return (pretty ?? styled) ? goJSONIndent(v, prefix, indent) : goJSON(v);
}

/** Plain JS for the YAML writer; Maps keep Go's sorted key order (plain objects would put integer-like keys first). */
function toPlain(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof SetValue) return v.sorted().map(toPlain);
  const entries = v.entries().map(([k, val]) => [keyText(k), toPlain(val)] as const);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return new Map(entries);
}

function parseJSON(name: string, s: string): Value {
  try {
    return parseJSONExact(s);
  } catch (e) {
    throw builtinError(name, (e as Error).message);
  }
}

/** The first YAML document (as go-yaml reads it), provided the whole stream parses. */
function parseYAML(name: string, s: string): Value {
  const docs = parseAllDocuments(s);
  const list = Array.isArray(docs) ? docs : [];
  for (const d of list) if (d.errors.length > 0) throw builtinError(name, d.errors[0]!.message.split('\n')[0]!);
  if (list.length === 0) return null;
  return fromJSON(list[0]!.toJS({ maxAliasCount: 1000 }));
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;

function firstBadBase64Byte(s: string, alphabet: RegExp): number {
  const bytes = Buffer.from(s, 'utf8').toString('latin1');
  for (let i = 0; i < bytes.length; i++) if (!alphabet.test(bytes[i]!) && bytes[i] !== '=') return i;
  return Math.max(bytes.length - (bytes.length % 4 || 4), 0);
}

function decodeBase64(name: string, s: string, url: boolean): string {
  if (!(url ? BASE64URL : BASE64).test(s)) {
    throw builtinError(name, `illegal base64 data at input byte ${firstBadBase64Byte(s, url ? /[A-Za-z0-9_-]/ : /[A-Za-z0-9+/]/)}`);
  }
  return Buffer.from(s, url ? 'base64url' : 'base64').toString('utf8');
}

function str1(name: string, f: (s: string) => Value): Builtin {
  return { name, arity: 1, call: ([a]) => f(stringOperand(name, a!, 1)) };
}

export const ENCODING: Builtin[] = [
  { name: 'json.marshal', arity: 1, call: ([v]) => goJSON(v!) },
  { name: 'json.marshal_with_options', arity: 2, call: ([v, o]) => marshalWithOptions(v!, o!) },
  str1('json.unmarshal', (s) => parseJSON('json.unmarshal', s)),
  {
    name: 'json.is_valid',
    arity: 1,
    call([v]) {
      if (typeof v !== 'string') return false;
      try {
        JSON.parse(v);
        return true;
      } catch {
        return false;
      }
    },
  },
  { name: 'yaml.marshal', arity: 1, call: ([v]) => yamlStringify(toPlain(v!), { indentSeq: false }) },
  str1('yaml.unmarshal', (s) => parseYAML('yaml.unmarshal', s)),
  {
    name: 'yaml.is_valid',
    arity: 1,
    call([v]) {
      if (typeof v !== 'string') return false;
      try {
        parseYAML('yaml.is_valid', v);
        return true;
      } catch {
        return false;
      }
    },
  },
  str1('base64.encode', (s) => Buffer.from(s, 'utf8').toString('base64')),
  str1('base64.decode', (s) => decodeBase64('base64.decode', s, false)),
  { name: 'base64.is_valid', arity: 1, call: ([v]) => typeof v === 'string' && BASE64.test(v) },
  str1('base64url.encode', (s) => Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')),
  str1('base64url.encode_no_pad', (s) => Buffer.from(s, 'utf8').toString('base64url')),
  str1('base64url.decode', (s) => {
    // Padding is optional here (RFC 7515 appendix C), as in OPA.
    let t = s;
    if (!t.endsWith('=')) {
      if (t.length % 4 === 1) throw builtinError('base64url.decode', `illegal base64url string: ${s}`);
      t += '='.repeat((4 - (t.length % 4)) % 4);
    }
    return decodeBase64('base64url.decode', t, true);
  }),
  str1('hex.encode', (s) => Buffer.from(s, 'utf8').toString('hex')),
  str1('hex.decode', (s) => {
    const bad = /[^0-9a-fA-F]/.exec(s);
    if (bad) {
      const cp = bad[0].codePointAt(0)!;
      throw builtinError('hex.decode', `encoding/hex: invalid byte: U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${bad[0]}'`);
    }
    if (s.length % 2 === 1) throw builtinError('hex.decode', 'encoding/hex: odd length hex string');
    return Buffer.from(s, 'hex').toString('utf8');
  }),
];
