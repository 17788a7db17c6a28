/**
 * Values as Rego source text, the way OPA's ast prints terms (`String()`):
 * what sprintf's %v shows for composites and what print writes for
 * non-string operands. Strings are quoted like Go's strconv.Quote.
 */
import { type ObjectValue, SetValue, type Value } from '../value.ts';
import { numberText } from '../decimal.ts';

const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** Go's strconv.Quote: printable runes as they are, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = SHORT_ESCAPES[ch];
    if (esc !== undefined) {
      out += esc;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

export function regoText(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return numberText(v);
    case 'string':
      return goQuote(v);
  }
  if (Array.isArray(v)) return `[${v.map(regoText).join(', ')}]`;
  if (v instanceof SetValue) return v.size === 0 ? 'set()' : `{${v.sorted().map(regoText).join(', ')}}`;
  return `{${(v as ObjectValue)
    .sortedEntries()
    .map(([k, val]) => `${regoText(k)}: ${regoText(val)}`)
    .join(', ')}}`;
}
