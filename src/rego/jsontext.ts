/**
 * JSON text to Rego values with integers kept exact at any size (JSON.parse
 * rounds them to float64). Used where JSON text may carry large integers:
 * json.unmarshal. Text without long digit runs takes the fast path.
 */
import { parseNumberText } from './decimal.ts';
import { fromJSON, ObjectValue, type Value } from './value.ts';

const LONG_NUMBER = /\d{16,}|[eE][+-]?\d{3,}/;

export function parseJSONExact(text: string): Value {
  if (!LONG_NUMBER.test(text)) return fromJSON(JSON.parse(text));
  let i = 0;
  // On any syntax error, JSON.parse's own message is the one to show.
  const fail = (): never => {
    JSON.parse(text);
    throw new SyntaxError(`Unexpected token in JSON at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const value = (): Value => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = new ObjectValue();
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const k = str();
        ws();
        if (text[i++] !== ':') fail();
        obj.set(k, value());
        ws();
        const sep = text[i++];
        if (sep === '}') return obj;
        if (sep !== ',') fail();
      }
    }
    if (c === '[') {
      i++;
      const arr: Value[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return arr;
        if (sep !== ',') fail();
      }
    }
    if (c === '"') return str();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 100_000));
    if (!m) return fail();
    i += m[0].length;
    if (m[0] === 'true' || m[0] === 'false') return m[0] === 'true';
    if (m[0] === 'null') return null;
    return parseNumberText(m[0]) ?? fail();
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail();
    }
  };
  const out = value();
  ws();
  if (i !== text.length) fail();
  return out;
}
