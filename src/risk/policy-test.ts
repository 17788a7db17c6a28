/**
 * `opa test` semantics for the rule pack: every rule named `test_*` is a
 * test; it passes when it evaluates to true, fails when undefined or false,
 * and errors when evaluation raises an error.
 */
import { compileModules, evalRule, listRules, type Location, type ModuleSource } from '../rego/index.ts';
import { RulePackError } from './builtin-engine.ts';

export interface TestResult {
  name: string;
  /** e.g. data.switchyard.risk_test.test_pii_without_redaction_is_denied */
  path: string;
  location: Location;
  status: 'pass' | 'fail' | 'error';
  durationMs: number;
  error?: string;
  /** What print() wrote while the test ran. */
  output: string[];
}

export function runRegoTests(modules: ModuleSource[], filter?: RegExp): TestResult[] {
  const { compiled, errors } = compileModules(modules);
  if (!compiled) throw new RulePackError(errors);
  const seen = new Set<string>();
  const tests = listRules(compiled).filter((r) => r.name.startsWith('test_') && (!filter || filter.test(r.path)));
  const results: TestResult[] = [];
  for (const t of tests) {
    // A test written as several bodies is one test, as in opa test.
    if (seen.has(t.path)) continue;
    seen.add(t.path);
    const output: string[] = [];
    const start = performance.now();
    let status: TestResult['status'] = 'fail';
    let error: string | undefined;
    try {
      status = evalRule(compiled, t.path, { print: (line) => output.push(line) }) === true ? 'pass' : 'fail';
    } catch (e) {
      status = 'error';
      error = e instanceof Error ? e.message : String(e);
    }
    results.push({ name: t.name, path: t.path, location: t.location, status, durationMs: performance.now() - start, output, ...(error ? { error } : {}) });
  }
  return results;
}
