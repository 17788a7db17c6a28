/**
 * rego.metadata.rule() and rego.metadata.chain(): OPA answers them at
 * compile time from the `# METADATA` annotations around the calling rule,
 * so the compiler does the same here and stores the answer on each call.
 * chain() lists the rule first (always, even without annotations), then
 * its document, its package and every enclosing `subpackages` scope.
 */
import type { Module } from '../ast.ts';
import { ObjectValue, type Value } from '../value.ts';
import type { CompiledRule } from './types.ts';
import { forEachBodyTerm, forEachTerm } from './walk.ts';

const entry = (path: Value[], annotations?: ObjectValue): ObjectValue => {
  const o = new ObjectValue().set('path', ['data', ...path]);
  if (annotations) o.set('annotations', annotations);
  return o;
};

/** The rule's ground path: package, then the head up to its first variable. */
const rulePath = (r: CompiledRule): Value[] => r.prefix;

export function metadataOf(
  r: CompiledRule,
  all: readonly CompiledRule[],
  modules: readonly Module[],
  pkg: readonly Value[],
): { rule: ObjectValue; chain: Value[] } {
  const own = ruleAnnotation(r, 'rule');
  const chain: Value[] = [entry(rulePath(r), own)];
  const key = JSON.stringify(rulePath(r));
  const doc = all.map((x) => (JSON.stringify(rulePath(x)) === key ? ruleAnnotation(x, 'document') : undefined)).find((a) => a !== undefined);
  if (doc) chain.push(entry(rulePath(r), doc));
  const pkgKey = JSON.stringify(pkg);
  for (const m of modules) {
    if (JSON.stringify(m.packagePath) !== pkgKey) continue;
    for (const a of m.packageAnnotations) if (a.scope === 'package') chain.push(entry([...pkg], a.value));
  }
  // Enclosing packages, innermost first, whose annotations reach subpackages.
  for (let n = pkg.length; n >= 0; n--) {
    const prefix = JSON.stringify(pkg.slice(0, n));
    for (const m of modules) {
      if (JSON.stringify(m.packagePath) !== prefix) continue;
      for (const a of m.packageAnnotations) if (a.scope === 'subpackages') chain.push(entry(pkg.slice(0, n), a.value));
    }
  }
  return { rule: own ?? new ObjectValue(), chain };
}

const ruleAnnotation = (r: CompiledRule, scope: 'rule' | 'document'): ObjectValue | undefined => r.rule.annotations?.find((a) => a.scope === scope)?.value;

/** Stores each rego.metadata.* call's answer on the call, for every rule that makes one. */
export function resolveMetadataCalls(all: readonly CompiledRule[], modules: readonly Module[]): void {
  for (const r of all) {
    let meta: ReturnType<typeof metadataOf> | undefined;
    const visit = (t: Parameters<Parameters<typeof forEachTerm>[1]>[0]) => {
      if (t.type !== 'call' || t.target?.kind !== 'builtin') return;
      const name = t.target.name;
      if (name !== 'rego.metadata.rule' && name !== 'rego.metadata.chain') return;
      const pkg = r.prefix.slice(0, modules.find((m) => m.file === r.file)?.packagePath.length ?? 0);
      meta ??= metadataOf(r, all, modules, pkg);
      t.target = { kind: 'builtin', name, value: name === 'rego.metadata.rule' ? meta.rule : meta.chain };
    };
    forEachBodyTerm(r.rule.body, visit);
    for (const e of r.rule.elses) {
      forEachBodyTerm(e.body, visit);
      forEachTerm(e.value, visit);
    }
    forEachTerm(r.rule.value, visit);
    if (r.rule.key) forEachTerm(r.rule.key, visit);
  }
}
