/**
 * Evaluating one rule definition on its own, as `opa test` runs each test
 * rule (OPA renames a second `test_x` to `test_x#01` and runs both). A
 * complete definition yields its value, or undefined; a definition with
 * variables in its head (`test_x[name]`, a parameterised test) yields the
 * object of the cases it produced, and `startedCases` lists every case its
 * body reached, so a case that failed after being named is still reported.
 */
import type { Body, Term } from '../ast.ts';
import type { CompiledRule } from '../compile/types.ts';
import { exprTerms, varTerms } from '../compile/walk.ts';
import { canonicalKey, ObjectValue, SetValue, type Value } from '../value.ts';
import type { Ctx } from './context.ts';
import type { Env, Evaluator } from './evaluator.ts';

/** The value of a complete definition: its body, then each else clause until one succeeds. */
export function definitionValue(ev: Evaluator, r: CompiledRule, ctx: Ctx): Value | undefined {
  if (r.suffix.length > 0) return casesValue(ev, r, ctx);
  if (r.kind === 'multi') return membersValue(ev, r, ctx);
  const clauses = [{ body: r.rule.body, value: r.rule.value }, ...r.rule.elses];
  for (const c of clauses) {
    let out: Value | undefined;
    const env: Env = new Map();
    ev.evalBody(c.body, 0, env, ctx, () =>
      ev.evalTerm(r.kind === 'multi' ? r.rule.key! : c.value, env, ctx, (v) => {
        out = v;
        return true;
      }),
    );
    if (out !== undefined) return out;
  }
  return undefined;
}

/** `deny contains f if ...`: every member the definition produces (its first successful clause, as a multi-value rule). */
function membersValue(ev: Evaluator, r: CompiledRule, ctx: Ctx): SetValue {
  const out = new SetValue();
  for (const c of [{ body: r.rule.body }, ...r.rule.elses]) {
    const env: Env = new Map();
    let found = false;
    ev.evalBody(c.body, 0, env, ctx, () => {
      found = true;
      return ev.evalTerm(r.rule.key!, env, ctx, (v) => {
        out.add(v);
        return false;
      });
    });
    if (found) break;
  }
  return out;
}

/** `test_x[a][b] := v`: nested objects from the head's keys to the values (sets for `contains`). */
function casesValue(ev: Evaluator, r: CompiledRule, ctx: Ctx): Value {
  const root = new ObjectValue();
  const env: Env = new Map();
  ev.evalBody(r.rule.body, 0, env, ctx, () =>
    ev.evalList(r.suffix, 0, [], env, ctx, (keys) =>
      ev.evalTerm(r.kind === 'multi' ? r.rule.key! : r.rule.value, env, ctx, (v) => {
        let cur = root;
        for (const k of keys.slice(0, -1)) {
          let next = cur.get(k);
          if (!(next instanceof ObjectValue)) {
            next = new ObjectValue();
            cur.set(k, next);
          }
          cur = next;
        }
        const last = keys[keys.length - 1]!;
        if (r.kind === 'multi') cur.set(last, new SetValue([...((cur.get(last) as SetValue | undefined) ?? []), v]));
        else cur.set(last, v);
        return false;
      }),
    ),
  );
  return root;
}

/** The shortest start of the body after which every variable of the head's keys is bound. */
function caseNamingPrefix(body: Body, suffix: Term[]): Body {
  const needed = new Set(suffix.flatMap((t) => varTerms(t).map((v) => v.name)));
  const seen = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    // `some x` declares x without binding it.
    if (body[i]!.kind === 'some') continue;
    for (const t of exprTerms(body[i]!)) for (const v of varTerms(t)) seen.add(v.name);
    if ([...needed].every((n) => seen.has(n))) return body.slice(0, i + 1);
  }
  return body;
}

/** Every key tuple the definition's body names before it may fail (OPA's internal.test_case points). */
export function startedCases(ev: Evaluator, r: CompiledRule, ctx: Ctx): Value[][] {
  const out = new Map<string, Value[]>();
  const env: Env = new Map();
  ev.evalBody(caseNamingPrefix(r.rule.body, r.suffix), 0, env, ctx, () =>
    ev.evalList(r.suffix, 0, [], env, ctx, (keys) => {
      out.set(canonicalKey(keys), keys);
      return false;
    }),
  );
  return [...out.values()];
}
