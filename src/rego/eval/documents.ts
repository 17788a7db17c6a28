/**
 * Documents under `data`: base data merged with the values rules produce
 * (virtual documents). Rule values are computed once per context and cached,
 * so a partial set is evaluated once however often it is looked up.
 */
import type { Term } from '../ast.ts';
import { childOf } from '../compile/tree.ts';
import type { CompiledRule, RuleNode } from '../compile/types.ts';
import { RegoFailure } from '../errors.ts';
import { ObjectValue, SetValue, argKey, canonicalKey, equal, type Value } from '../value.ts';
import { UNDEFINED, type Ctx } from './context.ts';
import type { Env, Evaluator, KV } from './evaluator.ts';
import { dataKey, lookup } from './collections.ts';
import { groundValue } from './ground.ts';

/** Evaluates `data<path[i:]>` from `node` (rules) and `base` (base data) at the same position. */
export function evalData(ev: Evaluator, path: Term[], i: number, node: RuleNode | undefined, base: Value | undefined, env: Env, ctx: Ctx, k: KV): boolean {
  if (node && ctx.masked.has(node)) node = undefined;
  if (!node) return base === undefined ? false : ev.walk(base, path, i, env, ctx, k, true);
  if (node.kind === 'function') return false;
  if (node.kind) {
    const v = nodeValue(ev, node, base, ctx);
    return v === undefined ? false : ev.walk(v, path, i, env, ctx, k);
  }
  if (i === path.length) return k(extent(ev, node, base, ctx));
  const key = path[i]!;
  if (!ev.isKeyBound(key, env)) {
    const keys = new Map<string, Value>();
    for (const c of node.children.values()) keys.set(canonicalKey(c.key!), c.key!);
    if (base instanceof ObjectValue) for (const bk of base.keys()) keys.set(canonicalKey(bk), bk);
    for (const kv of keys.values()) {
      const stop = ev.match(key, kv, env, ctx, () => evalData(ev, path, i + 1, childOf(node, kv, false), lookup(base, kv), env, ctx, k));
      if (stop) return true;
    }
    return false;
  }
  return ev.evalTerm(key, env, ctx, (kv) =>
    evalData(ev, path, i + 1, childOf(node, kv, false), lookup(base, kv) ?? lookup(base, dataKey(base, kv)), env, ctx, k),
  );
}

/** The whole document at a namespace node: base data with the values of the rules below. */
function extent(ev: Evaluator, node: RuleNode, base: Value | undefined, ctx: Ctx): Value {
  const obj = new ObjectValue();
  for (const c of node.children.values()) {
    if (ctx.masked.has(c) || c.kind === 'function') continue;
    const cb = lookup(base, c.key!);
    const v = c.kind ? nodeValue(ev, c, cb, ctx) : extent(ev, c, cb, ctx);
    if (v !== undefined) obj.set(c.key!, v);
  }
  // Base documents win over rules at the same path (as OPA merges them).
  if (base instanceof ObjectValue) for (const [k, v] of base) if (!(v instanceof ObjectValue && obj.get(k) instanceof ObjectValue)) obj.set(k, v);
  return obj;
}

function nodeValue(ev: Evaluator, node: RuleNode, base: Value | undefined, ctx: Ctx): Value | undefined {
  const cached = ctx.cache.get(node);
  if (cached !== undefined) return cached === UNDEFINED ? undefined : cached;
  let v: Value | undefined;
  switch (node.kind) {
    case 'complete':
      v = completeValue(ev, node, ctx);
      break;
    case 'multi':
      v = multiValue(ev, node, ctx);
      break;
    case 'partial':
      v = partialValue(ev, node, base, ctx);
      break;
    default:
      v = undefined;
  }
  ctx.cache.set(node, v === undefined ? UNDEFINED : v);
  return v;
}

/** Runs a rule's body, then its else clauses in turn until one succeeds; emits head values. */
function evalClauses(ev: Evaluator, r: CompiledRule, env: Env, ctx: Ctx, emit: (env: Env) => boolean, constant: boolean): void {
  const clauses = [{ body: r.rule.body }, ...r.rule.elses];
  for (let ci = 0; ci < clauses.length; ci++) {
    let found = false;
    ev.evalBody(clauses[ci]!.body, 0, env, ctx, () => {
      found = true;
      const stop = emit(env);
      return stop || constant;
    });
    if (found) return;
  }
}

function collectValues(ev: Evaluator, rules: CompiledRule[], ctx: Ctx, mkEnv: (r: CompiledRule, run: (env: Env) => void) => void): Map<string, Value> {
  const values = new Map<string, Value>();
  for (const r of rules) {
    mkEnv(r, (env) => {
      const clauses = [{ body: r.rule.body, value: r.rule.value }, ...r.rule.elses];
      for (const clause of clauses) {
        let found = false;
        const constant = groundValue(clause.value) !== undefined;
        ev.evalBody(clause.body, 0, env, ctx, () => {
          found = true;
          ev.evalTerm(clause.value, env, ctx, (v) => {
            values.set(canonicalKey(v), v);
            return false;
          });
          return constant;
        });
        if (found) break;
      }
    });
  }
  return values;
}

function completeValue(ev: Evaluator, node: RuleNode, ctx: Ctx): Value | undefined {
  const values = collectValues(ev, node.rules, ctx, (_r, run) => run(new Map()));
  if (values.size > 1) throw new RegoFailure('eval_conflict_error', `rule ${node.pathText} produced conflicting values`, node.rules[0]!.rule.loc);
  if (values.size === 1) return values.values().next().value;
  if (node.defaultRule) return ev.firstValue(node.defaultRule.rule.value, new Map(), ctx);
  return undefined;
}

function multiValue(ev: Evaluator, node: RuleNode, ctx: Ctx): Value {
  const out = new SetValue();
  for (const r of node.rules) {
    const env: Env = new Map();
    evalClauses(
      ev,
      r,
      env,
      ctx,
      () =>
        ev.evalTerm(r.rule.key!, env, ctx, (v) => {
          out.add(v);
          return false;
        }),
      false,
    );
  }
  return out;
}

function partialValue(ev: Evaluator, node: RuleNode, base: Value | undefined, ctx: Ctx): Value {
  const obj = base instanceof ObjectValue ? new ObjectValue(base.entries()) : new ObjectValue();
  const fresh = new Set<ObjectValue>([obj]);
  const sets = new Set<Value>();
  const insert = (keys: Value[], v: Value, loc: Term['loc'], member: boolean) => {
    let cur = obj;
    for (let j = 0; j < keys.length - 1; j++) {
      let next = cur.get(keys[j]!);
      if (next === undefined) {
        next = new ObjectValue();
        fresh.add(next);
        cur.set(keys[j]!, next);
      } else if (!(next instanceof ObjectValue)) throw new RegoFailure('eval_conflict_error', 'object keys must be unique', loc);
      else if (!fresh.has(next)) {
        next = new ObjectValue(next.entries());
        fresh.add(next);
        cur.set(keys[j]!, next);
      }
      cur = next as ObjectValue;
    }
    const last = keys[keys.length - 1]!;
    const prev = cur.get(last);
    if (member) {
      if (prev !== undefined && !(prev instanceof SetValue)) throw new RegoFailure('eval_conflict_error', 'object keys must be unique', loc);
      const set = prev && sets.has(prev) ? prev : new SetValue(prev ? (prev as SetValue).values() : []);
      sets.add(set);
      (set as SetValue).add(v);
      cur.set(last, set);
      return;
    }
    if (prev !== undefined && !equal(prev, v)) throw new RegoFailure('eval_conflict_error', 'object keys must be unique', loc);
    cur.set(last, v);
  };
  for (const r of node.rules) {
    const env: Env = new Map();
    evalClauses(
      ev,
      r,
      env,
      ctx,
      () =>
        ev.evalList(r.suffix, 0, [], env, ctx, (keys) =>
          ev.evalTerm(r.kind === 'multi' ? r.rule.key! : r.rule.value, env, ctx, (v) => {
            insert(keys, v, r.rule.loc, r.kind === 'multi');
            return false;
          }),
        ),
      false,
    );
  }
  for (const c of node.children.values()) {
    if (ctx.masked.has(c) || c.kind === 'function') continue;
    const cb = lookup(base, c.key!);
    const v = c.kind ? nodeValue(ev, c, cb, ctx) : extent(ev, c, cb, ctx);
    if (v !== undefined) obj.set(c.key!, v);
  }
  return obj;
}

/** Calls a user function: every definition whose parameters match the arguments; all results must agree. */
export function callFunction(ev: Evaluator, node: RuleNode, args: Value[], ctx: Ctx): Value | undefined {
  const cacheKey = `${node.pathText}(${args.map(argKey).join(',')})`;
  const cached = ctx.fnCache.get(cacheKey);
  if (cached !== undefined) return cached === UNDEFINED ? undefined : cached;
  const withArgs = (r: CompiledRule, run: (env: Env) => void) => {
    const env: Env = new Map();
    const params = r.rule.args;
    const step = (i: number): boolean => {
      if (i === params.length) {
        run(env);
        return true;
      }
      return ev.match(params[i]!, args[i]!, env, ctx, () => step(i + 1));
    };
    step(0);
  };
  const values = collectValues(ev, node.funcs, ctx, withArgs);
  let result: Value | undefined;
  if (values.size > 1)
    throw new RegoFailure('eval_conflict_error', `function ${node.pathText} produced conflicting values for the same inputs`, node.funcs[0]!.rule.loc);
  if (values.size === 1) result = values.values().next().value;
  else if (node.defaultRule) {
    const d = collectValues(ev, [node.defaultRule], ctx, withArgs);
    result = d.values().next().value;
  }
  ctx.fnCache.set(cacheKey, result === undefined ? UNDEFINED : result);
  return result;
}
