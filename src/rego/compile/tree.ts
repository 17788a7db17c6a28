/** The rule tree: rules indexed by their ground path under `data`. */
import { RegoFailure } from '../errors.ts';
import { canonicalKey, type Value } from '../value.ts';
import type { CompiledRule, RuleNode } from './types.ts';

export function newNode(key: Value | null, path: Value[]): RuleNode {
  return { key, path, pathText: pathText(path), children: new Map(), rules: [], defaultRule: null, funcs: [], kind: null };
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function pathText(path: Value[]): string {
  let s = 'data';
  for (const k of path) s += typeof k === 'string' && IDENT.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
  return s;
}

export function childOf(node: RuleNode, key: Value, create: boolean): RuleNode | undefined {
  const ck = canonicalKey(key);
  let c = node.children.get(ck);
  if (!c && create) {
    c = newNode(key, [...node.path, key]);
    node.children.set(ck, c);
  }
  return c;
}

export function nodeAt(root: RuleNode, path: Value[], create = false): RuleNode | undefined {
  let n: RuleNode | undefined = root;
  for (const k of path) {
    n = childOf(n, k, create);
    if (!n) return undefined;
  }
  return n;
}

export function addRule(root: RuleNode, r: CompiledRule, errors: RegoFailure[]): RuleNode {
  const node = nodeAt(root, r.prefix, true)!;
  const loc = r.rule.loc;
  if (r.kind === 'function') {
    if (node.kind && node.kind !== 'function') errors.push(new RegoFailure('rego_type_error', `conflicting rules ${node.pathText} found`, loc));
    node.kind = 'function';
    if (r.rule.isDefault) {
      if (node.defaultRule) errors.push(new RegoFailure('rego_type_error', `multiple default rules ${node.pathText} found`, loc));
      node.defaultRule = r;
    } else node.funcs.push(r);
    return node;
  }
  // A multi-value rule with variables in its reference builds an object of sets, like a partial rule.
  const kind = r.kind === 'multi' && r.suffix.length > 0 ? 'partial' : r.kind;
  if (node.kind && node.kind !== kind) {
    errors.push(new RegoFailure('rego_type_error', `conflicting rules ${node.pathText} found`, loc));
  } else node.kind = kind;
  if (r.rule.isDefault) {
    if (node.defaultRule) errors.push(new RegoFailure('rego_type_error', `multiple default rules ${node.pathText} found`, loc));
    node.defaultRule = r;
  } else node.rules.push(r);
  return node;
}

/** Every node in the subtree. */
export function* subtree(node: RuleNode): Generator<RuleNode> {
  yield node;
  for (const c of node.children.values()) yield* subtree(c);
}
