/**
 * Name resolution: rule names and import aliases become `data` references,
 * calls get a target (builtin or user function), `with` targets are
 * classified, and variables declared in nested bodies (comprehensions,
 * `every`) are renamed so they never collide with the enclosing body.
 */
import type { Body, CallTarget, Expr, Rule, Term, TermOf, WithModifier } from '../ast.ts';
import { RegoFailure, type Location } from '../errors.ts';
import type { Builtin } from '../builtins/types.ts';
import { varTerms } from './walk.ts';

/** Builtins the evaluator implements itself. */
export const NATIVE_CALLS: ReadonlyMap<string, number | 'variadic'> = new Map<string, number | 'variadic'>([
  ['print', 'variadic'],
  ['internal.member_2', 2],
  ['internal.member_3', 3],
]);

export interface ResolveEnv {
  /** `data.<pkg>` as path segments. */
  pkg: string[];
  /** Rule names (first head segment) defined in this package by any module. */
  ruleNames: Set<string>;
  /** Import aliases to the reference they stand for. */
  imports: Map<string, Term>;
  /** Full paths (`data.a.f`) of user functions, with their arity. */
  functions: Map<string, number>;
  builtins: ReadonlyMap<string, Builtin>;
  errors: RegoFailure[];
}

class Scope {
  readonly names = new Map<string, string>();
  /** Names this body declares with `:=` further down (not in scope yet). */
  readonly later = new Set<string>();
  constructor(
    readonly parent: Scope | null,
    readonly nested: boolean,
  ) {}
  lookup(name: string): string | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
  /** Declared further down in an enclosing body: a nested body's own var, as in OPA. */
  laterInParent(name: string): boolean {
    for (let s = this.parent; s; s = s.parent) if (s.later.has(name)) return true;
    return false;
  }
  declare(name: string): string {
    this.later.delete(name);
    const existing = this.names.get(name);
    if (existing) return existing;
    const n = this.nested ? `${name}$${++renameCounter}` : name;
    this.names.set(name, n);
    return n;
  }
}

let renameCounter = 0;

const scalar = (value: string, loc: Location): Term => ({ type: 'scalar', value, loc });

function dataRef(path: string[], loc: Location, rest: Term[] = []): Term {
  return { type: 'ref', head: { type: 'var', name: 'data', loc }, path: [...path.map((p) => scalar(p, loc)), ...rest], loc };
}

/** Vars a body declares itself (not in nested bodies). */
function assignedIn(body: Body): Array<TermOf<'var'>> {
  return body.flatMap((e) => (e.kind === 'assign' ? patternVars(e.left) : []));
}

function declaredIn(body: Body): Array<TermOf<'var'>> {
  const out: Array<TermOf<'var'>> = [];
  for (const e of body) {
    if (e.kind === 'some') out.push(...e.vars);
    else if (e.kind === 'somein') {
      if (e.key) out.push(...patternVars(e.key));
      out.push(...patternVars(e.value));
    }
  }
  return out;
}

/** Vars in pattern positions: the term itself, or inside array/object literals. */
function patternVars(t: Term): Array<TermOf<'var'>> {
  switch (t.type) {
    case 'var':
      return [t];
    case 'array':
      return t.items.flatMap(patternVars);
    case 'object':
      return t.entries.flatMap(([, v]) => patternVars(v));
    default:
      return [];
  }
}

export class Resolver {
  constructor(private readonly env: ResolveEnv) {}

  private error(code: string, text: string, loc: Location): void {
    this.env.errors.push(new RegoFailure(code, text, loc));
  }

  resolveRule(rule: Rule): Rule {
    const scope = this.topScope(rule.body, rule.args);
    const body = this.resolveBody(rule.body, scope);
    const head = (t: Term) => this.resolveTerm(t, scope);
    const elses = rule.elses.map((e) => {
      const s = this.topScope(e.body, rule.args);
      return { ...e, body: this.resolveBody(e.body, s), value: this.resolveTerm(e.value, s) };
    });
    return {
      ...rule,
      ref: [rule.ref[0]!, ...rule.ref.slice(1).map(head)],
      args: rule.args.map(head),
      key: rule.key ? head(rule.key) : null,
      value: head(rule.value),
      body,
      elses,
    };
  }

  /** A query body: its vars stay as written. */
  resolveQuery(body: Body): Body {
    return this.resolveBody(body, this.topScope(body, []));
  }

  private topScope(body: Body, args: Term[]): Scope {
    const scope = new Scope(null, false);
    for (const a of args) for (const v of varTerms(a)) scope.names.set(v.name, v.name);
    for (const v of declaredIn(body)) scope.names.set(v.name, v.name);
    for (const v of assignedIn(body)) if (!scope.names.has(v.name)) scope.later.add(v.name);
    return scope;
  }

  private nestedScope(parent: Scope, body: Body, extra: Array<TermOf<'var'>> = []): Scope {
    const scope = new Scope(parent, true);
    for (const v of [...extra, ...declaredIn(body)]) scope.declare(v.name);
    for (const v of assignedIn(body)) if (!scope.names.has(v.name)) scope.later.add(v.name);
    return scope;
  }

  resolveBody(body: Body, scope: Scope): Body {
    return body.map((e) => this.resolveExpr(e, scope));
  }

  private resolveExpr(e: Expr, scope: Scope): Expr {
    const r = (t: Term) => this.resolveTerm(t, scope);
    const withs = e.with.map((w) => this.resolveWith(w, scope));
    const base = { loc: e.loc, negated: e.negated, with: withs };
    switch (e.kind) {
      case 'term':
        return { ...base, kind: 'term', term: r(e.term) };
      case 'unify':
        return { ...base, kind: e.kind, left: r(e.left), right: r(e.right) };
      case 'assign': {
        const right = r(e.right);
        for (const v of patternVars(e.left)) scope.declare(v.name);
        return { ...base, kind: e.kind, left: r(e.left), right };
      }
      case 'some':
        return { ...base, kind: 'some', vars: e.vars.map((v) => r(v) as TermOf<'var'>) };
      case 'somein':
        return { ...base, kind: 'somein', key: e.key ? r(e.key) : null, value: r(e.value), domain: r(e.domain) };
      case 'every': {
        const inner = this.nestedScope(scope, e.body, [...(e.key ? patternVars(e.key) : []), ...patternVars(e.value)]);
        const ri = (t: Term) => this.resolveTerm(t, inner);
        return {
          ...base,
          kind: 'every',
          key: e.key ? ri(e.key) : null,
          value: ri(e.value),
          domain: r(e.domain),
          body: this.resolveBody(e.body, inner),
        };
      }
    }
  }

  private resolveWith(w: WithModifier, scope: Scope): WithModifier {
    const value = this.resolveTerm(w.value, scope);
    const names = nameOf(w.target);
    if (!names) {
      this.error('rego_compile_error', 'with keyword target must reference existing input, data, or a function', w.target.loc);
      return { ...w, value };
    }
    const target = this.resolveTerm(w.target, scope);
    const fnValue = this.functionNamed(w.value, scope);
    if (target.type === 'var' && target.name === 'input') return { ...w, target, value, resolved: { kind: 'input', path: [] } };
    if (target.type === 'ref' && target.head.type === 'var' && (target.head.name === 'input' || target.head.name === 'data')) {
      const path = target.path;
      if (target.head.name === 'data') {
        const full = ['data', ...path.map((p) => (p.type === 'scalar' ? String(p.value) : '?'))].join('.');
        if (this.env.functions.has(full)) return { ...w, target, value, resolved: { kind: 'mock', name: full, fn: fnValue } };
      }
      return { ...w, target, value, resolved: { kind: target.head.name, path } };
    }
    if (target.type === 'var' && target.name === 'data') return { ...w, target, value, resolved: { kind: 'data', path: [] } };
    const builtin = names.join('.');
    if (this.env.builtins.has(builtin) || NATIVE_CALLS.has(builtin)) {
      const vn = nameOf(w.value);
      const known = (n: string) => scope.lookup(n) !== undefined || n === 'data' || n === 'input' || this.env.ruleNames.has(n) || this.env.imports.has(n);
      if (!fnValue && vn && vn.length > 1 && !known(vn[0]!)) {
        // A dotted name that is neither a document nor a known function: an unknown builtin.
        this.error('rego_type_error', `undefined function ${vn.join('.')}`, w.value.loc);
        return { ...w, value };
      }
      return { ...w, target, value, resolved: { kind: 'mock', name: builtin, fn: fnValue } };
    }
    this.error('rego_compile_error', 'with keyword target must reference existing input, data, or a function', w.target.loc);
    return { ...w, value };
  }

  /** The function a `with` value names, if it names one (else it is a plain value). */
  private functionNamed(t: Term, scope: Scope): CallTarget | null {
    const names = nameOf(t);
    if (!names || scope.lookup(names[0]!)) return null;
    const path = this.functionPath(names);
    if (path && this.env.functions.has(path)) return { kind: 'function', path };
    const builtin = names.join('.');
    if (!this.env.ruleNames.has(names[0]!) && (this.env.builtins.has(builtin) || NATIVE_CALLS.has(builtin))) return { kind: 'builtin', name: builtin };
    return null;
  }

  private functionPath(op: string[]): string | null {
    const [first, ...rest] = op;
    if (first === 'data') return op.join('.');
    if (this.env.ruleNames.has(first!)) return ['data', ...this.env.pkg, ...op].join('.');
    const imp = this.env.imports.get(first!);
    if (imp) {
      const names = nameOf(imp);
      if (names && names[0] === 'data') return [...names, ...rest].join('.');
    }
    return null;
  }

  resolveTerm(t: Term, scope: Scope): Term {
    switch (t.type) {
      case 'scalar':
        return t;
      case 'var':
        return this.resolveVar(t, scope);
      case 'ref': {
        const head = this.resolveTerm(t.head, scope);
        const path = t.path.map((p) => this.resolveTerm(p, scope));
        if (head.type === 'ref') return { ...head, path: [...head.path, ...path], loc: t.loc };
        return { ...t, head, path };
      }
      case 'array':
      case 'set':
        return { ...t, items: t.items.map((i) => this.resolveTerm(i, scope)) };
      case 'object':
        return { ...t, entries: t.entries.map(([k, v]) => [this.resolveTerm(k, scope), this.resolveTerm(v, scope)] as [Term, Term]) };
      case 'arraycompr':
      case 'setcompr': {
        const inner = this.nestedScope(scope, t.body);
        return { ...t, body: this.resolveBody(t.body, inner), term: this.resolveTerm(t.term, inner) };
      }
      case 'objectcompr': {
        const inner = this.nestedScope(scope, t.body);
        const body = this.resolveBody(t.body, inner);
        return { ...t, body, key: this.resolveTerm(t.key, inner), value: this.resolveTerm(t.value, inner) };
      }
      case 'call':
        return this.resolveCall(t, scope);
    }
  }

  private resolveVar(t: TermOf<'var'>, scope: Scope): Term {
    const local = scope.lookup(t.name);
    if (local !== undefined) return local === t.name ? t : { ...t, name: local };
    if (scope.later.has(t.name)) return t;
    if (scope.laterInParent(t.name)) return { ...t, name: scope.declare(t.name) };
    if (t.name === 'data' || t.name === 'input') return t;
    if (this.env.ruleNames.has(t.name)) return dataRef([...this.env.pkg, t.name], t.loc);
    const imp = this.env.imports.get(t.name);
    if (imp) return { ...imp, loc: t.loc };
    return t;
  }

  private resolveCall(t: TermOf<'call'>, scope: Scope): Term {
    const args = t.args.map((a) => this.resolveTerm(a, scope));
    let target: CallTarget;
    let arity: number | 'variadic' | undefined;
    const path = scope.lookup(t.op[0]!) ? null : this.functionPath(t.op);
    const display = t.op.join('.');
    if (path) {
      target = { kind: 'function', path };
      arity = this.env.functions.get(path);
      if (arity === undefined) {
        this.error('rego_type_error', `undefined function ${path}`, t.loc);
        return { ...t, args, target };
      }
    } else {
      target = { kind: 'builtin', name: display };
      arity = this.env.builtins.get(display)?.arity ?? NATIVE_CALLS.get(display);
      if (arity === undefined) {
        this.error('rego_type_error', `undefined function ${display}`, t.loc);
        return { ...t, args, target };
      }
    }
    if (arity !== 'variadic' && args.length !== arity && args.length !== arity + 1) {
      this.error('rego_type_error', `${display}: arity mismatch: have ${args.length} arguments, want ${arity}`, t.loc);
    }
    return { ...t, args, target };
  }
}

/** `a.b.c` as names, when a term is a plain dotted name. */
export function nameOf(t: Term): string[] | null {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return null;
  const out = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'scalar' || typeof p.value !== 'string') return null;
    out.push(p.value);
  }
  return out;
}
