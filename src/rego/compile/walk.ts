/** Small traversals over terms and bodies used by the compile checks. */
import type { Body, Expr, Term, TermOf } from '../ast.ts';

/** Calls f on every term, including nested ones; does not enter comprehension or every bodies when `shallow`. */
export function forEachTerm(t: Term, f: (t: Term) => void, shallow = false): void {
  f(t);
  switch (t.type) {
    case 'ref':
      forEachTerm(t.head, f, shallow);
      for (const p of t.path) forEachTerm(p, f, shallow);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) forEachTerm(i, f, shallow);
      return;
    case 'object':
      for (const [k, v] of t.entries) {
        forEachTerm(k, f, shallow);
        forEachTerm(v, f, shallow);
      }
      return;
    case 'call':
      for (const a of t.args) forEachTerm(a, f, shallow);
      return;
    case 'arraycompr':
    case 'setcompr':
      if (shallow) return;
      forEachTerm(t.term, f);
      forEachBodyTerm(t.body, f);
      return;
    case 'objectcompr':
      if (shallow) return;
      forEachTerm(t.key, f);
      forEachTerm(t.value, f);
      forEachBodyTerm(t.body, f);
      return;
    case 'scalar':
    case 'var':
      return;
    default:
      // a new term type must be walked here, or the compile checks would not see the vars inside it (rego imports none of our helpers)
      t satisfies never;
  }
}

export function exprTerms(e: Expr): Term[] {
  const out: Term[] = [];
  switch (e.kind) {
    case 'term':
      out.push(e.term);
      break;
    case 'unify':
    case 'assign':
      out.push(e.left, e.right);
      break;
    case 'some':
      out.push(...e.vars);
      break;
    case 'somein':
    case 'every':
      if (e.key) out.push(e.key);
      out.push(e.value, e.domain);
      break;
    default:
      e satisfies never;
  }
  for (const w of e.with) out.push(w.target, w.value);
  return out;
}

export function forEachBodyTerm(body: Body, f: (t: Term) => void): void {
  for (const e of body) {
    for (const t of exprTerms(e)) forEachTerm(t, f);
    if (e.kind === 'every') forEachBodyTerm(e.body, f);
  }
}

export function varTerms(t: Term, shallow = true): Array<TermOf<'var'>> {
  const out: Array<TermOf<'var'>> = [];
  forEachTerm(
    t,
    (x) => {
      if (x.type === 'var') out.push(x);
    },
    shallow,
  );
  return out;
}
