/** Recursion between rules and functions is a compile error, as in OPA. */
import type { Term } from '../ast.ts';
import { RegoFailure } from '../errors.ts';
import type { Value } from '../value.ts';
import { childOf, subtree } from './tree.ts';
import type { CompiledRule, RuleNode } from './types.ts';
import { forEachBodyTerm, forEachTerm } from './walk.ts';

function groundKey(t: Term): Value | undefined {
  return t.type === 'scalar' ? t.value : undefined;
}

/** Rule nodes a rule's body and head reach. */
function dependencies(r: CompiledRule, root: RuleNode, functions: Map<string, RuleNode>): Set<RuleNode> {
  const deps = new Set<RuleNode>();
  const heads = new Set<Term>();
  const hasRules = (n: RuleNode) => n.rules.length > 0 || n.defaultRule !== null || n.funcs.length > 0;
  // The rules a data ref can reach: a variable key may be any child, as in OPA
  // (so `data[x].allow.see` does not depend on `data.test.p`).
  const reach = (n: RuleNode, path: Term[], i: number): void => {
    if (i === path.length || hasRules(n)) {
      for (const s of subtree(n)) if (hasRules(s)) deps.add(s);
      return;
    }
    const k = groundKey(path[i]!);
    if (k === undefined) {
      for (const c of n.children.values()) reach(c, path, i + 1);
      return;
    }
    const c = childOf(n, k, false);
    if (c) reach(c, path, i + 1);
  };
  const visit = (t: Term) => {
    if (t.type === 'ref') heads.add(t.head);
    if (t.type === 'ref' && t.head.type === 'var' && t.head.name === 'data') {
      if (t.path.length === 0) deps.add(root);
      reach(root, t.path, 0);
    } else if (t.type === 'var' && t.name === 'data' && !heads.has(t)) {
      for (const s of subtree(root)) if (s.rules.length > 0 || s.funcs.length > 0) deps.add(s);
    } else if (t.type === 'call' && t.target?.kind === 'function') {
      const f = functions.get(t.target.path);
      if (f) deps.add(f);
    }
  };
  const rule = r.rule;
  const headTerms: Term[] = [rule.value, ...rule.args, ...r.suffix, ...(rule.key ? [rule.key] : [])];
  for (const h of headTerms) forEachTerm(h, visit);
  forEachBodyTerm(rule.body, visit);
  for (const e of rule.elses) {
    forEachTerm(e.value, visit);
    forEachBodyTerm(e.body, visit);
  }
  for (const b of [rule.body, ...rule.elses.map((e) => e.body)])
    for (const e of b)
      for (const w of e.with)
        if (w.resolved?.kind === 'mock' && w.resolved.fn?.kind === 'function') visit({ type: 'call', op: [], args: [], loc: w.loc, target: w.resolved.fn });
  return deps;
}

export function checkRecursion(root: RuleNode, functions: Map<string, RuleNode>): RegoFailure[] {
  const graph = new Map<RuleNode, Set<RuleNode>>();
  for (const n of subtree(root)) {
    const rules = [...n.rules, ...n.funcs, ...(n.defaultRule ? [n.defaultRule] : [])];
    if (rules.length === 0) continue;
    const deps = new Set<RuleNode>();
    for (const r of rules) for (const d of dependencies(r, root, functions)) deps.add(d);
    graph.set(n, deps);
  }
  const errors: RegoFailure[] = [];
  const state = new Map<RuleNode, 1 | 2>();
  const stack: RuleNode[] = [];
  const reported = new Set<RuleNode>();
  const dfs = (n: RuleNode) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      const s = state.get(d);
      if (s === 1) {
        const cycle = stack.slice(stack.indexOf(d));
        if (!reported.has(d)) {
          reported.add(d);
          const first = [...d.rules, ...d.funcs, ...(d.defaultRule ? [d.defaultRule] : [])][0]!;
          const names = [...cycle, d].map((c) => c.pathText).join(' -> ');
          const what = d.kind === 'function' ? 'function' : 'rule';
          errors.push(new RegoFailure('rego_recursion_error', `${what} ${d.pathText} is recursive: ${names}`, first.rule.loc));
        }
      } else if (s === undefined) dfs(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of graph.keys()) if (!state.has(n)) dfs(n);
  return errors;
}
