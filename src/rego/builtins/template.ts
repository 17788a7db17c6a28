/**
 * strings.render_template: Go's text/template over the variables object.
 * Supported: text, `{{.a.b}}`, `{{$v}}`, `{{- trim -}}`, `if`/`else if`/
 * `else`, `range` (with `$i, $v :=`), `with`, comments, string and number
 * literals, pipes, and the functions eq ne lt le gt ge and or not len index
 * print printf println. A missing key prints `<undefined>`, as OPA's does.
 */
import { compare, equal, isNumber, ObjectValue, SetValue, type Value } from '../value.ts';
import { numberText } from '../decimal.ts';
import { goArg, goSprintf } from './gofmt.ts';
import { builtinError, objectOperand, stringOperand } from './operands.ts';
import type { Builtin } from './types.ts';

const NAME = 'strings.render_template';
const fail = (why: string): Error => builtinError(NAME, `template: ${why}`);

type Node =
  | { t: 'text'; s: string }
  | { t: 'out'; p: string }
  | { t: 'if' | 'with'; p: string; yes: Node[]; no: Node[] }
  | { t: 'range'; vars: string[]; p: string; body: Node[]; else: Node[] };

/** Text and actions, with `{{-` / `-}}` trimming the neighbouring whitespace. */
function tokens(src: string): Array<{ text: string } | { action: string }> {
  const out: Array<{ text: string } | { action: string }> = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      out.push({ text });
      break;
    }
    const close = src.indexOf('}}', open + 2);
    if (close < 0) throw fail('unclosed action');
    let action = src.slice(open + 2, close);
    if (action.startsWith('- ')) {
      text = text.replace(/\s+$/, '');
      action = action.slice(2);
    }
    trimNext = action.endsWith(' -');
    if (trimNext) action = action.slice(0, -2);
    out.push({ text }, { action: action.trim() });
    i = close + 2;
  }
  return out;
}

function parse(src: string): Node[] {
  const toks = tokens(src);
  let pos = 0;
  const block = (ends: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (pos < toks.length) {
      const tok = toks[pos++]!;
      if ('text' in tok) {
        if (tok.text) nodes.push({ t: 'text', s: tok.text });
        continue;
      }
      const a = tok.action;
      if (a.startsWith('/*')) continue;
      const word = a.split(/\s+/)[0]!;
      if (ends.includes(word) || (word === 'else' && ends.includes('else'))) return { nodes, end: a };
      if (word === 'if' || word === 'with') nodes.push(conditional(word, a.slice(word.length).trim()));
      else if (word === 'range') {
        let p = a.slice(5).trim();
        let vars: string[] = [];
        const decl = /^(\$\w*)(?:\s*,\s*(\$\w*))?\s*:=\s*(.*)$/.exec(p);
        if (decl) {
          vars = decl[2] ? [decl[1]!, decl[2]] : [decl[1]!];
          p = decl[3]!;
        }
        const body = block(['end', 'else']);
        const node: Node = { t: 'range', vars, p, body: body.nodes, else: [] };
        if (body.end.startsWith('else')) node.else = block(['end']).nodes;
        nodes.push(node);
      } else nodes.push({ t: 'out', p: a });
    }
    if (ends.length > 0) throw fail(`unexpected EOF, missing {{end}}`);
    return { nodes, end: '' };
  };
  // `{{else if x}}` is `{{else}}{{if x}}...{{end}}` sharing the outer {{end}}.
  const conditional = (t: 'if' | 'with', p: string): Node => {
    const body = block(['end', 'else']);
    const node: Node = { t, p, yes: body.nodes, no: [] };
    if (body.end.startsWith('else')) {
      const rest = body.end.slice(4).trim();
      node.no = rest.startsWith('if ') ? [conditional('if', rest.slice(3).trim())] : block(['end']).nodes;
    }
    return node;
  };
  return block([]).nodes;
}

const UNDEFINED = Symbol('undefined');
type TVal = Value | typeof UNDEFINED;

interface Scope {
  dot: TVal;
  vars: Map<string, TVal>;
}

function field(v: TVal, key: string): TVal {
  if (v instanceof ObjectValue) return v.get(key) ?? UNDEFINED;
  if (v === UNDEFINED) return UNDEFINED;
  throw fail(`can't evaluate field ${key} in type ${typeof v}`);
}

function truthy(v: TVal): boolean {
  if (v === UNDEFINED || v === null || v === false || v === 0 || v === 0n || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof ObjectValue || v instanceof SetValue) return v.size > 0;
  return true;
}

/** What Go's fmt prints for the JSON-ish values OPA hands the template. */
function show(v: TVal): string {
  if (v === UNDEFINED) return '<undefined>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (isNumber(v)) return numberText(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(' ')}]`;
  if (v instanceof SetValue) return `[${v.sorted().map(show).join(' ')}]`;
  return `map[${v
    .sortedEntries()
    .map(([k, x]) => `${show(k)}:${show(x)}`)
    .join(' ')}]`;
}

function args(text: string): string[] {
  return text.match(/"(?:[^"\\]|\\.)*"|`[^`]*`|\([^)]*\)|[^\s]+/g) ?? [];
}

function operand(a: string, s: Scope): TVal {
  if (a.startsWith('(') && a.endsWith(')')) return pipeline(a.slice(1, -1), s);
  if (a.startsWith('"')) return JSON.parse(a) as string;
  if (a.startsWith('`')) return a.slice(1, -1);
  if (a === 'true' || a === 'false') return a === 'true';
  if (a === 'nil') return null;
  if (/^-?\d/.test(a)) return Number(a);
  if (a === '.') return s.dot;
  if (a.startsWith('.')) return a.slice(1).split('.').reduce<TVal>(field, s.dot);
  if (a.startsWith('$')) {
    const [name, ...path] = a.split('.');
    if (!s.vars.has(name!)) throw fail(`undefined variable "${name}"`);
    return path.reduce<TVal>(field, s.vars.get(name!)!);
  }
  throw fail(`function "${a}" not defined`);
}

const FUNCS: Record<string, (xs: TVal[]) => TVal> = {
  eq: ([a, ...bs]) => bs.some((b) => a !== UNDEFINED && b !== UNDEFINED && equal(a!, b)),
  ne: ([a, b]) => !(a !== UNDEFINED && b !== UNDEFINED && equal(a!, b!)),
  lt: ([a = UNDEFINED, b = UNDEFINED]) => cmp(a, b) < 0,
  le: ([a = UNDEFINED, b = UNDEFINED]) => cmp(a, b) <= 0,
  gt: ([a = UNDEFINED, b = UNDEFINED]) => cmp(a, b) > 0,
  ge: ([a = UNDEFINED, b = UNDEFINED]) => cmp(a, b) >= 0,
  and: (xs) => xs.find((x) => !truthy(x)) ?? xs[xs.length - 1]!,
  or: (xs) => xs.find(truthy) ?? xs[xs.length - 1]!,
  not: ([a]) => !truthy(a!),
  len: ([a]) => {
    if (typeof a === 'string') return Buffer.byteLength(a);
    if (Array.isArray(a)) return a.length;
    if (a instanceof ObjectValue || a instanceof SetValue) return a.size;
    throw fail('len of a value without length');
  },
  index: ([a, ...keys]) =>
    keys.reduce<TVal>((v, k) => {
      if (k === UNDEFINED || k === undefined) return UNDEFINED;
      if (Array.isArray(v) && typeof k === 'number') return v[k] ?? UNDEFINED;
      return v instanceof ObjectValue ? (v.get(k) ?? UNDEFINED) : UNDEFINED;
    }, a!),
  print: (xs) => xs.map(show).join(''),
  println: (xs) => `${xs.map(show).join(' ')}\n`,
  printf: ([f, ...xs]) =>
    goSprintf(
      String(f),
      xs.map((x) => goArg(typeof x === 'string' || (x !== UNDEFINED && isNumber(x)) ? (x as string) : show(x))),
    ),
};

function cmp(a: TVal, b: TVal): number {
  if (a === UNDEFINED || b === UNDEFINED) throw fail('incompatible types for comparison');
  return compare(a, b);
}

function command(text: string, s: Scope, piped: TVal[]): TVal {
  const [head, ...rest] = args(text);
  if (head === undefined) throw fail('missing value for command');
  const fn = FUNCS[head];
  if (fn) return fn([...rest.map((a) => operand(a, s)), ...piped]);
  if (rest.length > 0 || piped.length > 0) throw fail(`can't give argument to non-function ${head}`);
  return operand(head, s);
}

function pipeline(text: string, s: Scope): TVal {
  let piped: TVal[] = [];
  for (const part of text.split(/\|(?=(?:[^"]*"[^"]*")*[^"]*$)/)) piped = [command(part.trim(), s, piped)];
  return piped[0]!;
}

function render(nodes: Node[], s: Scope, out: string[]): void {
  for (const n of nodes) {
    if (n.t === 'text') out.push(n.s);
    else if (n.t === 'out') {
      const decl = /^(\$\w+)\s*:?=\s*(.*)$/.exec(n.p);
      if (decl) s.vars.set(decl[1]!, pipeline(decl[2]!, s));
      else out.push(show(pipeline(n.p, s)));
    } else if (n.t === 'if') render(truthy(pipeline(n.p, s)) ? n.yes : n.no, s, out);
    else if (n.t === 'with') {
      const v = pipeline(n.p, s);
      if (truthy(v)) render(n.yes, { dot: v, vars: s.vars }, out);
      else render(n.no, s, out);
    } else if (n.t === 'range') {
      const v = pipeline(n.p, s);
      const items: Array<[Value, Value]> = Array.isArray(v)
        ? v.map((x, i) => [i, x])
        : v instanceof ObjectValue
          ? v.sortedEntries()
          : v instanceof SetValue
            ? v.sorted().map((x, i) => [i, x])
            : [];
      if (items.length === 0) render(n.else, s, out);
      for (const [k, x] of items) {
        const vars = new Map(s.vars);
        if (n.vars.length === 2) {
          vars.set(n.vars[0]!, k);
          vars.set(n.vars[1]!, x);
        } else if (n.vars.length === 1) vars.set(n.vars[0]!, x);
        render(n.body, { dot: x, vars }, out);
      }
    }
  }
}

export const TEMPLATE: Builtin[] = [
  {
    name: NAME,
    arity: 2,
    call([t, v]) {
      const src = stringOperand(NAME, t!, 1);
      const vars = objectOperand(NAME, v!, 2);
      const out: string[] = [];
      render(parse(src), { dot: vars, vars: new Map([['$', vars]]) }, out);
      return out.join('');
    },
  },
];
