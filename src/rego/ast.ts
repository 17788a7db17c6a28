/** The Rego AST. Every node carries the location of its first token. */
import type { Location } from './errors.ts';
import type { ObjectValue, Value } from './value.ts';

export type Scalar = null | boolean | number | bigint | string;

export type Term =
  | { type: 'scalar'; value: Scalar; loc: Location }
  | { type: 'var'; name: string; loc: Location }
  /** head is a var (`data`, `input`, a local) or any other term (`[1, 2][i]`, `f(x).y`); path holds the keys. */
  | { type: 'ref'; head: Term; path: Term[]; loc: Location }
  | { type: 'array'; items: Term[]; loc: Location }
  | { type: 'set'; items: Term[]; loc: Location }
  | { type: 'object'; entries: Array<[Term, Term]>; loc: Location }
  | { type: 'arraycompr'; term: Term; body: Body; loc: Location }
  | { type: 'setcompr'; term: Term; body: Body; loc: Location }
  | { type: 'objectcompr'; key: Term; value: Term; body: Body; loc: Location }
  /** op is the called name as written (`count`, `foo.bar`); target is set by the compiler. */
  | { type: 'call'; op: string[]; args: Term[]; loc: Location; target?: CallTarget };

/** `value` is set by the compiler where the result is known then (rego.metadata.rule() and chain() in a rule). */
export type CallTarget = { kind: 'builtin'; name: string; value?: Value } | { kind: 'function'; path: string };

export type TermOf<T extends Term['type']> = Extract<Term, { type: T }>;

export interface WithModifier {
  target: Term;
  value: Term;
  loc: Location;
  /** Set by the compiler: what the target names, and the replacement function if the value names one. */
  resolved?: { kind: 'input' | 'data'; path: Term[] } | { kind: 'mock'; name: string; fn: CallTarget | null };
}

interface ExprBase {
  loc: Location;
  negated: boolean;
  with: WithModifier[];
}

export type Expr = ExprBase &
  (
    | { kind: 'term'; term: Term }
    | { kind: 'unify'; left: Term; right: Term }
    | { kind: 'assign'; left: Term; right: Term }
    | { kind: 'some'; vars: Array<TermOf<'var'>> }
    | { kind: 'somein'; key: Term | null; value: Term; domain: Term }
    | { kind: 'every'; key: Term | null; value: Term; domain: Term; body: Body }
  );

export type Body = Expr[];

export type RuleKind = 'complete' | 'multi' | 'partial' | 'function';

export interface ElseClause {
  value: Term;
  body: Body;
  loc: Location;
}

export interface Rule {
  loc: Location;
  /** `# METADATA` blocks just above the rule: at most one of scope rule and one of scope document. */
  annotations?: Annotation[];
  /** Head reference relative to the package: first a string scalar (the name), then keys. */
  ref: Term[];
  kind: RuleKind;
  /** Function parameters (patterns). */
  args: Term[];
  /** Member term of a multi-value rule (`contains x`). */
  key: Term | null;
  /** Value term (true when not written). */
  value: Term;
  body: Body;
  isDefault: boolean;
  elses: ElseClause[];
  /** The head was written with `:=`/`=`/`contains`, or `if`. */
  assign: boolean;
}

export interface Import {
  /** `data.x.y`, `input`, `rego.v1`, `future.keywords.in`. */
  path: Term;
  alias: string | null;
  loc: Location;
}

/** A parsed `# METADATA` block: OPA's annotation object (as rego.metadata.* return it) and its scope. */
export interface Annotation {
  scope: 'rule' | 'document' | 'package' | 'subpackages';
  value: ObjectValue;
  loc: Location;
}

export interface Module {
  file: string;
  /** `# METADATA` blocks above the package (scope package or subpackages). */
  packageAnnotations: Annotation[];
  /** Package path without `data`. */
  packagePath: Scalar[];
  packageLoc: Location;
  imports: Import[];
  rules: Rule[];
}

export const WILDCARD_PREFIX = '$_';
export const isWildcard = (name: string) => name.startsWith(WILDCARD_PREFIX);
/** Generated names never clash with user vars: they hold a `$`. */
export const isGenerated = (name: string) => name.includes('$');
