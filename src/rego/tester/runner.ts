/**
 * `opa test` over modules and data (no I/O: the CLI loads the files).
 *
 * - Modules that do not parse, or do not compile with the rest, are set
 *   aside and reported at their file:line; the others' tests still run.
 * - Every rule definition named test_* is a test (a second definition of
 *   the same name is reported as `test_x#01`, as OPA does); todo_test_* are
 *   skipped.
 * - A test passes when its value is true. A parameterised test
 *   (`test_x[name] if { some name, tc in cases ... }`) is reported per
 *   case: a case passes when its value is true, and a case the body named
 *   but never finished fails.
 * - --run matches the full name (data.pkg.test_x), --timeout bounds each test.
 */
import { type CompiledRego, type CompiledRule, compileModules, evalDefinition, type EvalOptions, type ModuleSource, type RegoError } from '../index.ts';
import { ObjectValue, toJSON, type Value } from '../value.ts';
import { parseModule } from '../parser.ts';
import { RegoFailure, type Location } from '../errors.ts';

export interface SubResult {
  name: string;
  fail: boolean;
  sub_results?: Record<string, SubResult>;
}

export interface TestResult {
  location: Location;
  /** `data.pkg` */
  package: string;
  /** `test_x`, or `test_x#01` for a second definition. */
  name: string;
  durationNs: number;
  fail: boolean;
  skip: boolean;
  error?: RegoError;
  output: string[];
  subResults?: Record<string, SubResult>;
}

export interface TestRun {
  /** Modules set aside, with why (file:line errors). */
  moduleErrors: RegoError[];
  results: TestResult[];
}

export interface TestOptions {
  data?: Value;
  filter?: RegExp;
  timeoutMs?: number;
  network?: boolean;
}

const TEST = 'test_';
const TODO = 'todo_test_';

/** Compiles what compiles: drops the modules that fail (parse first, then compile, repeatedly) and keeps their errors. */
function compileIsolated(modules: ModuleSource[]): { compiled: CompiledRego; errors: RegoError[] } {
  const errors: RegoError[] = [];
  let ok = modules.filter((m) => {
    try {
      parseModule(m.source, m.file);
      return true;
    } catch (e) {
      if (!(e instanceof RegoFailure)) throw e;
      errors.push(e.error);
      return false;
    }
  });
  for (;;) {
    const r = compileModules(ok);
    if (r.compiled) return { compiled: r.compiled, errors };
    const bad = new Set(r.errors.map((e) => e.location?.file).filter((f): f is string => f !== undefined));
    errors.push(...r.errors);
    const before = ok.length;
    ok = ok.filter((m) => !bad.has(m.file));
    // An error without a location cannot be pinned on one module: give up on all.
    if (ok.length === before) ok = [];
  }
}

/** The rule's name segment that marks it a test, and the ground ref up to it. */
function testName(r: CompiledRule, pkgLength: number): { name: string; skip: boolean } | null {
  const ref = r.prefix.slice(pkgLength);
  for (let i = 0; i < ref.length; i++) {
    const seg = ref[i];
    if (typeof seg !== 'string') return null;
    if (seg.startsWith(TEST) || seg.startsWith(TODO)) {
      return { name: ref.slice(0, i + 1).join('.'), skip: seg.startsWith(TODO) };
    }
  }
  return null;
}

const keyName = (v: Value): string => (typeof v === 'string' ? v : JSON.stringify(toJSON(v)));

/** OPA's sub-results: the cases the rule produced (true passes), plus the cases its body started but never finished. */
function subResults(value: Value | undefined, started: Value[][]): { fail: boolean; subs: Record<string, SubResult> } {
  const subs: Record<string, SubResult> = {};
  let fail = false;
  const fromValue = (v: Value, into: Record<string, SubResult>): boolean => {
    let anyFail = false;
    if (!(v instanceof ObjectValue)) return true;
    for (const [k, x] of v.sortedEntries()) {
      const name = keyName(k);
      if (x instanceof ObjectValue) {
        const nested: Record<string, SubResult> = {};
        const f = fromValue(x, nested);
        into[name] = { name, fail: f, sub_results: nested };
        anyFail ||= f;
      } else {
        into[name] = { name, fail: x !== true };
        anyFail ||= x !== true;
      }
    }
    return anyFail;
  };
  if (value !== undefined) fail = fromValue(value, subs);
  for (const keys of started) {
    let into = subs;
    const ancestors: SubResult[] = [];
    for (let i = 0; i < keys.length; i++) {
      const name = keyName(keys[i]!);
      const last = i === keys.length - 1;
      let entry = into[name];
      if (!entry) {
        entry = { name, fail: true, ...(last ? {} : { sub_results: {} }) };
        into[name] = entry;
        if (last) {
          // A case that never finished fails, and so does every level above it (OPA's SubResultMap.update).
          for (const a of ancestors) a.fail = true;
          fail = true;
        }
      }
      ancestors.push(entry);
      if (!last) into = entry.sub_results ??= {};
    }
  }
  return { fail: fail || (value === undefined && started.length === 0), subs };
}

export function runTests(modules: ModuleSource[], opts: TestOptions = {}): TestRun {
  const { compiled, errors } = compileIsolated(modules);
  const results: TestResult[] = [];
  const seen = new Map<string, number>();
  for (const mod of compiled.modules) {
    const rules = compiled.rules.filter((r) => r.rule.loc.file === mod.file);
    for (const r of rules) {
      const t = testName(r, mod.packagePath.length);
      if (!t) continue;
      const pkg = ['data', ...mod.packagePath.map(String)].join('.');
      const key = `${pkg}.${t.name}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const name = n === 0 ? t.name : `${t.name}#${String(n).padStart(2, '0')}`;
      if (opts.filter && !opts.filter.test(`${pkg}.${t.name}`)) continue;
      const base = { location: r.rule.loc, package: pkg, name, output: [] as string[] };
      if (t.skip) {
        results.push({ ...base, durationNs: 0, fail: false, skip: true });
        continue;
      }
      const output: string[] = [];
      const evalOpts: EvalOptions = {
        data: opts.data ?? new ObjectValue(),
        print: (line) => output.push(line),
        network: opts.network ?? false,
        deadline: Date.now() + (opts.timeoutMs ?? 5000),
      };
      const t0 = process.hrtime.bigint();
      const run = evalDefinition(compiled, r, evalOpts);
      const durationNs = Number(process.hrtime.bigint() - t0);
      const result: TestResult = { ...base, output, durationNs, fail: false, skip: false };
      if (run.error) result.error = run.error;
      else if (r.suffix.length > 0) {
        const { fail, subs } = subResults(run.value, run.started ?? []);
        result.fail = fail;
        result.subResults = subs;
      } else result.fail = run.value !== true;
      results.push(result);
    }
  }
  return { moduleErrors: errors, results };
}
