/**
 * regex.template_match (regular expressions between delimiters inside
 * literal text, as OPA's gorilla/mux-style templates) and regex.globs_match
 * (do two "regex globs" — literals, `.`, classes and the `*`, `+`, `?`
 * quantifiers — match some string in common?).
 */
import { builtinError, stringOperand } from './operands.ts';
import { compileRegex } from './regex.ts';
import type { Builtin } from './types.ts';

const quoteMeta = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function templateRegex(template: string, open: string, close: string): RegExp {
  let src = '';
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf(open, i);
    if (start < 0) {
      src += quoteMeta(template.slice(i));
      break;
    }
    src += quoteMeta(template.slice(i, start));
    // Delimiters nest: the expression ends at the matching close.
    let depth = 0;
    let j = start;
    for (; j < template.length; j++) {
      if (template.startsWith(open, j)) depth++;
      else if (template.startsWith(close, j) && --depth === 0) break;
    }
    if (j >= template.length) throw builtinError('regex.template_match', `unbalanced braces in ${JSON.stringify(template)}`);
    src += `(${template.slice(start + open.length, j)})`;
    i = j + close.length;
  }
  return compileRegex('regex.template_match', `^${src}$`);
}

// ---- regex.globs_match

/** A set of code points as sorted, disjoint [lo, hi] ranges. */
type Ranges = Array<[number, number]>;
const ALL: Ranges = [[0, 0x10ffff]];

interface Atom {
  set: Ranges;
  min: 0 | 1;
  many: boolean;
}

function complement(r: Ranges): Ranges {
  const out: Ranges = [];
  let next = 0;
  for (const [lo, hi] of [...r].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

const intersects = (a: Ranges, b: Ranges): boolean => a.some(([l1, h1]) => b.some(([l2, h2]) => l1 <= h2 && l2 <= h1));

function atoms(glob: string): Atom[] {
  const cs = Array.from(glob);
  const out: Atom[] = [];
  let i = 0;
  const cp = (c: string) => c.codePointAt(0)!;
  while (i < cs.length) {
    const c = cs[i++]!;
    let set: Ranges;
    if (c === '.') set = ALL;
    else if (c === '\\') {
      if (i >= cs.length) throw builtinError('regex.globs_match', 'trailing backslash');
      set = [[cp(cs[i]!), cp(cs[i++]!)]];
    } else if (c === '[') {
      const neg = cs[i] === '^';
      if (neg) i++;
      set = [];
      while (i < cs.length && cs[i] !== ']') {
        let lo = cs[i++]!;
        if (lo === '\\') lo = cs[i++] ?? '\\';
        if (cs[i] === '-' && cs[i + 1] !== undefined && cs[i + 1] !== ']') {
          set.push([cp(lo), cp(cs[i + 1]!)]);
          i += 2;
        } else set.push([cp(lo), cp(lo)]);
      }
      if (cs[i] !== ']') throw builtinError('regex.globs_match', `unclosed character class in ${JSON.stringify(glob)}`);
      i++;
      if (neg) set = complement(set);
    } else if (c === '*' || c === '+' || c === '?') throw builtinError('regex.globs_match', `quantifier without a character in ${JSON.stringify(glob)}`);
    else set = [[cp(c), cp(c)]];
    const q = cs[i];
    if (q === '*' || q === '+' || q === '?') i++;
    out.push({ set, min: q === '*' || q === '?' ? 0 : 1, many: q === '*' || q === '+' });
  }
  return out;
}

/** Is there a string both atom lists match? A search over pairs of positions (each atom consumed or skipped). */
function globsIntersect(a: Atom[], b: Atom[]): boolean {
  const seen = new Set<number>();
  const stack: Array<[number, number, boolean, boolean]> = [[0, 0, false, false]];
  while (stack.length > 0) {
    const [i, j, usedA, usedB] = stack.pop()!;
    const key = ((i * (b.length + 1) + j) * 2 + Number(usedA)) * 2 + Number(usedB);
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    // Leave an atom once it has matched its minimum.
    if (x && (x.min === 0 || usedA)) stack.push([i + 1, j, false, usedB]);
    if (y && (y.min === 0 || usedB)) stack.push([i, j + 1, usedA, false]);
    if (x && y && (!usedA || x.many) && (!usedB || y.many) && intersects(x.set, y.set)) stack.push([i, j, true, true]);
  }
  return false;
}

export const REGEX_EXTRA: Builtin[] = [
  {
    name: 'regex.template_match',
    arity: 4,
    call([t, v, o, c]) {
      const name = 'regex.template_match';
      const re = templateRegex(stringOperand(name, t!, 1), stringOperand(name, o!, 3), stringOperand(name, c!, 4));
      return re.test(stringOperand(name, v!, 2));
    },
  },
  {
    name: 'regex.globs_match',
    arity: 2,
    call: ([a, b]) => globsIntersect(atoms(stringOperand('regex.globs_match', a!, 1)), atoms(stringOperand('regex.globs_match', b!, 2))),
  },
];
