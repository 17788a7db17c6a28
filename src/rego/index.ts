/**
 * The Rego API: compile modules, evaluate queries and rules, list rules.
 * Parsing and compile checks live in parser.ts and compile/, evaluation in
 * eval/ (as OPA splits ast, topdown and rego).
 */
import { BUILTINS, RELATIONS } from './builtins/index.ts';
import { builtinContext, type BuiltinRegistry } from './builtins/types.ts';
import { compileModuleSources, compileQuery, type CompiledRego, type CompiledRule } from './compile/index.ts';
import { definitionValue, startedCases } from './eval/definition.ts';
import { metadataOf } from './compile/metadata.ts';
import { nodeAt } from './compile/tree.ts';
import { RegoFailure, makeError, type Location, type RegoError } from './errors.ts';
import { rootCtx } from './eval/context.ts';
import { Evaluator, type Env } from './eval/evaluator.ts';
import { parseTermText } from './parser.ts';
import { ObjectValue, type Value } from './value.ts';

export type { CompiledRego, CompiledRule } from './compile/index.ts';
/** Go's time.ParseDuration ("1h2m", "500ms"): nanoseconds, or the text of Go's error. */
export { parseDuration as parseGoDuration } from './builtins/time.ts';
export type { RegoError, Location } from './errors.ts';
export type { Value } from './value.ts';

export interface ModuleSource {
  file: string;
  source: string;
}

export interface CompileOptions {
  builtins?: BuiltinRegistry;
}

export interface EvalOptions {
  input?: Value | undefined;
  data?: Value;
  strictBuiltinErrors?: boolean;
  print?: (line: string) => void;
  /** Builtins that are relations (their result is an array of outputs). */
  relations?: ReadonlySet<string>;
  /** time.now_ns() for the whole query (default: the wall clock when the query starts). */
  nowNs?: bigint;
  /** Let http.send and net.lookup_ip_addr reach the network (OPA's capabilities; off by default). */
  network?: boolean;
  /** Wall-clock time (ms since the epoch) past which evaluation stops with eval_cancel_error. */
  deadline?: number;
}

function toError(e: unknown): RegoError {
  if (e instanceof RegoFailure) return e.error;
  if (e instanceof RangeError && /call stack/.test(e.message)) return makeError('eval_internal_error', 'evaluation too deep');
  throw e;
}

export function compileModules(modules: ModuleSource[], opts: CompileOptions = {}): { compiled?: CompiledRego; errors: RegoError[] } {
  try {
    const { compiled, errors } = compileModuleSources(modules, opts.builtins ?? BUILTINS);
    const out = errors.map((e) => e.error).sort(byLocation);
    return compiled && out.length === 0 ? { compiled, errors: [] } : { errors: out };
  } catch (e) {
    return { errors: [toError(e)] };
  }
}

function byLocation(a: RegoError, b: RegoError): number {
  const la = a.location;
  const lb = b.location;
  if (!la || !lb) return 0;
  return la.file < lb.file ? -1 : la.file > lb.file ? 1 : la.row - lb.row || la.col - lb.col;
}

function evaluator(compiled: CompiledRego, opts: EvalOptions): Evaluator {
  return new Evaluator(compiled, {
    strictBuiltinErrors: opts.strictBuiltinErrors ?? false,
    print: opts.print ?? (() => {}),
    relations: opts.relations ?? (compiled.builtins === BUILTINS ? RELATIONS : new Set(['walk'])),
    builtins: builtinContext({ print: opts.print, nowNs: opts.nowNs, network: opts.network }),
    deadline: opts.deadline,
  });
}

/**
 * Evaluates a query. One binding map per solution; a query without
 * variables yields `[{}]` when it is defined and `[]` when it is not.
 */
export function evalQuery(compiled: CompiledRego, query: string, opts: EvalOptions = {}): { results: Array<Record<string, Value>>; error?: RegoError } {
  const results: Array<Record<string, Value>> = [];
  try {
    const q = compileQuery(compiled, query);
    const ev = evaluator(compiled, opts);
    const ctx = rootCtx(opts.input, opts.data ?? new ObjectValue());
    const env: Env = new Map();
    ev.evalBody(q.body, 0, env, ctx, () => {
      const rec: Record<string, Value> = {};
      for (const v of q.vars) {
        const val = env.get(v);
        if (val !== undefined) rec[v] = val;
      }
      results.push(rec);
      return false;
    });
    return { results };
  } catch (e) {
    return { results: [], error: toError(e) };
  }
}

export interface DefinitionRun {
  /** The definition's value (an object of cases for `test_x[name]`), or undefined. */
  value?: Value;
  /** For a definition with variables in its head: every key tuple its body reached. */
  started?: Value[][];
  error?: RegoError;
}

/** Evaluates one rule definition on its own (what `opa test` does with each test rule). */
export function evalDefinition(compiled: CompiledRego, rule: CompiledRule, opts: EvalOptions = {}): DefinitionRun {
  try {
    const ev = evaluator(compiled, opts);
    const ctx = rootCtx(opts.input, opts.data ?? new ObjectValue());
    const value = definitionValue(ev, rule, ctx);
    const out: DefinitionRun = value === undefined ? {} : { value };
    if (rule.suffix.length > 0) out.started = startedCases(ev, rule, rootCtx(opts.input, opts.data ?? new ObjectValue()));
    return out;
  } catch (e) {
    return { error: toError(e) };
  }
}

export interface DefinitionOutput {
  rule: CompiledRule;
  value: Value | undefined;
  /** rego.metadata.chain() for the definition: the rule's own annotations first, then document, package, subpackages. */
  metadata: Value[];
}

/**
 * Every definition of the rule at `path` (e.g. each `deny contains ...`),
 * evaluated one by one in one query, so helper rules are computed once and
 * each output can be traced to the definition, and its METADATA, that made it.
 */
const chains = new WeakMap<CompiledRule, Value[]>();

export function evalDefinitions(compiled: CompiledRego, path: readonly string[], opts: EvalOptions = {}): DefinitionOutput[] {
  const node = nodeAt(compiled.root, [...path]);
  if (!node) return [];
  const ev = evaluator(compiled, opts);
  const ctx = rootCtx(opts.input, opts.data ?? new ObjectValue());
  const pkgOf = (r: CompiledRule) => r.prefix.slice(0, compiled.modules.find((m) => m.file === r.file)?.packagePath.length ?? 0);
  const chain = (rule: CompiledRule): Value[] => {
    let c = chains.get(rule);
    if (!c) {
      c = metadataOf(rule, compiled.rules, compiled.modules, pkgOf(rule)).chain;
      chains.set(rule, c);
    }
    return c;
  };
  try {
    return node.rules.map((rule) => ({ rule, value: definitionValue(ev, rule, ctx), metadata: chain(rule) }));
  } catch (e) {
    const err = toError(e);
    throw Object.assign(new Error(err.message), { regoError: err });
  }
}

/** The value of a document (`data.a.b.rule`), or undefined. Throws the RegoError on evaluation errors. */
export function evalRule(compiled: CompiledRego, path: string, opts: EvalOptions = {}): Value | undefined {
  const { results, error } = evalQuery(compiled, `__result__ = ${path}`, opts);
  if (error) throw Object.assign(new Error(error.message), { regoError: error });
  return results[0]?.__result__;
}

export interface RuleListing {
  /** Full path of the rule, e.g. `data.pkg.test_allow`. */
  path: string;
  /** Last segment of the path. */
  name: string;
  kind: 'complete' | 'multi' | 'partial' | 'function';
  location: Location;
}

/** Every rule definition, in module order (for `test_*` discovery and editor tooling). */
export function listRules(compiled: CompiledRego): RuleListing[] {
  return compiled.rules.map((r) => {
    const last = r.prefix[r.prefix.length - 1];
    return { path: r.pathText, name: typeof last === 'string' ? last : JSON.stringify(last), kind: r.kind, location: r.rule.loc };
  });
}

/** Parses a Rego term with constant value (e.g. `{"a": {1, 2}}`) into a Value. */
export function parseValue(text: string): Value {
  const t = parseTermText(text, 'input');
  const compiledEmpty = compileModules([]);
  const ev = evaluator(compiledEmpty.compiled!, {});
  const v = ev.firstValue(t, new Map(), rootCtx(undefined, new ObjectValue()));
  if (v === undefined) throw new Error(`not a constant term: ${text}`);
  return v;
}
