/**
 * glob.match and glob.quote_meta, with the syntax of the gobwas/glob
 * library OPA uses: `*` (within separators), `**` (across them), `?`,
 * `[abc]`, `[!a-c]`, `{alt,ern,atives}` and `\` escapes. Patterns compile to
 * anchored JS regular expressions, cached by pattern and separators.
 */
import { typeName, type Value } from '../value.ts';
import { builtinError, elementError, operandError, stringOperand } from './operands.ts';
import { operandTypeError, type Builtin } from './types.ts';

const SPECIAL = new Set(['*', '?', '\\', '[', ']', '{', '}']);
const reEscape = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
/** Escaping inside a character class (u-mode refuses escapes it does not need). */
const classEscape = (s: string): string => s.replace(/[\\\]^[-]/g, '\\$&');

function compileGlob(pattern: string, separators: string[]): RegExp {
  const notSep = separators.length === 0 ? '[^]' : `[^${separators.map(classEscape).join('')}]`;
  const chars = Array.from(pattern);
  let i = 0;
  const fail = (): never => {
    throw builtinError('glob.match', `unexpected end of input in pattern ${JSON.stringify(pattern)}`);
  };
  const seq = (inAlt: boolean): string => {
    let out = '';
    while (i < chars.length) {
      const c = chars[i]!;
      if (inAlt && (c === ',' || c === '}')) return out;
      i++;
      if (c === '*') {
        if (chars[i] === '*') {
          i++;
          out += '[^]*';
        } else out += `${notSep}*`;
      } else if (c === '?') out += notSep;
      else if (c === '\\') {
        if (i >= chars.length) fail();
        out += reEscape(chars[i++]!);
      } else if (c === '[') {
        let negate = false;
        if (chars[i] === '!') {
          negate = true;
          i++;
        }
        let cls = '';
        while (i < chars.length && chars[i] !== ']') {
          const lo = chars[i++]!;
          if (chars[i] === '-' && chars[i + 1] !== undefined && chars[i + 1] !== ']') {
            cls += `${classEscape(lo)}-${classEscape(chars[i + 1]!)}`;
            i += 2;
          } else cls += classEscape(lo);
        }
        if (chars[i] !== ']') fail();
        i++;
        out += `[${negate ? '^' : ''}${cls}]`;
      } else if (c === '{') {
        const alts: string[] = [];
        for (;;) {
          alts.push(seq(true));
          if (i >= chars.length) fail();
          if (chars[i++] === '}') break;
        }
        out += `(?:${alts.join('|')})`;
      } else out += reEscape(c);
    }
    if (inAlt) fail();
    return out;
  };
  const source = `^${seq(false)}$`;
  try {
    return new RegExp(source, 'u');
  } catch {
    throw builtinError('glob.match', `invalid pattern ${JSON.stringify(pattern)}`);
  }
}

const cache = new Map<string, RegExp>();

function separatorsOperand(v: Value): string[] {
  // null: no separators at all; an empty array: the default, '.'.
  if (v === null) return [];
  if (!Array.isArray(v)) throw operandTypeError('glob.match', 2, ['array', 'null'], typeName(v));
  const out = v.map((d) => {
    if (typeof d !== 'string') throw elementError('glob.match', 2, v, d, ['string']);
    if (Array.from(d).length !== 1) throw operandError('glob.match', 2, `must be an array of single characters but got ${JSON.stringify(d)}`);
    return d;
  });
  return out.length === 0 ? ['.'] : out;
}

function globMatch(pattern: string, separators: string[], text: string): boolean {
  const key = `${separators.join('')}\u0000${pattern}`;
  let re = cache.get(key);
  if (!re) {
    re = compileGlob(pattern, separators);
    if (cache.size > 1000) cache.clear();
    cache.set(key, re);
  }
  return re.test(text);
}

export const GLOB: Builtin[] = [
  {
    name: 'glob.match',
    arity: 3,
    call([p, d, m]) {
      const pattern = stringOperand('glob.match', p!, 1);
      const separators = separatorsOperand(d!);
      return globMatch(pattern, separators, stringOperand('glob.match', m!, 3));
    },
  },
  {
    name: 'glob.quote_meta',
    arity: 1,
    call: ([p]) =>
      Array.from(stringOperand('glob.quote_meta', p!, 1))
        .map((c) => (SPECIAL.has(c) ? `\\${c}` : c))
        .join(''),
  },
];
