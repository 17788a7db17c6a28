/**
 * Regular expressions. OPA uses Go's RE2 syntax; patterns are translated to
 * JS RegExp (with the `u` flag) so that what RE2 accepts means the same, and
 * what RE2 rejects (lookaround, backreferences, unknown escapes) is an error.
 *
 * Approximations: flag groups (`(?i)`, `(?s)`, `(?m)`, `(?i:...)`) apply to
 * the whole pattern wherever they appear, `(?U)` (ungreedy) is ignored, and
 * `\S` inside a character class is JS's `\S` (which also excludes \v and
 * Unicode spaces, where Go's excludes only [\t\n\f\r ]).
 */
import type { Value } from '../value.ts';
import { builtinError, intOperand, stringOperand } from './operands.ts';
import type { Builtin } from './types.ts';

class RegexSyntaxError extends Error {}

const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const GO_SPACE_CLASS = '\\t\\n\\f\\r ';
const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};
const CATEGORIES = new Set('L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Co Cs Any'.split(' '));

const hexEscape = (cp: number): string => `\\u{${cp.toString(16)}}`;

interface Translation {
  source: string;
  flags: string;
}

/** Go RE2 pattern to JS source and flags; throws RegexSyntaxError where Go's parser would fail. */
function translateRegex(pattern: string): Translation {
  const p = Array.from(pattern);
  const flags = new Set<string>();
  let out = '';
  let i = 0;
  let depth = 0;

  const unicodeClass = (negated: boolean): string => {
    // after \p or \P
    let name: string;
    if (p[i] === '{') {
      const close = p.indexOf('}', i);
      if (close < 0) throw new RegexSyntaxError('invalid character class range');
      name = p.slice(i + 1, close).join('');
      i = close + 1;
    } else {
      if (i >= p.length) throw new RegexSyntaxError('invalid character class range');
      name = p[i++]!;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    const prop = CATEGORIES.has(name) ? name : `Script=${name}`;
    try {
      new RegExp(`\\p{${prop}}`, 'u');
    } catch {
      throw new RegexSyntaxError(`invalid character class range: \`\\p{${name}}\``);
    }
    return `\\${negated ? 'P' : 'p'}{${prop}}`;
  };

  /** An escape after the backslash at p[i-1]; inClass changes how \s and \S come out. */
  const readEscape = (inClass: boolean): string => {
    if (i >= p.length) throw new RegexSyntaxError('trailing backslash at end of expression');
    const c = p[i++]!;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${c}`;
      case 's':
        return inClass ? GO_SPACE_CLASS : `[${GO_SPACE_CLASS}]`;
      case 'S':
        return inClass ? '\\S' : `[^${GO_SPACE_CLASS}]`;
      case 'b':
      case 'B':
        if (inClass) throw new RegexSyntaxError(`invalid escape sequence: \`\\${c}\``);
        return `\\${c}`;
      case 'A':
        if (inClass) throw new RegexSyntaxError('invalid escape sequence: `\\A`');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) throw new RegexSyntaxError('invalid escape sequence: `\\z`');
        return '(?![\\s\\S])';
      case 'p':
      case 'P':
        return unicodeClass(c === 'P');
      case 'a':
        return '\\x07';
      case 'f':
      case 't':
      case 'n':
      case 'r':
      case 'v':
        return `\\${c}`;
      case 'x': {
        if (p[i] === '{') {
          const close = p.indexOf('}', i);
          const hex = close < 0 ? '' : p.slice(i + 1, close).join('');
          if (!/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new RegexSyntaxError('invalid escape sequence: `\\x{`');
          i = close + 1;
          return hexEscape(parseInt(hex, 16));
        }
        const hex = p.slice(i, i + 2).join('');
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new RegexSyntaxError('invalid escape sequence: `\\x`');
        i += 2;
        return hexEscape(parseInt(hex, 16));
      }
      case 'Q': {
        let lit = '';
        while (i < p.length && !(p[i] === '\\' && p[i + 1] === 'E')) lit += literal(p[i++]!, inClass);
        if (i < p.length) i += 2;
        return lit;
      }
    }
    if (c >= '0' && c <= '7') {
      // Go reads \0.. and \1..\7 followed by an octal digit as octal; a lone \1..\7 is a backreference it refuses.
      if (c !== '0' && !(p[i] !== undefined && p[i]! >= '0' && p[i]! <= '7')) throw new RegexSyntaxError(`invalid escape sequence: \`\\${c}\``);
      let oct = c;
      while (oct.length < 3 && p[i] !== undefined && p[i]! >= '0' && p[i]! <= '7') oct += p[i++];
      return hexEscape(parseInt(oct, 8));
    }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return literal(c, inClass);
    throw new RegexSyntaxError(`invalid escape sequence: \`\\${c}\``);
  };

  function literal(c: string, inClass: boolean): string {
    if (inClass) return c === '\\' || c === ']' || c === '[' || c === '-' || c === '^' ? `\\${c}` : c;
    if (JS_SYNTAX.has(c)) return `\\${c}`;
    return c === '-' ? '\\-' : c;
  }

  const charClass = (): string => {
    // p[i-1] was '['
    let cls = '[';
    if (p[i] === '^') {
      cls += '^';
      i++;
    }
    let first = true;
    for (;;) {
      if (i >= p.length) throw new RegexSyntaxError(`missing closing ]: \`${pattern}\``);
      const c = p[i]!;
      if (c === ']' && !first) {
        i++;
        break;
      }
      first = false;
      if (c === '[' && p[i + 1] === ':') {
        const close = p.indexOf(']', i);
        const m = /^\[:(\^?)([a-z]+):\]$/.exec(p.slice(i, close + 1).join(''));
        if (m && POSIX[m[2]!]) {
          if (m[1]) throw new RegexSyntaxError('negated POSIX classes are not supported here');
          cls += POSIX[m[2]!];
          i = close + 1;
          continue;
        }
        if (close > i && /^\[:\^?[a-z]*:\]$/.test(p.slice(i, close + 1).join(''))) {
          throw new RegexSyntaxError(`invalid character class range: \`${p.slice(i, close + 1).join('')}\``);
        }
      }
      i++;
      if (c === '\\') cls += readEscape(true);
      else if (c === '-') cls += '-';
      else cls += literal(c, true);
    }
    if (cls === '[' || cls === '[^') throw new RegexSyntaxError(`missing closing ]: \`${pattern}\``);
    return `${cls}]`;
  };

  const addFlags = (spec: string): void => {
    let on = true;
    for (const f of spec) {
      if (f === '-') on = false;
      else if (f === 'i' || f === 's' || f === 'm') {
        if (on) flags.add(f);
        else flags.delete(f);
      } else if (f !== 'U') throw new RegexSyntaxError(`invalid or unsupported Perl syntax: \`(?${spec}\``);
    }
  };

  let lastAtom = false; // whether a repetition operator has something to repeat
  let lastRepeat = false;
  while (i < p.length) {
    const c = p[i++]!;
    switch (c) {
      case '\\': {
        const e = readEscape(false);
        out += e;
        lastAtom = !['\\b', '\\B', '(?<![\\s\\S])', '(?![\\s\\S])'].includes(e);
        lastRepeat = false;
        continue;
      }
      case '[':
        out += charClass();
        lastAtom = true;
        lastRepeat = false;
        continue;
      case '(': {
        if (p[i] === '?') {
          const rest = p.slice(i + 1).join('');
          const named = /^P?<([A-Za-z0-9_]+)>/.exec(rest);
          const flagGroup = /^([imsU-]*)(:|\))/.exec(rest);
          if (named) {
            out += `(?<${named[1]}>`;
            i += 1 + named[0].length;
          } else if (flagGroup && flagGroup[1] !== '') {
            addFlags(flagGroup[1]!);
            i += 1 + flagGroup[0].length;
            if (flagGroup[2] === ')') {
              lastAtom = false;
              continue;
            }
            out += '(?:';
          } else if (rest.startsWith(':')) {
            out += '(?:';
            i += 2;
          } else {
            throw new RegexSyntaxError(`invalid or unsupported Perl syntax: \`(?${p[i + 1] ?? ''}\``);
          }
        } else out += '(';
        depth++;
        lastAtom = false;
        lastRepeat = false;
        continue;
      }
      case ')':
        if (depth === 0) throw new RegexSyntaxError(`unexpected ): \`${pattern}\``);
        depth--;
        out += ')';
        lastAtom = true;
        lastRepeat = false;
        continue;
      case '*':
      case '+':
      case '?': {
        if (lastRepeat) throw new RegexSyntaxError(`invalid nested repetition operator: \`${c}\``);
        if (!lastAtom) throw new RegexSyntaxError(`missing argument to repetition operator: \`${c}\``);
        out += c;
        if (p[i] === '?') {
          out += '?';
          i++;
        }
        lastRepeat = true;
        continue;
      }
      case '{': {
        const m = /^(\d+)(,(\d*))?\}/.exec(p.slice(i).join(''));
        if (m) {
          const lo = Number(m[1]);
          const hi = m[3] ? Number(m[3]) : lo;
          if (lo > 1000 || hi > 1000 || (m[3] && hi < lo)) throw new RegexSyntaxError(`invalid repeat count: \`{${m[0]}\``);
          if (!lastAtom || lastRepeat) throw new RegexSyntaxError(`missing argument to repetition operator: \`{${m[0]}\``);
          out += `{${m[0]}`;
          i += m[0].length;
          if (p[i] === '?') {
            out += '?';
            i++;
          }
          lastRepeat = true;
          continue;
        }
        out += '\\{';
        lastAtom = true;
        lastRepeat = false;
        continue;
      }
      case '}':
      case ']':
        out += `\\${c}`;
        lastAtom = true;
        lastRepeat = false;
        continue;
      case '|':
        out += '|';
        lastAtom = false;
        lastRepeat = false;
        continue;
      case '^':
      case '$':
        out += c;
        lastAtom = false;
        lastRepeat = false;
        continue;
      default:
        out += c === '/' ? '\\/' : c;
        lastAtom = true;
        lastRepeat = false;
    }
  }
  if (depth > 0) throw new RegexSyntaxError(`missing closing ): \`${pattern}\``);
  return { source: out, flags: [...flags].sort().join('') };
}

const cache = new Map<string, RegExp>();

/** The compiled pattern (global, so callers can iterate matches), or the error OPA would raise. */
export function compileRegex(name: string, pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  let re: RegExp;
  try {
    const t = translateRegex(pattern);
    re = new RegExp(t.source, `gu${t.flags}`);
  } catch (e) {
    const why = e instanceof RegexSyntaxError ? e.message : (e as Error).message.replace(/^Invalid regular expression: /, '');
    throw builtinError(name, `error parsing regexp: ${why}`);
  }
  if (cache.size >= 100) cache.delete(cache.keys().next().value!);
  cache.set(pattern, re);
  return re;
}

function isValid(pattern: Value): boolean {
  if (typeof pattern !== 'string') return false;
  try {
    compileRegex('regex.is_valid', pattern);
    return true;
  } catch {
    return false;
  }
}

/** All matches, skipping an empty match right after the previous one as Go's FindAll does. */
function allMatches(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let prevEnd = -1;
  while (n < 0 || out.length < n) {
    const m = re.exec(s);
    if (!m) break;
    if (m[0] === '') {
      if (m.index === prevEnd) {
        re.lastIndex = m.index + (s.codePointAt(m.index)! > 0xffff ? 2 : 1);
        if (re.lastIndex > s.length) break;
        continue;
      }
      re.lastIndex = m.index + (m.index < s.length && s.codePointAt(m.index)! > 0xffff ? 2 : 1);
    }
    out.push(m);
    prevEnd = m.index + m[0].length;
    if (m.index >= s.length) break;
  }
  re.lastIndex = 0;
  return out;
}

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (_all, tok: string, braced?: string, bare?: string) => {
    if (tok === '$') return '$';
    const ref = braced ?? bare!;
    if (/^\d+$/.test(ref)) return m[Number(ref)] ?? '';
    return m.groups?.[ref] ?? '';
  });
}

export const REGEX: Builtin[] = [
  {
    name: 'regex.match',
    arity: 2,
    call([p, s]) {
      const pattern = stringOperand('regex.match', p!, 1);
      const value = stringOperand('regex.match', s!, 2);
      return compileRegex('regex.match', pattern).test(value);
    },
  },
  { name: 'regex.is_valid', arity: 1, call: ([p]) => isValid(p!) },
  {
    name: 'regex.split',
    arity: 2,
    call([p, s]) {
      const re = compileRegex('regex.split', stringOperand('regex.split', p!, 1));
      const str = stringOperand('regex.split', s!, 2);
      const parts: string[] = [];
      let start = 0;
      for (const m of allMatches(re, str, -1)) {
        if (m[0] === '' && (m.index === 0 || m.index >= str.length)) continue;
        parts.push(str.slice(start, m.index));
        start = m.index + m[0].length;
      }
      parts.push(str.slice(start));
      return parts;
    },
  },
  {
    name: 'regex.find_n',
    arity: 3,
    call([p, s, n]) {
      const re = compileRegex('regex.find_n', stringOperand('regex.find_n', p!, 1));
      const str = stringOperand('regex.find_n', s!, 2);
      return allMatches(re, str, intOperand('regex.find_n', n!, 3)).map((m) => m[0]);
    },
  },
  {
    name: 'regex.find_all_string_submatch_n',
    arity: 3,
    call([p, s, n]) {
      const name = 'regex.find_all_string_submatch_n';
      const re = compileRegex(name, stringOperand(name, p!, 1));
      const str = stringOperand(name, s!, 2);
      return allMatches(re, str, intOperand(name, n!, 3)).map((m) => [...m].map((g) => g ?? ''));
    },
  },
  {
    name: 'regex.replace',
    arity: 3,
    call([s, p, v]) {
      const str = stringOperand('regex.replace', s!, 1);
      const re = compileRegex('regex.replace', stringOperand('regex.replace', p!, 2));
      const template = stringOperand('regex.replace', v!, 3);
      let out = '';
      let start = 0;
      for (const m of allMatches(re, str, -1)) {
        out += str.slice(start, m.index) + expand(template, m);
        start = m.index + m[0].length;
      }
      return out + str.slice(start);
    },
  },
];
