/**
 * Top-down evaluation with backtracking in continuation-passing style: every
 * step takes a continuation and returns true when the search must stop
 * (first solution found for `not`, an early exit, ...). Bindings live in a
 * per-body Map and are undone when a continuation returns.
 */
import type { Body, Expr, Term, TermOf, WithModifier } from '../ast.ts';
import type { Builtin } from '../builtins/types.ts';
import { BuiltinError, type BuiltinContext } from '../builtins/types.ts';
import { NATIVE_CALLS } from '../compile/resolve.ts';
import type { CompiledRego } from '../compile/types.ts';
import { nodeAt } from '../compile/tree.ts';
import { displayName, objectPairs } from '../compile/safety.ts';
import { RegoFailure } from '../errors.ts';
import { ObjectValue, SetValue, equal, type Value } from '../value.ts';
import { deriveCtx, setPath, withoutMocks, type Ctx, type Mock } from './context.ts';
import { callFunction, evalData } from './documents.ts';
import { dataKey, lookup, members } from './collections.ts';
import { formatValue } from './print.ts';

export type Env = Map<string, Value>;
export type K = () => boolean;
export type KV = (v: Value) => boolean;

export interface EvalOptions {
  strictBuiltinErrors: boolean;
  print: (line: string) => void;
  relations: ReadonlySet<string>;
  /** What builtins see for this query (its clock, memo and capabilities). */
  builtins: BuiltinContext;
  /** Wall-clock time (ms) past which evaluation stops with eval_cancel_error (opa test --timeout). */
  deadline?: number | undefined;
}

const needsCache = new WeakMap<Term, string[]>();

/** Vars that must be bound before a term can be evaluated (ref keys and comprehensions excluded). */
function needsOf(t: Term): string[] {
  let n = needsCache.get(t);
  if (n) return n;
  const out = new Set<string>();
  const walk = (x: Term) => {
    switch (x.type) {
      case 'var':
        if (x.name !== 'data' && x.name !== 'input') out.add(x.name);
        return;
      case 'ref':
        walk(x.head);
        for (const p of x.path) if (p.type !== 'var' && p.type !== 'array' && p.type !== 'object') walk(p);
        return;
      case 'array':
      case 'set':
        x.items.forEach(walk);
        return;
      case 'object':
        for (const [k, v] of x.entries) {
          walk(k);
          walk(v);
        }
        return;
      case 'call':
        x.args.forEach(walk);
        return;
      default:
        return;
    }
  };
  walk(t);
  n = [...out];
  needsCache.set(t, n);
  return n;
}

export class Evaluator {
  constructor(
    readonly compiled: CompiledRego,
    readonly opts: EvalOptions,
  ) {}

  // ---- bodies and expressions

  evalBody(body: Body, i: number, env: Env, ctx: Ctx, k: K): boolean {
    if (i === body.length) return k();
    return this.evalExpr(body[i]!, env, ctx, () => this.evalBody(body, i + 1, env, ctx, k));
  }

  private steps = 0;

  evalExpr(e: Expr, env: Env, ctx: Ctx, k: K): boolean {
    // The clock is read once per 1024 expressions: cheap enough to leave on the risk-rule path.
    if (this.opts.deadline !== undefined && (++this.steps & 1023) === 0 && Date.now() > this.opts.deadline)
      throw new RegoFailure('eval_cancel_error', 'caller cancelled query execution (test timed out)');
    if (e.with.length > 0) {
      const inner = this.applyWith(e.with, env, ctx);
      if (!inner) return false;
      ctx = inner;
    }
    if (e.negated) {
      const found = this.evalExprPlain(e, env, ctx, () => true);
      return found ? false : k();
    }
    return this.evalExprPlain(e, env, ctx, k);
  }

  private evalExprPlain(e: Expr, env: Env, ctx: Ctx, k: K): boolean {
    switch (e.kind) {
      case 'term':
        return this.evalTerm(e.term, env, ctx, (v) => (v === false ? false : k()));
      case 'unify':
        return this.unify(e.left, e.right, env, ctx, k);
      case 'assign':
        return this.evalTerm(e.right, env, ctx, (v) => this.match(e.left, v, env, ctx, k));
      case 'some':
        return k();
      case 'somein':
        return this.evalTerm(e.domain, env, ctx, (coll) => {
          const ms = members(coll);
          if (!ms) return false;
          for (const [key, val] of ms) {
            const stop = e.key ? this.match(e.key, key, env, ctx, () => this.match(e.value, val, env, ctx, k)) : this.match(e.value, val, env, ctx, k);
            if (stop) return true;
          }
          return false;
        });
      case 'every':
        return this.evalTerm(e.domain, env, ctx, (coll) => {
          const ms = members(coll);
          if (!ms) return false;
          for (const [key, val] of ms) {
            const body = () => this.evalBody(e.body, 0, env, ctx, () => true);
            const ok = e.key ? this.match(e.key, key, env, ctx, () => this.match(e.value, val, env, ctx, body)) : this.match(e.value, val, env, ctx, body);
            if (!ok) return false;
          }
          return k();
        });
    }
  }

  private applyWith(withs: WithModifier[], env: Env, ctx: Ctx): Ctx | null {
    let input = ctx.input;
    let data = ctx.data;
    let masked = ctx.masked;
    let mocks = ctx.mocks;
    for (const w of withs) {
      const r = w.resolved;
      if (!r) continue;
      if (r.kind === 'mock') {
        let mock: Mock;
        if (r.fn) mock = { kind: 'fn', target: r.fn };
        else {
          const v = this.firstValue(w.value, env, ctx);
          if (v === undefined) return null;
          mock = { kind: 'value', value: v };
        }
        if (mocks === ctx.mocks) mocks = new Map(mocks);
        mocks.set(r.name, mock);
        continue;
      }
      const v = this.firstValue(w.value, env, ctx);
      if (v === undefined) return null;
      const path: Value[] = [];
      for (const p of r.path) {
        const pv = this.firstValue(p, env, ctx);
        if (pv === undefined) return null;
        path.push(pv);
      }
      if (r.kind === 'input') input = setPath(input, path, v);
      else {
        data = setPath(data, path, v);
        const node = nodeAt(this.compiled.root, path);
        if (node) {
          if (masked === ctx.masked) masked = new Set(masked);
          masked.add(node);
        }
      }
    }
    return deriveCtx(ctx, { input, data, masked, mocks });
  }

  firstValue(t: Term, env: Env, ctx: Ctx): Value | undefined {
    let out: Value | undefined;
    this.evalTerm(t, env, ctx, (v) => {
      out = v;
      return true;
    });
    return out;
  }

  // ---- unification

  isReady(t: Term, env: Env): boolean {
    for (const n of needsOf(t)) if (!env.has(n)) return false;
    return true;
  }

  unify(l: Term, r: Term, env: Env, ctx: Ctx, k: K): boolean {
    if (l.type === 'array' && r.type === 'array') {
      if (l.items.length !== r.items.length) return false;
      return this.unifyPairs(
        l.items.map((x, i) => [x, r.items[i]!] as [Term, Term]),
        env,
        ctx,
        k,
      );
    }
    const pairs = objectPairs(l, r);
    if (pairs) return this.unifyPairs(pairs, env, ctx, k);
    if (this.isReady(r, env)) return this.evalTerm(r, env, ctx, (v) => this.match(l, v, env, ctx, k));
    if (this.isReady(l, env)) return this.evalTerm(l, env, ctx, (v) => this.match(r, v, env, ctx, k));
    return this.evalTerm(r, env, ctx, (v) => this.match(l, v, env, ctx, k));
  }

  private unifyPairs(pairs: Array<[Term, Term]>, env: Env, ctx: Ctx, k: K): boolean {
    if (pairs.length === 0) return k();
    let idx = pairs.findIndex(([a, b]) => this.isReady(a, env) || this.isReady(b, env) || (a.type === 'array' && b.type === 'array'));
    if (idx < 0) idx = 0;
    const [a, b] = pairs[idx]!;
    const rest = pairs.filter((_, i) => i !== idx);
    return this.unify(a, b, env, ctx, () => this.unifyPairs(rest, env, ctx, k));
  }

  /** Matches pattern `p` against a known value, binding its unbound vars. */
  match(p: Term, v: Value, env: Env, ctx: Ctx, k: K): boolean {
    switch (p.type) {
      case 'var': {
        if (p.name === 'data' || p.name === 'input') break;
        const cur = env.get(p.name);
        if (cur !== undefined) return equal(cur, v) ? k() : false;
        env.set(p.name, v);
        const stop = k();
        env.delete(p.name);
        return stop;
      }
      case 'array': {
        if (!Array.isArray(v) || v.length !== p.items.length) return false;
        const step = (i: number): boolean => (i === p.items.length ? k() : this.match(p.items[i]!, v[i]!, env, ctx, () => step(i + 1)));
        return step(0);
      }
      case 'object': {
        if (!(v instanceof ObjectValue) || v.size !== p.entries.length) return false;
        const step = (i: number): boolean => {
          if (i === p.entries.length) return k();
          const [kt, vt] = p.entries[i]!;
          return this.evalTerm(kt, env, ctx, (key) => {
            const val = v.get(key);
            return val === undefined ? false : this.match(vt, val, env, ctx, () => step(i + 1));
          });
        };
        return step(0);
      }
      case 'scalar':
        return equal(p.value, v) ? k() : false;
    }
    return this.evalTerm(p, env, ctx, (pv) => (equal(pv, v) ? k() : false));
  }

  // ---- terms

  /** Enumerates the values of a term. */
  evalTerm(t: Term, env: Env, ctx: Ctx, k: KV): boolean {
    switch (t.type) {
      case 'scalar':
        return k(t.value);
      case 'var': {
        if (t.name === 'input') return ctx.input === undefined ? false : k(ctx.input);
        if (t.name === 'data') return evalData(this, [], 0, this.compiled.root, ctx.data, env, ctx, k);
        const v = env.get(t.name);
        if (v === undefined) throw new RegoFailure('rego_unsafe_var_error', `var ${displayName(t.name)} is unsafe`, t.loc);
        return k(v);
      }
      case 'ref':
        return this.evalRef(t, env, ctx, k);
      case 'array':
        return this.evalList(t.items, 0, [], env, ctx, (vs) => k(vs));
      case 'set':
        return this.evalList(t.items, 0, [], env, ctx, (vs) => k(new SetValue(vs)));
      case 'object': {
        const flat = t.entries.flat();
        return this.evalList(flat, 0, [], env, ctx, (vs) => {
          const o = new ObjectValue();
          for (let i = 0; i < vs.length; i += 2) o.set(vs[i]!, vs[i + 1]!);
          return k(o);
        });
      }
      case 'arraycompr': {
        const out: Value[] = [];
        this.evalBody(t.body, 0, env, ctx, () =>
          this.evalTerm(t.term, env, ctx, (v) => {
            out.push(v);
            return false;
          }),
        );
        return k(out);
      }
      case 'setcompr': {
        const out = new SetValue();
        this.evalBody(t.body, 0, env, ctx, () =>
          this.evalTerm(t.term, env, ctx, (v) => {
            out.add(v);
            return false;
          }),
        );
        return k(out);
      }
      case 'objectcompr': {
        const out = new ObjectValue();
        this.evalBody(t.body, 0, env, ctx, () =>
          this.evalTerm(t.key, env, ctx, (key) =>
            this.evalTerm(t.value, env, ctx, (val) => {
              const prev = out.get(key);
              if (prev !== undefined && !equal(prev, val)) throw new RegoFailure('eval_conflict_error', 'object keys must be unique', t.loc);
              out.set(key, val);
              return false;
            }),
          ),
        );
        return k(out);
      }
      case 'call':
        return this.evalCall(t, env, ctx, k);
    }
  }

  evalList(items: Term[], i: number, acc: Value[], env: Env, ctx: Ctx, k: (vs: Value[]) => boolean): boolean {
    if (i === items.length) return k([...acc]);
    return this.evalTerm(items[i]!, env, ctx, (v) => {
      acc.push(v);
      const stop = this.evalList(items, i + 1, acc, env, ctx, k);
      acc.pop();
      return stop;
    });
  }

  // ---- references

  private evalRef(t: TermOf<'ref'>, env: Env, ctx: Ctx, k: KV): boolean {
    const head = t.head;
    if (head.type === 'var') {
      if (head.name === 'data') return evalData(this, t.path, 0, this.compiled.root, ctx.data, env, ctx, k);
      if (head.name === 'input') return ctx.input === undefined ? false : this.walk(ctx.input, t.path, 0, env, ctx, k);
    }
    return this.evalTerm(head, env, ctx, (v) => this.walk(v, t.path, 0, env, ctx, k));
  }

  /**
   * Follows `path[i:]` into a value, enumerating where a key is an unbound var.
   * Under `data`, base documents come from JSON, whose keys are strings: an
   * integer key also finds its decimal string there (OPA's `data[2]` reads "2").
   */
  walk(v: Value, path: Term[], i: number, env: Env, ctx: Ctx, k: KV, baseData = false): boolean {
    if (i === path.length) return k(v);
    const key = path[i]!;
    if (!this.isKeyBound(key, env)) {
      const ms = members(v);
      if (!ms) return false;
      for (const [mk, mv] of ms) {
        if (this.match(key, mk, env, ctx, () => this.walk(mv, path, i + 1, env, ctx, k, baseData))) return true;
      }
      return false;
    }
    return this.evalTerm(key, env, ctx, (kv) => {
      let child = lookup(v, kv);
      if (child === undefined && baseData) child = lookup(v, dataKey(v, kv));
      return child === undefined ? false : this.walk(child, path, i + 1, env, ctx, k, baseData);
    });
  }

  /** Is a ref key fully known (not a var or pattern to enumerate)? */
  isKeyBound(key: Term, env: Env): boolean {
    if (key.type === 'var') return key.name === 'data' || key.name === 'input' || env.has(key.name);
    if (key.type === 'array' || key.type === 'object') return this.isReady(key, env) && patternReady(key, env);
    return true;
  }

  // ---- calls

  private arityCache = new WeakMap<TermOf<'call'>, number | 'variadic' | undefined>();

  private arityOf(t: TermOf<'call'>): number | 'variadic' | undefined {
    if (this.arityCache.has(t)) return this.arityCache.get(t);
    let a: number | 'variadic' | undefined;
    const target = t.target;
    if (target?.kind === 'function') {
      const n = this.compiled.functions.get(target.path);
      const r = n?.funcs[0] ?? n?.defaultRule;
      a = r?.rule.args.length;
    } else if (target) a = this.compiled.builtins.get(target.name)?.arity ?? NATIVE_CALLS.get(target.name);
    this.arityCache.set(t, a);
    return a;
  }

  private evalCall(t: TermOf<'call'>, env: Env, ctx: Ctx, k: KV): boolean {
    const target = t.target;
    if (!target) throw new RegoFailure('rego_type_error', `undefined function ${t.op.join('.')}`, t.loc);
    if (target.kind === 'builtin' && target.name === 'print') return this.evalPrint(t, env, ctx, k);
    const arity = this.arityOf(t);
    const withOutput = typeof arity === 'number' && t.args.length === arity + 1;
    // rego.metadata.rule() and chain(): answered by the compiler for the rule they are in.
    if (target.kind === 'builtin' && target.value !== undefined && !ctx.mocks.has(target.name)) {
      const v = target.value;
      return withOutput ? this.match(t.args[t.args.length - 1]!, v, env, ctx, () => k(true)) : k(v);
    }
    const inputs = withOutput ? t.args.slice(0, -1) : t.args;
    const order = this.argOrder(t, inputs);
    return this.evalList(order ? order.map((i) => inputs[i]!) : inputs, 0, [], env, ctx, (evaluated) => {
      let args = evaluated;
      if (order) {
        args = new Array<Value>(evaluated.length);
        order.forEach((from, to) => {
          args[from] = evaluated[to]!;
        });
      }
      return this.invoke(target.kind === 'function' ? target.path : target.name, target, args, t, ctx, (result) => {
        if (withOutput) return this.match(t.args[t.args.length - 1]!, result, env, ctx, () => k(true));
        return k(result);
      });
    });
  }

  private orderCache = new WeakMap<TermOf<'call'>, number[] | null>();

  /**
   * Plain var arguments are evaluated after the others, so a ref argument can
   * bind a var it enumerates before the var is read (`x == xs[x]`, safe in
   * OPA too). Null when that is the written order (almost every call).
   */
  private argOrder(t: TermOf<'call'>, inputs: Term[]): number[] | null {
    let order = this.orderCache.get(t);
    if (order === undefined) {
      const idx = inputs.map((_, i) => i);
      const sorted = [...idx.filter((i) => inputs[i]!.type !== 'var'), ...idx.filter((i) => inputs[i]!.type === 'var')];
      order = sorted.every((v, i) => v === i) ? null : sorted;
      this.orderCache.set(t, order);
    }
    return order;
  }

  /** Calls a function or builtin by name, honouring `with` mocks. */
  invoke(name: string, target: { kind: 'function' | 'builtin' }, args: Value[], t: TermOf<'call'>, ctx: Ctx, k: KV): boolean {
    const mock = ctx.mocks.get(name);
    if (mock) {
      if (mock.kind === 'value') return k(mock.value);
      const lifted = withoutMocks(ctx);
      const m = mock.target;
      return this.invoke(m.kind === 'function' ? m.path : m.name, m, args, t, lifted, k);
    }
    if (target.kind === 'function') {
      const node = this.compiled.functions.get(name);
      if (!node) return false;
      const v = callFunction(this, node, args, ctx);
      return v === undefined ? false : k(v);
    }
    if (name === 'internal.member_2') return k(isMember(args[0]!, args[1]!));
    if (name === 'internal.member_3') return k(isMember3(args[0]!, args[1]!, args[2]!));
    const b = this.compiled.builtins.get(name);
    if (!b) throw new RegoFailure('rego_type_error', `undefined function ${name}`, t.loc);
    const result = this.callBuiltin(b, args, t);
    if (result === undefined) return false;
    if (this.opts.relations.has(name) && Array.isArray(result)) {
      for (const r of result) if (k(r)) return true;
      return false;
    }
    return k(result);
  }

  private callBuiltin(b: Builtin, args: Value[], t: TermOf<'call'>): Value | undefined {
    try {
      return b.call(args, this.opts.builtins);
    } catch (e) {
      if (e instanceof BuiltinError) {
        if (this.opts.strictBuiltinErrors || e.halt) throw new RegoFailure(e.code, e.message, t.loc);
        return undefined;
      }
      if (e instanceof RegoFailure) throw e;
      if (this.opts.strictBuiltinErrors) throw new RegoFailure('eval_builtin_error', `${b.name}: ${(e as Error).message}`, t.loc);
      return undefined;
    }
  }

  private evalPrint(t: TermOf<'call'>, env: Env, ctx: Ctx, k: KV): boolean {
    const args: Value[] = t.args.map((a) => {
      const v = this.firstValue(a, env, ctx);
      return v === undefined ? '<undefined>' : v;
    });
    const b = this.compiled.builtins.get('print');
    if (b) this.callBuiltin(b, args, t);
    else this.opts.print(args.map((v) => formatValue(v)).join(' '));
    return k(true);
  }
}

function patternReady(t: Term, env: Env): boolean {
  if (t.type === 'var') return env.has(t.name);
  if (t.type === 'array') return t.items.every((i) => patternReady(i, env));
  if (t.type === 'object') return t.entries.every(([, v]) => patternReady(v, env));
  return true;
}

function isMember(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) return coll.some((c) => equal(c, x));
  if (coll instanceof SetValue) return coll.has(x);
  if (coll instanceof ObjectValue) return coll.entries().some(([, c]) => equal(c, x));
  return false;
}

function isMember3(key: Value, x: Value, coll: Value): boolean {
  const v = lookup(coll, key);
  return v !== undefined && !(coll instanceof SetValue) && equal(v, x);
}
