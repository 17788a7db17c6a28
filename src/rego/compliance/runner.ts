/**
 * Runs OPA's YAML conformance cases against this interpreter, the way
 * OPA's harness does: modules are named `test-<index>.rego`, results are
 * compared as JSON, and every case is counted (nothing skipped silently).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compileModules, evalQuery, parseValue, type RegoError } from '../index.ts';
import type { BuiltinRegistry } from '../builtins/types.ts';
import { fromJSON, toJSON, type Value } from '../value.ts';

export interface ComplianceCase {
  note: string;
  query: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  want_result?: Array<Record<string, unknown>>;
  sort_bindings?: boolean;
  want_error_code?: string;
  want_error?: string;
  strict_error?: boolean;
}

export interface CaseOutcome {
  file: string;
  category: string;
  note: string;
  passed: boolean;
  reason?: string;
}

export interface ComplianceReport {
  outcomes: CaseOutcome[];
  passed: number;
  failed: number;
  /** The printable report; the last line is `N passed, M failed`. */
  lines: string[];
}

/** The two wordings OPA has used for conflict errors, so either one matches. */
const CONFLICT_WORDINGS: Array<[RegExp, RegExp]> = [
  [/complete rules must not produce multiple outputs/, /rule data\..* produced conflicting values/],
  [/functions must not produce multiple outputs for same inputs/, /function data\..* produced conflicting values for the same inputs/],
];

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

function stable(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  return `{${Object.keys(v as object)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

function normalizeBinding(b: Record<string, unknown>, sort: boolean): string {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b))
    out[k] = sort && Array.isArray(v) ? [...v].sort((x, y) => (stable(x) < stable(y) ? -1 : stable(x) > stable(y) ? 1 : 0)) : v;
  return stable(out);
}

function errorMatches(c: ComplianceCase, err: RegoError): string | null {
  if (c.want_error_code && err.code !== c.want_error_code) return `want error code ${c.want_error_code}, got ${err.code}: ${err.message}`;
  if (c.want_error && !err.message.includes(c.want_error)) {
    const alt = CONFLICT_WORDINGS.some(([a, b]) => (a.test(c.want_error!) && b.test(err.message)) || (b.test(c.want_error!) && a.test(err.message)));
    if (!alt) return `want error "${c.want_error}", got "${err.message}"`;
  }
  return null;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').slice(0, 300);

function runCase(c: ComplianceCase, builtins?: BuiltinRegistry): string | null {
  const wantsError = Boolean(c.want_error_code || c.want_error);
  const modules = (c.modules ?? []).map((source, i) => ({ file: `test-${i}.rego`, source }));
  const { compiled, errors } = compileModules(modules, builtins ? { builtins } : {});
  if (!compiled) {
    const err = errors[0]!;
    if (wantsError) return errorMatches(c, err);
    return `compile error: ${err.message}`;
  }
  let input: Value | undefined;
  try {
    if (c.input_term !== undefined) input = parseValue(c.input_term);
    else if (c.input !== undefined) input = fromJSON(c.input);
  } catch (e) {
    return `bad input_term: ${(e as Error).message}`;
  }
  const data = fromJSON(c.data ?? {});
  // OPA's harness runs with every builtin: the network ones too (the cases only resolve literal addresses and localhost).
  const { results, error } = evalQuery(compiled, c.query, { input, data, strictBuiltinErrors: c.strict_error === true, network: true });
  if (wantsError) {
    if (!error)
      return `want error ${c.want_error_code ?? ''} "${c.want_error ?? ''}", got ${results.length} result(s): ${oneLine(JSON.stringify(results.map((r) => toJSON(r as never))))}`;
    return errorMatches(c, error);
  }
  if (error) return `unexpected error: ${error.message}`;
  const want = (c.want_result ?? []).map((b) => normalizeBinding(b, c.sort_bindings === true)).sort();
  const got = results
    .map((r) => {
      const js: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) js[k] = toJSON(v);
      return normalizeBinding(js, c.sort_bindings === true);
    })
    .sort();
  if (want.length !== got.length || want.some((w, i) => w !== got[i])) return `want ${oneLine(want.join(' '))}, got ${oneLine(got.join(' '))}`;
  return null;
}

export function runCompliance(dir: string, opts: { builtins?: BuiltinRegistry; filter?: string } = {}): ComplianceReport {
  const outcomes: CaseOutcome[] = [];
  for (const file of yamlFiles(dir)) {
    const rel = relative(dir, file);
    const category = rel.includes(sep) ? rel.split(sep)[0]! : '.';
    let doc: { cases?: ComplianceCase[] };
    try {
      doc = parseYaml(readFileSync(file, 'utf8')) as { cases?: ComplianceCase[] };
    } catch (e) {
      outcomes.push({ file: rel, category, note: rel, passed: false, reason: `unreadable YAML: ${(e as Error).message}` });
      continue;
    }
    for (const c of doc.cases ?? []) {
      if (opts.filter && !c.note.includes(opts.filter) && !rel.includes(opts.filter)) continue;
      let reason: string | null;
      try {
        reason = runCase(c, opts.builtins);
      } catch (e) {
        reason = `crash: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`;
      }
      outcomes.push({ file: rel, category, note: c.note, passed: reason === null, ...(reason === null ? {} : { reason: oneLine(reason) }) });
    }
  }
  const lines: string[] = [];
  const cats = new Map<string, { p: number; f: number }>();
  for (const o of outcomes) {
    const c = cats.get(o.category) ?? { p: 0, f: 0 };
    if (o.passed) c.p++;
    else c.f++;
    cats.set(o.category, c);
  }
  lines.push('Categories:');
  for (const [name, c] of [...cats].sort()) lines.push(`  ${name}: ${c.p} passed, ${c.f} failed`);
  const failures = outcomes.filter((o) => !o.passed);
  if (failures.length > 0) {
    lines.push('', 'Failures:');
    for (const f of failures) lines.push(`  ${f.file}: ${f.note}: ${f.reason}`);
  }
  const passed = outcomes.length - failures.length;
  lines.push('', `${passed} passed, ${failures.length} failed`);
  return { outcomes, passed, failed: failures.length, lines };
}

/** Case files all of whose cases pass, sorted (the committed list a regression is checked against). */
export function passingFiles(report: ComplianceReport): string[] {
  const failing = new Set(report.outcomes.filter((o) => !o.passed).map((o) => o.file));
  return [...new Set(report.outcomes.map((o) => o.file))].filter((f) => !failing.has(f)).sort();
}
