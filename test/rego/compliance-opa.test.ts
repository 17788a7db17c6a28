/**
 * Differential test: the built-in interpreter against the opa binary, case
 * by case over the shared compliance suite. Runs where `opa` is installed;
 * reports itself as skipped otherwise.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileModules, evalQuery } from '../../src/rego/index.ts';
import { fromJSON, toJSON } from '../../src/rego/value.ts';
import type { ComplianceCase } from '../../src/rego/compliance/runner.ts';
import { HAVE_OPA, opa, OPA_SKIP_REASON } from '../fixtures/opa-binary.ts';
import { SHARED } from '../fixtures/shared.ts';

const SUITE = join(SHARED, 'opa-compliance');

function cases(dir: string): ComplianceCase[] {
  const out: ComplianceCase[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...cases(p));
    else if (/\.ya?ml$/.test(name)) out.push(...((parse(readFileSync(p, 'utf8')) as { cases?: ComplianceCase[] }).cases ?? []));
  }
  return out;
}

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

describe.skipIf(!HAVE_OPA)(`built-in Rego engine against opa eval (${HAVE_OPA ? 'found' : OPA_SKIP_REASON})`, () => {
  it('gives the same results as opa eval on every case with JSON input', () => {
    const disagreements: string[] = [];
    for (const c of cases(SUITE).filter((x) => x.input_term === undefined)) {
      const dir = mkdtempSync(join(tmpdir(), 'switchyard-opa-'));
      try {
        const files = (c.modules ?? []).map((src, i) => {
          const f = join(dir, `test-${i}.rego`);
          writeFileSync(f, src);
          return f;
        });
        writeFileSync(join(dir, 'data.json'), JSON.stringify(c.data ?? {}));
        const args = ['eval', '--format', 'json', '-d', join(dir, 'data.json'), ...files.flatMap((f) => ['-d', f])];
        if (c.strict_error) args.push('--strict-builtin-errors');
        if (c.input !== undefined) {
          writeFileSync(join(dir, 'input.json'), JSON.stringify(c.input));
          args.push('-i', join(dir, 'input.json'));
        }
        const r = opa([...args, c.query]);
        const theirs =
          r.code === 0
            ? ((JSON.parse(r.stdout) as { result?: Array<{ bindings?: Record<string, unknown> }> }).result ?? []).map((x) => canonical(x.bindings ?? {})).sort()
            : 'error';
        const compiled = compileModules((c.modules ?? []).map((source, i) => ({ file: `test-${i}.rego`, source })));
        let ours: string[] | 'error' = 'error';
        if (compiled.compiled) {
          const q = evalQuery(compiled.compiled, c.query, {
            input: c.input === undefined ? undefined : fromJSON(c.input),
            data: fromJSON(c.data ?? {}),
            strictBuiltinErrors: c.strict_error === true,
            // opa eval runs the network builtins; the cases only resolve literal addresses and localhost.
            network: true,
          });
          if (!q.error) ours = q.results.map((b) => canonical(Object.fromEntries(Object.entries(b).map(([k, v]) => [k, toJSON(v)])))).sort();
        }
        if (canonical(ours) !== canonical(theirs)) disagreements.push(`${c.note}: opa ${canonical(theirs)} vs ours ${canonical(ours)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    expect(disagreements).toEqual([]);
  });
});
