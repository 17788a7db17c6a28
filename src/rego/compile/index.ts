/**
 * The compiler: parse modules, resolve names, check safety (reordering
 * bodies), index rules by path, and check arity, conflicting rule kinds and
 * recursion. Mirrors OPA's `ast` package; evaluation lives in `eval/`.
 */
import type { Body, Module, Rule, Term } from '../ast.ts';
import { isGenerated } from '../ast.ts';
import type { BuiltinRegistry } from '../builtins/types.ts';
import { RegoFailure } from '../errors.ts';
import { parseModule, parseQuery, isGroundTerm } from '../parser.ts';
import type { Value } from '../value.ts';
import { NATIVE_CALLS, Resolver, nameOf, type ResolveEnv } from './resolve.ts';
import { Safety } from './safety.ts';
import { addRule, newNode, pathText } from './tree.ts';
import { checkRecursion } from './recursion.ts';
import { resolveMetadataCalls } from './metadata.ts';
import type { CompiledQuery, CompiledRego, CompiledRule, RuleNode } from './types.ts';
import { varTerms, exprTerms, forEachTerm } from './walk.ts';
import { groundValue } from '../eval/ground.ts';

export type { CompiledRego, CompiledRule, RuleNode, CompiledQuery } from './types.ts';

export interface SourceModule {
  file: string;
  source: string;
}

function arityFn(builtins: BuiltinRegistry, functions: Map<string, number>) {
  return (call: Extract<Term, { type: 'call' }>) => {
    const t = call.target;
    if (!t) return undefined;
    if (t.kind === 'function') return functions.get(t.path);
    return builtins.get(t.name)?.arity ?? NATIVE_CALLS.get(t.name);
  };
}

function importsOf(mod: Module, errors: RegoFailure[]): Map<string, Term> {
  const out = new Map<string, Term>();
  for (const imp of mod.imports) {
    const names = nameOf(imp.path);
    const root = imp.path.type === 'var' ? imp.path.name : imp.path.type === 'ref' && imp.path.head.type === 'var' ? imp.path.head.name : '';
    if (root === 'rego' || root === 'future') continue;
    if (root !== 'data' && root !== 'input') {
      errors.push(new RegoFailure('rego_parse_error', 'unexpected import path, must begin with one of: {data, future, input, rego}', imp.loc));
      continue;
    }
    let alias = imp.alias;
    if (!alias) {
      if (imp.path.type === 'var') continue;
      const last = names ? names[names.length - 1]! : null;
      const lastTerm = imp.path.type === 'ref' ? imp.path.path[imp.path.path.length - 1] : undefined;
      alias = last ?? (lastTerm?.type === 'scalar' ? String(lastTerm.value) : null);
      if (!alias) continue;
    }
    out.set(alias, imp.path);
  }
  return out;
}

function compileParsed(modules: Module[], builtins: BuiltinRegistry): { compiled?: CompiledRego; errors: RegoFailure[] } {
  const errors: RegoFailure[] = [];
  // Names per package, and function arities.
  const namesByPkg = new Map<string, Set<string>>();
  const functions = new Map<string, number>();
  for (const m of modules) {
    const key = JSON.stringify(m.packagePath);
    const names = namesByPkg.get(key) ?? new Set<string>();
    namesByPkg.set(key, names);
    for (const r of m.rules) {
      names.add(String((r.ref[0] as { value: unknown }).value));
      if (r.kind === 'function') {
        const path = ['data', ...m.packagePath.map(String), ...r.ref.map((t) => String((t as { value: unknown }).value))].join('.');
        const prev = functions.get(path);
        if (prev !== undefined && prev !== r.args.length) errors.push(new RegoFailure('rego_type_error', `conflicting rules ${path} found`, r.loc));
        functions.set(path, r.args.length);
      }
    }
  }
  const arity = arityFn(builtins, functions);
  const root = newNode(null, []);
  const functionNodes = new Map<string, RuleNode>();
  const all: CompiledRule[] = [];
  for (const m of modules) {
    const env: ResolveEnv = {
      pkg: m.packagePath.map(String),
      ruleNames: namesByPkg.get(JSON.stringify(m.packagePath))!,
      imports: importsOf(m, errors),
      functions,
      builtins,
      errors,
    };
    const resolver = new Resolver(env);
    for (const raw of m.rules) {
      const before = errors.length;
      const resolved = resolver.resolveRule(raw);
      // Safety errors would only echo a name that did not resolve.
      const rule = errors.length > before ? resolved : checkRuleSafety(resolved, arity, errors);
      const prefix: Value[] = [...m.packagePath];
      let i = 0;
      const ref = rule.ref;
      const firstVar = ref.findIndex((t, j) => j > 0 && !isGroundTerm(t));
      const groundUntil = (rule.kind === 'partial' || rule.kind === 'multi') && firstVar > 0 ? firstVar : ref.length;
      for (; i < groundUntil; i++) {
        const g = groundValue(ref[i]!);
        prefix.push(g as Value);
      }
      const cr: CompiledRule = { rule, file: m.file, kind: rule.kind, prefix, suffix: ref.slice(groundUntil), pathText: pathText(prefix) };
      const node = addRule(root, cr, errors);
      if (rule.kind === 'function') functionNodes.set(['data', ...prefix.map(String)].join('.'), node);
      all.push(cr);
    }
  }
  resolveMetadataCalls(all, modules);
  errors.push(...checkRecursion(root, functionNodes));
  if (errors.length > 0) return { errors };
  return { compiled: { modules, root, functions: functionNodes, builtins, rules: all }, errors };
}

function checkRuleSafety(rule: Rule, arity: ReturnType<typeof arityFn>, errors: RegoFailure[]): Rule {
  const safety = new Safety(arity);
  const argVars = new Set<string>();
  for (const a of rule.args) for (const v of varTerms(a)) argVars.add(v.name);
  const bound = new Set(argVars);
  const body = safety.reorder(rule.body, bound, new Set());
  for (const t of [...rule.ref.slice(1), rule.value, ...(rule.key ? [rule.key] : [])]) safety.checkHead(t, bound);
  const elses = rule.elses.map((e) => {
    const b = new Set(argVars);
    const eb = safety.reorder(e.body, b, new Set());
    safety.checkHead(e.value, b);
    return { ...e, body: eb };
  });
  checkAssignOnce([rule.body, ...rule.elses.map((e) => e.body)], argVars, errors);
  errors.push(...safety.errors);
  return { ...rule, body, elses };
}

/** `x := ...` twice in one body, or over an argument, is a compile error. */
function checkAssignOnce(bodies: Body[], args: Set<string>, errors: RegoFailure[]): void {
  for (const body of bodies) {
    const assigned = new Set<string>();
    const walk = (b: Body) => {
      for (const e of b) {
        if (e.kind === 'assign') {
          for (const v of varTerms(e.left)) {
            if (v.name.startsWith('$')) continue;
            if (assigned.has(v.name) || args.has(v.name))
              errors.push(new RegoFailure('rego_compile_error', `var ${v.name.split('$')[0]} assigned above`, v.loc));
            assigned.add(v.name);
          }
        }
      }
    };
    walk(body);
  }
}

export function compileModuleSources(sources: SourceModule[], builtins: BuiltinRegistry): { compiled?: CompiledRego; errors: RegoFailure[] } {
  const modules: Module[] = [];
  const errors: RegoFailure[] = [];
  for (const s of sources) {
    try {
      modules.push(parseModule(s.source, s.file));
    } catch (e) {
      if (e instanceof RegoFailure) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) return { errors };
  return compileParsed(modules, builtins);
}

/** Compiles a query against compiled modules; throws RegoFailure on errors. */
export function compileQuery(compiled: CompiledRego, source: string): CompiledQuery {
  const parsed = parseQuery(source);
  const functions = new Map<string, number>();
  for (const [path, node] of compiled.functions) functions.set(path, node.funcs[0]?.rule.args.length ?? node.defaultRule?.rule.args.length ?? 0);
  const errors: RegoFailure[] = [];
  const resolver = new Resolver({ pkg: [], ruleNames: new Set(), imports: new Map(), functions, builtins: compiled.builtins, errors });
  const resolved = resolver.resolveQuery(parsed);
  if (errors.length > 0) throw errors[0]!;
  const safety = new Safety(arityFn(compiled.builtins, functions));
  const body = safety.reorder(resolved, new Set(), new Set());
  if (safety.errors.length > 0) throw safety.errors[0]!;
  // Result vars: those written at the top level of the query (not only inside comprehensions).
  const vars: string[] = [];
  for (const e of body)
    for (const t of exprTerms(e))
      forEachTerm(
        t,
        (x) => {
          if (x.type === 'var' && !isGenerated(x.name) && x.name !== 'data' && x.name !== 'input' && !vars.includes(x.name)) vars.push(x.name);
        },
        true,
      );
  return { body, vars };
}
