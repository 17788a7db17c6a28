/**
 * Evaluation context: the documents and mocks in force. `with` derives a new
 * context (fresh caches), so cached rule values never leak across `with`.
 */
import type { CallTarget } from '../ast.ts';
import type { RuleNode } from '../compile/types.ts';
import { ObjectValue, type Value } from '../value.ts';

export type Mock = { kind: 'fn'; target: CallTarget } | { kind: 'value'; value: Value };

export const UNDEFINED = Symbol('undefined');
export type Cached = Value | typeof UNDEFINED;

export interface Ctx {
  input: Value | undefined;
  data: Value;
  /** Rule nodes replaced by `with data...` (their subtree reads base data only). */
  masked: Set<RuleNode>;
  mocks: Map<string, Mock>;
  cache: Map<RuleNode, Cached>;
  fnCache: Map<string, Cached>;
  /** Contexts with one mock lifted (a mock calling the function it replaces). */
  lifted: Map<string, Ctx>;
}

export function rootCtx(input: Value | undefined, data: Value): Ctx {
  return { input, data, masked: new Set(), mocks: new Map(), cache: new Map(), fnCache: new Map(), lifted: new Map() };
}

export function deriveCtx(ctx: Ctx, patch: Partial<Pick<Ctx, 'input' | 'data' | 'masked' | 'mocks'>>): Ctx {
  return { ...ctx, ...patch, cache: new Map(), fnCache: new Map(), lifted: new Map() };
}

/** The context a mock runs in: no mocks apply inside a replacement (it may call the original). */
export function withoutMocks(ctx: Ctx): Ctx {
  let c = ctx.lifted.get('*');
  if (!c) {
    c = deriveCtx(ctx, { mocks: new Map() });
    ctx.lifted.set('*', c);
  }
  return c;
}

/** A copy of `base` with `value` at `path`, creating objects along the way. */
export function setPath(base: Value | undefined, path: Value[], value: Value): Value {
  if (path.length === 0) return value;
  const obj = base instanceof ObjectValue ? new ObjectValue(base.entries()) : new ObjectValue();
  obj.set(path[0]!, setPath(obj.get(path[0]!), path.slice(1), value));
  return obj;
}
