import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.ts';
import { lineOf, makeWorkspace, type Workspace } from '../fixtures/workspace.ts';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

const run = async (...extra: string[]) => {
  const r = await cli('check', '-p', ws.policies, '--json', ...extra);
  return {
    ...r,
    report: JSON.parse(r.stdout) as {
      ok: boolean;
      diagnostics: Array<{ severity: string; code: string; level?: string; path: string; source?: { file: string; line: number } }>;
    },
  };
};

describe('switchyard check', () => {
  it('passes the reference policies with no findings', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.report.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });

  it('denies a breaker that trips above 5%, at the policy line that set it', async () => {
    ws.edit(
      'routing.ts',
      "    strategy: 'usage_based',\n    deployments: ['openai-gpt-4o'],",
      "    strategy: 'usage_based',\n    deployments: ['openai-gpt-4o'],\n    circuitBreaker: { errorRateThreshold: 0.08 },",
    );
    const r = await run();
    expect(r.code).toBe(1);
    const [d] = r.report.diagnostics.filter((x) => x.severity === 'error');
    expect(d).toMatchObject({ code: 'breaker-threshold-too-high', level: 'high', path: 'modelGroups[0].circuitBreaker.errorRateThreshold' });
    expect(d!.source!.file).toContain('routing.ts');
    expect(d!.source!.line).toBe(lineOf(ws.read('routing.ts'), 'errorRateThreshold: 0.08'));
  });

  it('warns about a tenant without limits but exits 0', async () => {
    ws.edit('tenants.ts', '    rpm: 120,\n', '');
    const r = await run();
    expect(r.code).toBe(0);
    const warn = r.report.diagnostics.find((d) => d.code === 'tenant-without-limits');
    expect(warn).toMatchObject({ severity: 'warning', level: 'medium', path: 'tenants[2].rpm' });
    expect(warn!.source!.file).toContain('tenants.ts');
  });

  it('annotates GitHub pull requests', async () => {
    ws.edit('batch-profiles.ts', 'redaction: { enabled: true, reidentify: true },', 'redaction: { enabled: false },');
    const r = await cli('check', '-p', ws.policies, '--format', 'github');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=.*batch-profiles\.ts,line=\d+,col=\d+,title=pii-without-redaction::batch profile "document-extraction" exports PII/m,
    );
  });

  it('reports a rule pack that does not parse at its file and line', async () => {
    writeFileSync(join(ws.policies, 'risk/broken.rego'), 'package switchyard.risk\n\nimport rego.v1\n\ndeny contains x if {\n  x := \n}\n');
    const r = await run();
    expect(r.code).toBe(1);
    const [d] = r.report.diagnostics.filter((x) => x.severity === 'error');
    expect(d!.code).toBe('rego_parse_error');
    expect(d!.source!.file).toContain('broken.rego');
  });

  it('asks for a bundle when the opa-wasm engine is chosen without one', async () => {
    const r = await cli('check', '-p', ws.policies, '--engine', 'opa-wasm');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs --bundle/);
  });
});

describe('switchyard policy test', () => {
  it('runs the rule pack tests like opa test', async () => {
    const r = await cli('policy', 'test', '-p', ws.policies, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.summary.fail + out.summary.error).toBe(0);
    expect(out.summary.pass).toBeGreaterThanOrEqual(25);
    expect(out.tests[0].location.file).toMatch(/_test\.rego$/);
  });

  it('fails with the location of a failing test', async () => {
    writeFileSync(join(ws.policies, 'risk/extra_test.rego'), 'package switchyard.risk_test\n\nimport rego.v1\n\ntest_wrong if {\n  1 == 2\n}\n');
    const r = await cli('policy', 'test', '-p', ws.policies);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL data\.switchyard\.risk_test\.test_wrong \(.*extra_test\.rego:5\)/);
    expect(r.stdout).toMatch(/FAIL: 1\//);
  });
});
