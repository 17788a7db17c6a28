import type { Body, Module, Rule, RuleKind, Term } from '../ast.ts';
import type { BuiltinRegistry } from '../builtins/types.ts';
import type { Location } from '../errors.ts';
import type { Value } from '../value.ts';

export interface CompiledRule {
  /** Resolved names, bodies reordered for safety. */
  rule: Rule;
  file: string;
  kind: RuleKind;
  /** Ground path from the data root (package, then the head's ground keys). */
  prefix: Value[];
  /** Head keys after the ground prefix (partial rules: `p[x]`, `a[x].b`). */
  suffix: Term[];
  /** `data.a.b` text of the prefix. */
  pathText: string;
}

export interface RuleNode {
  key: Value | null;
  path: Value[];
  pathText: string;
  children: Map<string, RuleNode>;
  /** Value rules whose prefix ends here (complete, multi, partial). */
  rules: CompiledRule[];
  defaultRule: CompiledRule | null;
  /** Function definitions at this path. */
  funcs: CompiledRule[];
  kind: RuleKind | null;
  /** Some rule or function is defined here or below. */
}

export interface CompiledRego {
  modules: Module[];
  root: RuleNode;
  /** Function nodes by `data.a.f` text. */
  functions: Map<string, RuleNode>;
  builtins: BuiltinRegistry;
  rules: CompiledRule[];
}

export interface CompiledQuery {
  body: Body;
  /** User-visible vars of the query, in order of appearance. */
  vars: string[];
}

export interface RuleInfo {
  path: string;
  name: string;
  kind: RuleKind;
  location: Location;
}
