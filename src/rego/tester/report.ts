/**
 * `opa test` output: the pretty report (OPA's PrettyReporter layout: the
 * results that did not pass, or every result with --verbose, grouped under
 * `file:row:` headers, then the PASS/FAIL/SKIPPED/ERROR counts) and the JSON
 * report (OPA's array of results). Module errors come first, one per line.
 */
import type { SubResult, TestResult, TestRun } from './runner.ts';

/** Go's time.Duration.String for durations under a few hours (what opa test prints). */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const trim = (x: string) => x.replace(/\.?0+$/, '');
  if (ns < 1_000) return `${ns}ns`;
  if (ns < 1_000_000) return `${trim((ns / 1_000).toFixed(3))}µs`;
  if (ns < 1_000_000_000) return `${trim((ns / 1_000_000).toFixed(6))}ms`;
  const s = ns / 1_000_000_000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = `${trim((s % 60).toFixed(9))}s`;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${rest}`;
}

const outcome = (r: TestResult): string => (r.skip ? 'SKIPPED' : r.error ? 'ERROR' : r.fail ? 'FAIL' : 'PASS');

const passed = (r: TestResult): boolean => !r.fail && !r.skip && !r.error;

function* walkSubs(subs: Record<string, SubResult>, depth = 0): Generator<[number, SubResult]> {
  for (const k of Object.keys(subs).sort()) {
    const s = subs[k]!;
    yield [depth, s];
    if (s.sub_results) yield* walkSubs(s.sub_results, depth + 1);
  }
}

/** Counts as OPA does: a parameterised test counts each leaf case. */
export function summary(results: readonly TestResult[]): { pass: number; fail: number; skip: number; error: number } {
  const c = { pass: 0, fail: 0, skip: 0, error: 0 };
  for (const r of results) {
    if (r.skip) c.skip++;
    else if (r.error) c.error++;
    else if (r.subResults && Object.keys(r.subResults).length > 0) {
      for (const [, s] of walkSubs(r.subResults)) if (!s.sub_results || Object.keys(s.sub_results).length === 0) c[s.fail ? 'fail' : 'pass']++;
    } else c[r.fail ? 'fail' : 'pass']++;
  }
  return c;
}

export function prettyReport(run: TestRun, verbose: boolean): string {
  const out: string[] = [];
  let lastFile = '';
  let dirty = false;
  for (const r of run.results) {
    if (!verbose && passed(r)) continue;
    if (lastFile && lastFile !== r.location.file) out.push('');
    out.push(`${r.location.file}:${r.location.row}:`);
    lastFile = r.location.file;
    dirty = true;
    out.push(r.skip ? `${r.package}.${r.name}: ${outcome(r)}` : `${r.package}.${r.name}: ${outcome(r)} (${goDuration(r.durationNs)})`);
    for (const [depth, s] of walkSubs(r.subResults ?? {})) if (s.fail || verbose) out.push(`${'  '.repeat(depth + 1)}${s.name}: ${s.fail ? 'FAIL' : 'PASS'}`);
    if (r.output.length > 0) out.push('', ...r.output.map((l) => `  ${l}`), '');
    if (r.error) out.push(`  ${r.error.message}`);
  }
  if (dirty) out.push('-'.repeat(80));
  const c = summary(run.results);
  const total = c.pass + c.fail + c.skip + c.error;
  if (c.pass) out.push(`PASS: ${c.pass}/${total}`);
  if (c.fail) out.push(`FAIL: ${c.fail}/${total}`);
  if (c.skip) out.push(`SKIPPED: ${c.skip}/${total}`);
  if (c.error) out.push(`ERROR: ${c.error}/${total}`);
  if (total === 0) out.push('no tests were run');
  return `${out.join('\n')}\n`;
}

/** Sub-results as Go marshals them (`fail` and empty maps omitted). */
function subJSON(subs: Record<string, SubResult>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(subs).sort()) {
    const s = subs[k]!;
    out[k] = {
      ...(s.sub_results && Object.keys(s.sub_results).length > 0 ? { sub_results: subJSON(s.sub_results) } : {}),
      name: s.name,
      ...(s.fail ? { fail: true } : {}),
    };
  }
  return out;
}

/** OPA's JSON report: an array of results (duration in nanoseconds, print output base64 as Go marshals bytes). */
export function jsonReport(run: TestRun): string {
  const rows = run.results.map((r) => ({
    ...(r.error ? { error: { code: r.error.code, message: r.error.text, ...(r.error.location ? { location: r.error.location } : {}) } } : {}),
    location: r.location,
    package: r.package,
    name: r.name,
    ...(r.output.length > 0 ? { output: Buffer.from(`${r.output.join('\n')}\n`).toString('base64') } : {}),
    duration: r.durationNs,
    ...(r.fail ? { fail: true } : {}),
    ...(r.skip ? { skip: true } : {}),
    ...(r.subResults && Object.keys(r.subResults).length > 0 ? { sub_results: subJSON(r.subResults) } : {}),
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}
