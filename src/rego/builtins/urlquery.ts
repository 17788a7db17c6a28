/** urlquery.*: Go's url.QueryEscape / QueryUnescape, and url.Values for objects. */
import { ObjectValue, SetValue, typeName, type Value } from '../value.ts';
import { builtinError, elementError, objectOperand, stringOperand } from './operands.ts';
import { operandTypeError, type Builtin } from './types.ts';

/** Go's url.QueryEscape: only [A-Za-z0-9-_.~] stay, spaces become '+'. */
function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function queryUnescape(s: string, name = 'urlquery.decode'): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw builtinError(name, `invalid URL escape "${s.slice(i, i + 3)}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** url.Values.Encode: keys sorted, one k=v pair per value. */
function encodeObject(o: ObjectValue): string {
  const name = 'urlquery.encode_object';
  const pairs: string[] = [];
  for (const [k, v] of o.sortedEntries()) {
    if (typeof k !== 'string') throw operandTypeError(name, 1, ['string'], typeName(k));
    let values: Value[];
    if (typeof v === 'string') values = [v];
    else if (Array.isArray(v)) values = v;
    else if (v instanceof SetValue) values = v.sorted();
    else throw operandTypeError(name, 1, ['string', 'array', 'set'], typeName(v));
    for (const x of values) {
      if (typeof x !== 'string') throw elementError(name, 1, v, x, ['string']);
      pairs.push(`${queryEscape(k)}=${queryEscape(x)}`);
    }
  }
  return pairs.join('&');
}

/** url.ParseQuery: "a=1&b" is {a: ["1"], b: [""]}. */
function decodeObject(s: string): Value {
  const out = new Map<string, string[]>();
  for (const part of s.split('&')) {
    if (part === '') continue;
    if (part.includes(';')) throw builtinError('urlquery.decode_object', 'invalid semicolon separator in query');
    const eq = part.indexOf('=');
    const k = queryUnescape(eq < 0 ? part : part.slice(0, eq), 'urlquery.decode_object');
    const v = eq < 0 ? '' : queryUnescape(part.slice(eq + 1), 'urlquery.decode_object');
    out.set(k, [...(out.get(k) ?? []), v]);
  }
  return new ObjectValue([...out]);
}

export const URLQUERY: Builtin[] = [
  { name: 'urlquery.encode', arity: 1, call: ([a]) => queryEscape(stringOperand('urlquery.encode', a!, 1)) },
  { name: 'urlquery.decode', arity: 1, call: ([a]) => queryUnescape(stringOperand('urlquery.decode', a!, 1)) },
  { name: 'urlquery.encode_object', arity: 1, call: ([o]) => encodeObject(objectOperand('urlquery.encode_object', o!, 1)) },
  { name: 'urlquery.decode_object', arity: 1, call: ([a]) => decodeObject(stringOperand('urlquery.decode_object', a!, 1)) },
];
