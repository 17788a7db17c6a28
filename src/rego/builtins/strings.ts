/** String builtins. Positions and lengths count code points, as Go's runes do. */
import { isNumber, SetValue, typeName, type Value } from '../value.ts';
import { goArg, goSprintf } from './gofmt.ts';
import {
  builtinError,
  elementError,
  intOperand,
  members,
  numberOperand,
  objectOperand,
  operandError,
  runes,
  stringOperand,
  stringsOperand,
} from './operands.ts';
import { regoText } from './text.ts';
import { operandTypeError, type Builtin } from './types.ts';

function stringFn(name: string, f: (s: string) => Value): Builtin {
  return { name, arity: 1, call: ([a]) => f(stringOperand(name, a!, 1)) };
}

function stringFn2(name: string, f: (a: string, b: string) => Value): Builtin {
  return { name, arity: 2, call: ([a, b]) => f(stringOperand(name, a!, 1), stringOperand(name, b!, 2)) };
}

/** Go's strings.Split: an empty separator splits into code points. */
function goSplit(s: string, sep: string): string[] {
  return sep === '' ? runes(s) : s.split(sep);
}

/** Go's strings.Trim family: drop leading/trailing code points found in the cutset. */
function trimRunes(s: string, cutset: string, left: boolean, right: boolean): string {
  const cut = new Set(runes(cutset));
  const rs = runes(s);
  let start = 0;
  let end = rs.length;
  if (left) while (start < end && cut.has(rs[start]!)) start++;
  if (right) while (end > start && cut.has(rs[end - 1]!)) end--;
  return rs.slice(start, end).join('');
}

/** unicode.IsSpace, which (unlike JS's trim) does not count U+FEFF. */
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM_SPACE = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** Go's strings.Count: non-overlapping; an empty substring counts code points plus one. */
function goCount(s: string, sub: string): number {
  if (sub === '') return runes(s).length + 1;
  return s.split(sub).length - 1;
}

function runeIndexes(name: string, base: string, search: string, all: boolean): number[] {
  if (search === '') throw builtinError(name, 'empty search character');
  const hay = runes(base);
  const needle = runes(search);
  const found: number[] = [];
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((r, j) => hay[i + j] === r)) {
      found.push(i);
      if (!all) break;
    }
  }
  return found;
}

/**
 * Go's strings.NewReplacer over (old, new) pairs: one left-to-right pass,
 * no overlapping, the earliest pair in argument order winning at a position.
 */
function replaceAll(s: string, pairs: Array<[string, string]>): string {
  let out = '';
  let i = 0;
  const hasEmpty = pairs.find(([old]) => old === '');
  while (i <= s.length) {
    const hit = pairs.find(([old]) => old !== '' && s.startsWith(old, i));
    if (hit) {
      out += hit[1];
      i += hit[0].length;
      continue;
    }
    if (hasEmpty) out += hasEmpty[1];
    if (i === s.length) break;
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    out += ch;
    i += ch.length;
  }
  return out;
}

function stringsOrOne(name: string, v: Value, position: number): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof SetValue) return stringsOperand(name, v, position);
  throw operandTypeError(name, position, ['string', 'set', 'array'], typeName(v));
}

const reverse = (s: string): string => runes(s).reverse().join('');

function anyStartsWithAny(strs: string[], prefixes: string[]): boolean {
  return strs.some((s) => prefixes.some((p) => s.startsWith(p)));
}

function formatInt(n: number | bigint, base: Value): string {
  const b = numberOperand('format_int', base, 2);
  if (b !== 2 && b !== 8 && b !== 10 && b !== 16) throw operandError('format_int', 2, 'must be one of {2, 8, 10, 16}');
  return (typeof n === 'bigint' ? n : BigInt(Math.trunc(n))).toString(b);
}

function sprintf(format: string, arr: Value): string {
  if (!Array.isArray(arr)) throw operandTypeError('sprintf', 2, ['array'], typeName(arr));
  return goSprintf(
    format,
    arr.map((v) => goArg(isNumber(v) || typeof v === 'string' ? v : regoText(v))),
  );
}

export const STRINGS: Builtin[] = [
  {
    name: 'concat',
    arity: 2,
    call([d, xs]) {
      const sep = stringOperand('concat', d!, 1);
      if (!Array.isArray(xs) && !(xs instanceof SetValue)) throw operandTypeError('concat', 2, ['set', 'array'], typeName(xs!));
      return members(xs)
        .map((x) => {
          if (typeof x !== 'string') throw elementError('concat', 2, xs, x, ['string']);
          return x;
        })
        .join(sep);
    },
  },
  stringFn2('contains', (s, sub) => s.includes(sub)),
  stringFn2('startswith', (s, p) => s.startsWith(p)),
  stringFn2('endswith', (s, p) => s.endsWith(p)),
  stringFn('lower', (s) => s.toLowerCase()),
  stringFn('upper', (s) => s.toUpperCase()),
  {
    name: 'format_int',
    arity: 2,
    call: ([n, base]) => formatInt(numberOperand('format_int', n!, 1), base!),
  },
  stringFn2('indexof', (s, search) => runeIndexes('indexof', s, search, false)[0] ?? -1),
  stringFn2('indexof_n', (s, search) => runeIndexes('indexof_n', s, search, true)),
  {
    name: 'replace',
    arity: 3,
    call([s, o, n]) {
      const str = stringOperand('replace', s!, 1);
      const old = stringOperand('replace', o!, 2);
      const rep = stringOperand('replace', n!, 3);
      return replaceAll(str, [[old, rep]]);
    },
  },
  {
    name: 'strings.replace_n',
    arity: 2,
    call([p, s]) {
      const patterns = objectOperand('strings.replace_n', p!, 1);
      const str = stringOperand('strings.replace_n', s!, 2);
      const pairs = patterns.sortedEntries().map(([k, v]): [string, string] => {
        if (typeof k !== 'string') throw operandError('strings.replace_n', 1, 'non-string key found in pattern object');
        if (typeof v !== 'string') throw operandError('strings.replace_n', 1, 'non-string value found in pattern object');
        return [k, v];
      });
      return replaceAll(str, pairs);
    },
  },
  stringFn2('split', (s, d) => (s.includes(d) ? goSplit(s, d) : [s])),
  {
    // Splits fully, then keeps the first n parts (n > 0) or the last -n parts (n < 0).
    name: 'strings.split_n',
    arity: 3,
    call([s, d, n]) {
      const str = stringOperand('strings.split_n', s!, 1);
      const delim = stringOperand('strings.split_n', d!, 2);
      const count = intOperand('strings.split_n', n!, 3);
      const parts = str.includes(delim) ? goSplit(str, delim) : [str];
      if (count === 0) return [];
      return count > 0 ? parts.slice(0, count) : parts.slice(Math.max(parts.length + count, 0));
    },
  },
  {
    name: 'sprintf',
    arity: 2,
    call: ([f, xs]) => sprintf(stringOperand('sprintf', f!, 1), xs!),
  },
  {
    name: 'substring',
    arity: 3,
    call([s, st, ln]) {
      const str = stringOperand('substring', s!, 1);
      const start = intOperand('substring', st!, 2);
      const length = intOperand('substring', ln!, 3);
      if (start < 0) throw builtinError('substring', 'negative offset');
      const rs = runes(str);
      if (start >= rs.length) return '';
      return (length < 0 ? rs.slice(start) : rs.slice(start, start + length)).join('');
    },
  },
  stringFn2('trim', (s, c) => trimRunes(s, c, true, true)),
  stringFn2('trim_left', (s, c) => trimRunes(s, c, true, false)),
  stringFn2('trim_right', (s, c) => trimRunes(s, c, false, true)),
  stringFn2('trim_prefix', (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
  stringFn2('trim_suffix', (s, p) => (p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  stringFn('trim_space', (s) => s.replace(TRIM_SPACE, '')),
  stringFn('strings.reverse', reverse),
  stringFn2('strings.count', goCount),
  {
    name: 'strings.any_prefix_match',
    arity: 2,
    call([a, b]) {
      const strs = stringsOrOne('strings.any_prefix_match', a!, 1);
      const prefixes = stringsOrOne('strings.any_prefix_match', b!, 2);
      return anyStartsWithAny(strs, prefixes);
    },
  },
  {
    name: 'strings.any_suffix_match',
    arity: 2,
    call([a, b]) {
      const strs = stringsOrOne('strings.any_suffix_match', a!, 1).map(reverse);
      const suffixes = stringsOrOne('strings.any_suffix_match', b!, 2).map(reverse);
      return anyStartsWithAny(strs, suffixes);
    },
  },
];
