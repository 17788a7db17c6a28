import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
  it('passes the reference policies with no findings but the LiteLLM behaviour its vLLM groups meet', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    // LiteLLM never cools a vLLM server that refuses connections down (src/targets/litellm/limitations.ts).
    expect(r.report.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.severity} ${d.code} @ ${d.path}`)).toEqual([
      'warning litellm-no-cooldown-on-connection-error @ modelGroups[3].deployments',
      'warning litellm-no-cooldown-on-connection-error @ modelGroups[5].deployments',
    ]);
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
    // Title, link and level come from the rule's METADATA block.
    expect(d).toMatchObject({ title: 'Circuit breakers open at 5% errors or less', link: 'README.md#risk-rules-rego' });
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

  it('warns, at the policy line, for each endpoint setting whose variable is unset here, and only for those', async () => {
    // Names no environment this test runs in sets; stubbed per case, restored after it.
    const BASE = 'SWITCHYARD_TEST_EASTUS_BASE';
    const VERSION = 'SWITCHYARD_TEST_EASTUS_API_VERSION';
    ws.edit('providers.ts', "apiBase: 'https://switchyard-eastus.openai.azure.com',", `apiBase: 'env:${BASE}',`);
    ws.edit('providers.ts', "apiVersion: '2024-10-21',\n    region: 'eastus',", `apiVersion: 'env:${VERSION}',\n    region: 'eastus',`);
    const unset = (r: Awaited<ReturnType<typeof run>>) => r.report.diagnostics.filter((d) => d.code === 'env-unset');
    try {
      vi.stubEnv(BASE, undefined);
      vi.stubEnv(VERSION, undefined);
      const none = await run();
      // A warning: CI rarely has the variables the proxy and the gateway get.
      expect(none.code).toBe(0);
      expect(unset(none).map((d) => [d.severity, d.path, d.source?.line])).toEqual([
        ['warning', 'providers[1].apiBase', lineOf(ws.read('providers.ts'), `env:${BASE}`)],
        ['warning', 'providers[1].apiVersion', lineOf(ws.read('providers.ts'), `env:${VERSION}`)],
      ]);
      expect(unset(none)[0]).toMatchObject({ message: expect.stringContaining(`reads its apiBase from ${BASE}, which is not set here`) });
      // Blank counts as unset; a set variable is no warning, and its value is never printed.
      vi.stubEnv(BASE, 'https://eastus.example.test');
      vi.stubEnv(VERSION, '  ');
      const one = await run();
      expect(unset(one).map((d) => d.path)).toEqual(['providers[1].apiVersion']);
      expect(one.stdout).not.toContain('eastus.example.test');
      vi.stubEnv(VERSION, '2024-10-21');
      expect(unset(await run())).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
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

describe('switchyard check with METADATA-annotated rules', () => {
  const annotated = (meta: string, level = '') =>
    `package switchyard.risk\n\nimport rego.v1\n\n${meta}deny contains f if {\n\tsome name, _ in input.plan.groups\n\tf := {"id": "annotated", "msg": sprintf("group %s", [name]), "path": ["groups", name]${level}}\n}\n`;

  it("takes a finding's level, title and link from the rule's annotations", async () => {
    writeFileSync(
      join(ws.policies, 'risk/annotated.rego'),
      annotated(
        '# METADATA\n# title: Every group is reviewed\n# related_resources:\n# - https://example.com/runbooks/groups\n# custom:\n#   severity: CRITICAL\n',
      ),
    );
    const r = await run();
    expect(r.code).toBe(1);
    const found = r.report.diagnostics.filter((d) => d.code === 'annotated');
    expect(found.length).toBeGreaterThan(0);
    for (const d of found)
      expect(d).toMatchObject({ severity: 'error', level: 'critical', title: 'Every group is reviewed', link: 'https://example.com/runbooks/groups' });
    const pretty = await cli('check', '-p', ws.policies);
    expect(pretty.stdout + pretty.stderr).toContain('  rule: Every group is reviewed\n  see: https://example.com/runbooks/groups');
  });

  it("lets the finding's own level win over the annotation", async () => {
    writeFileSync(join(ws.policies, 'risk/annotated.rego'), annotated('# METADATA\n# custom:\n#   level: critical\n', ', "level": "low"'));
    const r = await run();
    for (const d of r.report.diagnostics.filter((x) => x.code === 'annotated')) expect(d.level).toBe('low');
  });

  it('reports a finding with no level anywhere, or a bad annotation, at the rule', async () => {
    writeFileSync(join(ws.policies, 'risk/annotated.rego'), annotated(''));
    const none = await run();
    expect(none.code).toBe(1);
    const [d] = none.report.diagnostics.filter((x) => x.code === 'rego_type_error');
    expect(d!.source).toMatchObject({ file: expect.stringContaining('annotated.rego'), line: 5 });
    writeFileSync(join(ws.policies, 'risk/annotated.rego'), annotated('# METADATA\n# custom:\n#   level: urgent\n'));
    expect((await run()).report.diagnostics.some((x) => x.code === 'rego_type_error')).toBe(true);
    writeFileSync(join(ws.policies, 'risk/annotated.rego'), annotated('# METADATA\n# scope: nowhere\n'));
    const bad = await run();
    expect(bad.report.diagnostics.find((x) => x.code === 'rego_parse_error')?.source).toMatchObject({ line: 5 });
  });
});
