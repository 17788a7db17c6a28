/**
 * `switchyard policy test` as `opa test`, on a conftest-style suite that is
 * not Switchyard's own (test/fixtures/rego-suite: data files, a
 * parameterised test, glob/units/semver/net/time/json builtins) and on the
 * reference rule pack.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.ts';
import { REPO } from '../fixtures/workspace.ts';
import { makeWorkspace, type Workspace } from '../fixtures/workspace.ts';

const SUITE = join(REPO, 'test/fixtures/rego-suite');
const BROKEN = join(REPO, 'test/fixtures/rego-suite-broken');

interface JsonResult {
  package: string;
  name: string;
  location: { file: string; row: number };
  fail?: boolean;
  skip?: boolean;
  error?: { code: string; message: string };
  output?: string;
  sub_results?: Record<string, { name: string; fail?: boolean }>;
}

const json = (stdout: string) => JSON.parse(stdout) as JsonResult[];

describe('switchyard policy test PATH', () => {
  it('runs a foreign suite with data files and per-case parameterised results', async () => {
    const r = await cli('policy', 'test', SUITE, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2); // a todo_ test is skipped: non-zero, as opa test
    const results = json(r.stdout);
    expect(results.map((x) => `${x.package}.${x.name}`)).toEqual([
      'data.main_test.test_clean_deployment_has_no_findings',
      'data.main_test.test_memory_limits',
      'data.main_test.test_unapproved_registry_is_denied',
      'data.main_test.test_old_version_is_denied',
      'data.main_test.test_public_source_warns',
      'data.main_test.test_weekday_change_is_denied',
      'data.main_test.todo_test_ingress_rules',
    ]);
    expect(results.filter((x) => x.fail || x.error)).toEqual([]);
    expect(results[1]!.sub_results).toEqual({
      'exactly the cap fits': { name: 'exactly the cap fits' },
      'half a gig fits': { name: 'half a gig fits' },
      'three gigs is too much': { name: 'three gigs is too much' },
    });
    expect(results[6]).toMatchObject({ skip: true });
    expect(results[0]!.location).toMatchObject({ file: expect.stringMatching(/deployment_test\.rego$/), row: 14 });
  });

  it('exits 0 when skipped tests are allowed, and prints only the summary', async () => {
    const r = await cli('policy', 'test', SUITE, '-z');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `${'test/fixtures/rego-suite/policy/deployment_test.rego'}:54:`,
        'data.main_test.todo_test_ingress_rules: SKIPPED',
        '-'.repeat(80),
        'PASS: 8/9',
        'SKIPPED: 1/9',
        '',
      ].join('\n'),
    );
  });

  it('reports a module that does not parse at its file:line and still runs the others', async () => {
    const r = await cli('policy', 'test', SUITE, BROKEN);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^test\/fixtures\/rego-suite-broken\/broken\.rego:7: rego_parse_error: /);
    expect(r.stdout).toContain('data.failing_test.test_cases_are_small: FAIL (');
    expect(r.stdout).toContain('\n  two: FAIL\n');
    expect(r.stdout).not.toContain('one: PASS');
    expect(r.stdout).toContain('\n  checking one\n  checking two\n');
    expect(r.stdout).toMatch(/PASS: 9\/13\nFAIL: 3\/13\nSKIPPED: 1\/13\n$/);
  });

  it('fails with exit 2 on failing tests, lists passing cases with --verbose, and filters with --run', async () => {
    const only = await cli('policy', 'test', join(BROKEN, 'failing_test.rego'), '--run', 'cases_are', '-v');
    expect(only.code).toBe(2);
    expect(only.stdout).toContain('\n  one: PASS\n  two: FAIL\n');
    expect(only.stdout).not.toContain('test_arithmetic');
    expect(only.stdout).toMatch(/PASS: 1\/2\nFAIL: 1\/2\n$/);
  });

  it('stops a test at --timeout with an error', async () => {
    const ws = makeWorkspace();
    try {
      const file = join(ws.dir, 'slow_test.rego');
      writeFileSync(
        file,
        'package slow_test\n\nimport rego.v1\n\ntest_slow if {\n\tcount([x | some x in numbers.range(1, 4000); some y in numbers.range(1, 4000)]) > 0\n}\n\ntest_fast if true\n',
      );
      const r = await cli('policy', 'test', file, '--timeout', '50ms', '--json');
      expect(r.code).toBe(2);
      const [slow, fast] = json(r.stdout);
      expect(slow!.error).toMatchObject({ code: 'eval_cancel_error' });
      expect(fast!.fail).toBeUndefined();
    } finally {
      ws.cleanup();
    }
  });

  it('gives net.lookup_ip_addr the network only with --allow-net', async () => {
    const ws = makeWorkspace();
    try {
      const file = join(ws.dir, 'dns_test.rego');
      writeFileSync(file, 'package dns_test\n\nimport rego.v1\n\ntest_localhost_resolves if {\n\t"127.0.0.1" in net.lookup_ip_addr("localhost")\n}\n');
      const off = await cli('policy', 'test', file, '--json');
      expect(off.code).toBe(2);
      expect(json(off.stdout)[0]!.error).toMatchObject({
        code: 'eval_builtin_error',
        message: expect.stringMatching(/^net\.lookup_ip_addr: network access is not enabled/),
      });
      const on = await cli('policy', 'test', file, '--json', '--allow-net');
      expect(on.code).toBe(0);
      expect(json(on.stdout)[0]).toMatchObject({ name: 'test_localhost_resolves' });
      expect(json(on.stdout)[0]!.fail ?? false).toBe(false);
      expect(json(on.stdout)[0]!.error).toBeUndefined();
    } finally {
      ws.cleanup();
    }
  });

  it('refuses bad flags and paths with exit 1, as opa test', async () => {
    expect((await cli('policy', 'test', SUITE, '--run', '(')).code).toBe(1);
    expect((await cli('policy', 'test', SUITE, '--timeout', 'soon')).stderr).toMatch(/--timeout "soon" is not a positive duration/);
    const missing = await cli('policy', 'test', join(SUITE, 'nope'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope: no such file or directory/);
  });

  it('refuses two data files that disagree', async () => {
    const ws = makeWorkspace();
    try {
      writeFileSync(join(ws.dir, 'data.json'), '{"config": {"max_memory": "1Gi"}}');
      const r = await cli('policy', 'test', SUITE, join(ws.dir, 'data.json'));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/data\.config\.max_memory is also set by .*config\/data\.yaml/);
    } finally {
      ws.cleanup();
    }
  });
});

describe('switchyard policy test (the rule pack)', () => {
  let ws: Workspace;
  beforeEach(() => {
    ws = makeWorkspace();
  });
  afterEach(() => ws.cleanup());

  it('runs the reference rule pack tests', async () => {
    const r = await cli('policy', 'test', '-p', ws.policies, '--json');
    expect(r.code).toBe(0);
    const results = json(r.stdout);
    expect(results.length).toBeGreaterThanOrEqual(25);
    expect(results.filter((x) => x.fail || x.error || x.skip)).toEqual([]);
    expect(results[0]!.location.file).toMatch(/_test\.rego$/);
    // Every risk rule at its boundaries and with each condition taken away (policies/risk/boundaries_test.rego).
    expect(results.filter((x) => x.package === 'data.switchyard.risk_boundaries_test').length).toBe(63);
  });

  it('fails with the location of a failing test', async () => {
    writeFileSync(join(ws.policies, 'risk/extra_test.rego'), 'package switchyard.risk_test\n\nimport rego.v1\n\ntest_wrong if {\n  1 == 2\n}\n');
    const r = await cli('policy', 'test', '-p', ws.policies);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/extra_test\.rego:5:\ndata\.switchyard\.risk_test\.test_wrong: FAIL \(/);
    expect(r.stdout).toMatch(/FAIL: 1\//);
  });
});
