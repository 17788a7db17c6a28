/**
 * Safety: every variable must be bound by some expression before it is
 * used. Like OPA, bodies are reordered so that expressions run once their
 * inputs are bound; variables that nothing can bind are reported as
 * `rego_unsafe_var_error`.
 */
import type { Body, Expr, Term, TermOf } from '../ast.ts';
import { isWildcard } from '../ast.ts';
import { RegoFailure } from '../errors.ts';
import { forEachTerm, exprTerms } from './walk.ts';

type Arity = (call: TermOf<'call'>) => number | 'variadic' | undefined;

const isGlobal = (name: string) => name === 'data' || name === 'input';

/** Vars of a term or body at this level (entering comprehensions too). */
function deepVars(terms: Term[], out = new Set<string>()): Set<string> {
  for (const t of terms)
    forEachTerm(t, (x) => {
      if (x.type === 'var' && !isGlobal(x.name)) out.add(x.name);
    });
  return out;
}

function shallowBodyVars(body: Body, out = new Set<string>()): Set<string> {
  for (const e of body)
    for (const t of exprTerms(e))
      forEachTerm(
        t,
        (x) => {
          if (x.type === 'var' && !isGlobal(x.name)) out.add(x.name);
        },
        true,
      );
  return out;
}

/** A call's arguments, plain vars last: the order the evaluator evaluates them in (evaluator.ts argOrder). */
function argsInEvalOrder(call: TermOf<'call'>): Term[] {
  return [...call.args.filter((a) => a.type !== 'var'), ...call.args.filter((a) => a.type === 'var')];
}

/** Is the call written with its output as an extra last argument (`count(xs, n)`)? */
function hasOutputArg(call: TermOf<'call'>, arity: Arity): boolean {
  const a = arity(call);
  return typeof a === 'number' && call.args.length === a + 1;
}

export class Safety {
  readonly errors: RegoFailure[] = [];
  constructor(private readonly arity: Arity) {}

  /**
   * Reorders `body` given the vars bound on entry; `visible` holds vars of
   * enclosing bodies (captured by comprehensions). Adds outputs to `bound`.
   */
  reorder(body: Body, bound: Set<string>, visible: Set<string>): Body {
    const vis = shallowBodyVars(body, new Set(visible));
    for (const b of bound) vis.add(b);
    const remaining = [...body];
    const out: Body = [];
    while (remaining.length > 0) {
      let picked = -1;
      let outputs: Set<string> | null = null;
      for (let i = 0; i < remaining.length; i++) {
        outputs = this.exprOutputs(remaining[i]!, bound, vis);
        if (outputs) {
          picked = i;
          break;
        }
      }
      if (picked < 0) {
        this.reportUnsafe(remaining, bound, vis);
        return [...out, ...remaining];
      }
      const e = remaining.splice(picked, 1)[0]!;
      out.push(this.finishExpr(e, bound, vis));
      for (const v of outputs!) bound.add(v);
    }
    return out;
  }

  /** Reorders nested bodies (comprehensions, every) once the enclosing expression's position is known. */
  private finishExpr(e: Expr, bound: Set<string>, vis: Set<string>): Expr {
    const fix = (t: Term): Term => this.finishTerm(t, bound, vis);
    const withs = e.with.map((w) => ({ ...w, value: fix(w.value) }));
    switch (e.kind) {
      case 'term':
        return { ...e, with: withs, term: fix(e.term) };
      case 'unify':
      case 'assign':
        return { ...e, with: withs, left: fix(e.left), right: fix(e.right) };
      case 'somein':
        return { ...e, with: withs, domain: fix(e.domain) };
      case 'every': {
        const inner = new Set(bound);
        for (const v of deepVars(e.key ? [e.key, e.value] : [e.value])) inner.add(v);
        return { ...e, with: withs, domain: fix(e.domain), body: this.reorder(e.body, inner, vis) };
      }
      default:
        return e;
    }
  }

  private finishTerm(t: Term, bound: Set<string>, vis: Set<string>): Term {
    const fix = (x: Term) => this.finishTerm(x, bound, vis);
    switch (t.type) {
      case 'ref':
        return { ...t, head: fix(t.head), path: t.path.map(fix) };
      case 'array':
      case 'set':
        return { ...t, items: t.items.map(fix) };
      case 'object':
        return { ...t, entries: t.entries.map(([k, v]) => [fix(k), fix(v)] as [Term, Term]) };
      case 'call':
        return { ...t, args: t.args.map(fix) };
      case 'arraycompr':
      case 'setcompr':
      case 'objectcompr': {
        const inner = new Set(bound);
        const body = this.reorder(t.body, inner, vis);
        const heads = t.type === 'objectcompr' ? [t.key, t.value] : [t.term];
        for (const h of heads) this.checkHead(h, inner);
        if (t.type === 'objectcompr') return { ...t, body, key: this.finishTerm(t.key, inner, vis), value: this.finishTerm(t.value, inner, vis) };
        return { ...t, body, term: this.finishTerm(t.term, inner, vis) };
      }
      default:
        return t;
    }
  }

  /** Head terms (rule values, keys, comprehension heads) must only use bound vars (ref keys may enumerate). */
  checkHead(t: Term, bound: Set<string>): void {
    const s = new Set(bound);
    const missing: Array<TermOf<'var'>> = [];
    this.walkEval(t, s, new Set(), missing);
    const seen = new Set<string>();
    for (const x of missing) {
      if (seen.has(x.name)) continue;
      seen.add(x.name);
      this.errors.push(new RegoFailure('rego_unsafe_var_error', `var ${displayName(x.name)} is unsafe`, x.loc));
    }
  }

  /** The vars an expression binds, or null when its inputs are not bound yet. */
  exprOutputs(e: Expr, bound: Set<string>, vis: Set<string>): Set<string> | null {
    for (const w of e.with) if (!(w.resolved?.kind === 'mock' && w.resolved.fn) && !this.evaluable(w.value, bound, vis)) return null;
    let out: Set<string> | null;
    switch (e.kind) {
      case 'some':
        return new Set();
      case 'term': {
        const t = e.term;
        if (t.type === 'call' && hasOutputArg(t, this.arity)) {
          const s = new Set(bound);
          for (const a of t.args.slice(0, -1)) {
            const g = this.evaluable(a, s, vis);
            if (!g) return null;
            for (const v of g) s.add(v);
          }
          const p = this.patternOutputs(t.args[t.args.length - 1]!, s, vis);
          if (!p) return null;
          for (const v of p) s.add(v);
          out = minus(s, bound);
        } else out = this.evaluable(t, bound, vis);
        break;
      }
      case 'unify':
        out = this.unify(e.left, e.right, bound, vis);
        break;
      case 'assign': {
        const g = this.evaluable(e.right, bound, vis);
        if (!g) return null;
        const p = this.patternOutputs(e.left, union(bound, g), vis);
        out = p ? union(g, p) : null;
        break;
      }
      case 'somein': {
        const g = this.evaluable(e.domain, bound, vis);
        if (!g) return null;
        let s = union(bound, g);
        for (const pat of e.key ? [e.key, e.value] : [e.value]) {
          const p = this.patternOutputs(pat, s, vis, true);
          if (!p) return null;
          s = union(s, p);
        }
        out = minus(s, bound);
        break;
      }
      case 'every': {
        const g = this.evaluable(e.domain, bound, vis);
        return g ? new Set() : null;
      }
    }
    if (out && e.negated) {
      for (const v of out) if (!isWildcard(v)) return null;
      return new Set();
    }
    return out;
  }

  private unify(l: Term, r: Term, bound: Set<string>, vis: Set<string>): Set<string> | null {
    if (l.type === 'array' && r.type === 'array' && l.items.length === r.items.length) {
      return this.pairwise(
        l.items.map((x, i) => [x, r.items[i]!] as [Term, Term]),
        bound,
        vis,
      );
    }
    const pairs = objectPairs(l, r);
    if (pairs) return this.pairwise(pairs, bound, vis);
    const gr = this.evaluable(r, bound, vis);
    if (gr) {
      const p = this.patternOutputs(l, union(bound, gr), vis);
      if (p) return union(gr, p);
    }
    const gl = this.evaluable(l, bound, vis);
    if (gl) {
      const p = this.patternOutputs(r, union(bound, gl), vis);
      if (p) return union(gl, p);
    }
    return null;
  }

  private pairwise(pairs: Array<[Term, Term]>, bound: Set<string>, vis: Set<string>): Set<string> | null {
    let s = new Set(bound);
    const left = [...pairs];
    while (left.length > 0) {
      let progressed = false;
      for (let i = 0; i < left.length; i++) {
        const o = this.unify(left[i]![0], left[i]![1], s, vis);
        if (o) {
          s = union(s, o);
          left.splice(i, 1);
          i--;
          progressed = true;
        }
      }
      if (!progressed) return null;
    }
    return minus(s, bound);
  }

  /** Vars bound by matching pattern `p` against a known value, or null if part of it cannot be evaluated. */
  patternOutputs(p: Term, bound: Set<string>, vis: Set<string>, declare = false): Set<string> | null {
    switch (p.type) {
      case 'var':
        return isGlobal(p.name) || (bound.has(p.name) && !declare) ? new Set() : new Set([p.name]);
      case 'array': {
        let s = new Set(bound);
        for (const i of p.items) {
          const o = this.patternOutputs(i, s, vis, declare);
          if (!o) return null;
          s = union(s, o);
        }
        return minus(s, bound);
      }
      case 'object': {
        let s = new Set(bound);
        for (const [k, v] of p.entries) {
          const g = this.evaluable(k, s, vis);
          if (!g) return null;
          const o = this.patternOutputs(v, union(s, g), vis, declare);
          if (!o) return null;
          s = union(union(s, g), o);
        }
        return minus(s, bound);
      }
      default:
        return this.evaluable(p, bound, vis);
    }
  }

  /** The generator vars (ref keys) a term binds when evaluated, or null if it needs an unbound var. */
  evaluable(t: Term, bound: Set<string>, vis: Set<string>): Set<string> | null {
    const s = new Set(bound);
    return this.walkEval(t, s, vis) ? minus(s, bound) : null;
  }

  /** With `missing`, collects every unbound var instead of stopping at the first. */
  private walkEval(t: Term, s: Set<string>, vis: Set<string>, missing?: Array<TermOf<'var'>>): boolean {
    if (missing) {
      const ok = this.walkEval(t, s, vis);
      if (ok) return true;
    }
    switch (t.type) {
      case 'scalar':
        return true;
      case 'var': {
        const ok = isGlobal(t.name) || s.has(t.name);
        if (!ok && missing) missing.push(t);
        return ok;
      }
      case 'ref': {
        if (missing) {
          this.walkEval(t.head, s, vis, missing);
          for (const p of t.path) {
            if (p.type === 'var') s.add(p.name);
            else this.walkEval(p, s, vis, missing);
          }
          return false;
        }
        if (!this.walkEval(t.head, s, vis)) return false;
        for (const p of t.path) {
          if (p.type === 'var') {
            if (!isGlobal(p.name)) s.add(p.name);
          } else if (p.type === 'array' || p.type === 'object') {
            const o = this.patternOutputs(p, s, vis);
            if (!o) return false;
            for (const v of o) s.add(v);
          } else if (!this.walkEval(p, s, vis)) return false;
        }
        return true;
      }
      case 'array':
      case 'set':
        if (missing) return t.items.map((i) => this.walkEval(i, s, vis, missing)).every(Boolean);
        return t.items.every((i) => this.walkEval(i, s, vis));
      case 'object':
        if (missing) return t.entries.map(([k, v]) => this.walkEval(k, s, vis, missing) && this.walkEval(v, s, vis, missing)).every(Boolean);
        return t.entries.every(([k, v]) => this.walkEval(k, s, vis) && this.walkEval(v, s, vis));
      case 'call': {
        // As OPA: vars a ref argument enumerates are outputs of the call whatever the argument order (`x == xs[x]`).
        const args = argsInEvalOrder(t);
        if (missing) return args.map((a) => this.walkEval(a, s, vis, missing)).every(Boolean);
        return args.every((a) => this.walkEval(a, s, vis));
      }
      case 'arraycompr':
      case 'setcompr':
      case 'objectcompr': {
        // Captured vars (those of enclosing bodies) must be bound first.
        for (const v of deepVars([t])) if (vis.has(v) && !s.has(v)) return false;
        return true;
      }
    }
  }

  private reportUnsafe(stuck: Body, bound: Set<string>, vis: Set<string>): void {
    const reported = new Set<string>();
    const candidates: Array<TermOf<'var'>> = [];
    for (const e of stuck) {
      for (const t of exprTerms(e))
        forEachTerm(
          t,
          (x) => {
            if (x.type === 'var' && !isGlobal(x.name) && !bound.has(x.name) && (vis.has(x.name) || true)) candidates.push(x);
          },
          true,
        );
      if (e.kind === 'every' || e.kind === 'some') continue;
    }
    // Prefer vars that nothing could output; fall back to every unbound var.
    const outputs = new Set<string>();
    for (const e of stuck) {
      const all = new Set(bound);
      for (const c of candidates) if (c.name !== undefined) all.add(c.name);
      for (const v of this.exprOutputsLoose(e)) outputs.add(v);
    }
    let pick = candidates.filter((c) => !outputs.has(c.name));
    if (pick.length === 0) pick = candidates;
    for (const v of pick) {
      if (reported.has(v.name) || isWildcard(v.name)) continue;
      reported.add(v.name);
      this.errors.push(new RegoFailure('rego_unsafe_var_error', `var ${displayName(v.name)} is unsafe`, v.loc));
    }
    if (reported.size === 0 && stuck[0]) {
      const w = pick[0] ?? candidates[0];
      this.errors.push(new RegoFailure('rego_unsafe_var_error', `var ${w ? '_' : 'expression'} is unsafe`, w?.loc ?? stuck[0].loc));
    }
  }

  /** Vars in output positions of an expression, whatever is bound. */
  private exprOutputsLoose(e: Expr): Set<string> {
    const out = new Set<string>();
    const pat = (t: Term) => {
      if (t.type === 'var') out.add(t.name);
      else if (t.type === 'array') t.items.forEach(pat);
      else if (t.type === 'object') t.entries.forEach(([, v]) => pat(v));
    };
    const refs = (t: Term) =>
      forEachTerm(
        t,
        (x) => {
          if (x.type === 'ref') for (const p of x.path) if (p.type === 'var') out.add(p.name);
        },
        true,
      );
    if (e.negated) return out;
    if (e.kind === 'unify') {
      pat(e.left);
      pat(e.right);
    }
    if (e.kind === 'assign') pat(e.left);
    if (e.kind === 'somein') {
      if (e.key) pat(e.key);
      pat(e.value);
    }
    if (e.kind === 'term' && e.term.type === 'call' && hasOutputArg(e.term, this.arity)) pat(e.term.args[e.term.args.length - 1]!);
    for (const t of exprTerms(e)) refs(t);
    return out;
  }
}

export function displayName(name: string): string {
  if (isWildcard(name)) return '_';
  const i = name.indexOf('$');
  return i > 0 ? name.slice(0, i) : name;
}

function union(a: Set<string>, b: Set<string>): Set<string> {
  const s = new Set(a);
  for (const v of b) s.add(v);
  return s;
}

function minus(a: Set<string>, b: Set<string>): Set<string> {
  const s = new Set<string>();
  for (const v of a) if (!b.has(v)) s.add(v);
  return s;
}

/** Two object literals with the same constant keys unify value by value. */
export function objectPairs(l: Term, r: Term): Array<[Term, Term]> | null {
  if (l.type !== 'object' || r.type !== 'object' || l.entries.length !== r.entries.length) return null;
  const key = (t: Term) => (t.type === 'scalar' ? JSON.stringify(t.value) : null);
  const right = new Map<string, Term>();
  for (const [k, v] of r.entries) {
    const kk = key(k);
    if (kk === null) return null;
    right.set(kk, v);
  }
  const pairs: Array<[Term, Term]> = [];
  for (const [k, v] of l.entries) {
    const kk = key(k);
    const rv = kk === null ? undefined : right.get(kk);
    if (rv === undefined) return null;
    pairs.push([v, rv]);
  }
  return pairs;
}
