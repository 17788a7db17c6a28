import { describe, expect, it } from 'vitest';
import { ciLinkBase } from '../../src/cli/diff.ts';
import { renderGithub } from '../../src/diff/render/github.ts';
import { renderJson } from '../../src/diff/render/json.ts';
import { renderMarkdown } from '../../src/diff/render/markdown.ts';
import { renderTerminal } from '../../src/diff/render/terminal.ts';
import { buildReport, type DiffFinding, type DiffReport } from '../../src/diff/report.ts';
import type { GroupDiff, PlanDiff } from '../../src/diff/types.ts';

const group = (over: Partial<GroupDiff> = {}): GroupDiff => ({
  status: 'changed',
  providerShare: { before: { openai: 70, azure: 30 }, after: { openai: 40, azure: 60 } },
  deploymentShare: { before: { a: 70, b: 30 }, after: { a: 40, b: 60 } },
  fallbacks: { before: ['x', 'y'], after: ['y'], added: [], removed: ['x'], reordered: false },
  contextWindowFallbacks: { before: [], after: [], added: [], removed: [], reordered: false },
  circuitBreaker: { loosened: ['cooldownMs'], tightened: [] },
  retries: { loosened: [], tightened: ['count'] },
  strategy: null,
  monthlyCostUsd: { before: 100, after: 250 },
  ...over,
});

const diff = (over: Partial<PlanDiff> = {}): PlanDiff => ({
  baseHash: 'sha256:aaaaaaaaaaaaaaaa',
  headHash: 'sha256:bbbbbbbbbbbbbbbb',
  groups: { chat: group() },
  tenants: {
    acme: {
      status: 'changed',
      rpm: { before: 100, after: 300 },
      tpm: { before: null, after: null },
      monthlyBudgetUsd: { before: 10, after: 10 },
      allowedGroups: { added: [], removed: [] },
    },
  },
  deployments: {},
  poolModels: {},
  batchProfiles: { nightly: { status: 'changed', changes: [{ field: 'completionWindowHours', before: 24, after: 48 }] } },
  cost: { monthlyBeforeUsd: 100, monthlyAfterUsd: 250, changePercent: 150 },
  artifacts: [
    {
      path: 'litellm/config.yaml',
      status: 'changed',
      patch: '--- a/generated/litellm/config.yaml\n+++ b/generated/litellm/config.yaml\n@@ -1 +1 @@\n-a: 1\n+a: 2\n',
    },
  ],
  ...over,
});

const finding = (over: Partial<DiffFinding> = {}): DiffFinding => ({
  severity: 'warning',
  code: 'fallback-removed',
  message: 'group "chat" loses fallback ["x"] | <b>',
  path: 'modelGroups[0].fallbacks',
  source: { file: 'policies/routing.ts', line: 42, column: 5 },
  level: 'high',
  set: 'risk',
  ...over,
});

const report = (findings: DiffFinding[] = [finding()], d: PlanDiff = diff()): DiffReport =>
  buildReport({
    diff: d,
    findings,
    failOn: 'high',
    base: { ref: 'main', commit: 'c'.repeat(40), planHash: d.baseHash! },
    head: { path: 'policies', planHash: d.headHash },
  });

describe('buildReport', () => {
  it('the overall level is the highest finding; ok below --fail-on', () => {
    const r = report([
      finding({ level: 'medium', code: 'b' }),
      finding({ level: 'critical', set: 'deny', severity: 'error', code: 'a' }),
      finding({ level: 'low', code: 'c' }),
    ]);
    expect(r.level).toBe('critical');
    expect(r.ok).toBe(false);
    expect(r.counts).toEqual({ low: 1, medium: 1, high: 0, critical: 1 });
    expect(r.findings.map((f) => f.level)).toEqual(['critical', 'medium', 'low']);
    expect(report([finding({ level: 'medium' })]).ok).toBe(true);
    expect(report([])).toMatchObject({ level: 'none', ok: true });
  });

  it('--json is the report itself', () => {
    const r = report();
    expect(JSON.parse(renderJson(r))).toEqual(JSON.parse(JSON.stringify(r)));
    expect(Object.keys(JSON.parse(renderJson(r)))).toEqual([
      'schemaVersion',
      'ok',
      'level',
      'failOn',
      'base',
      'head',
      'empty',
      'counts',
      'findings',
      'diff',
      'simulation',
      'simulationNote',
    ]);
  });
});

describe('renderTerminal', () => {
  it('prints groups, tenants, cost, files, findings and the level; colour only when asked', () => {
    const plain = renderTerminal(report(), { color: false });
    expect(plain).not.toContain('\u001b[');
    for (const s of [
      '~ chat',
      'openai 70% -> 40%',
      '[x, y] -> [y]  (removed x)',
      'loosened cooldownMs',
      'rpm             100 -> 300',
      '$100.00 -> $250.00 (+150%)',
      'litellm/config.yaml  +1 -1',
      'HIGH',
      'policies/routing.ts:42:5',
      'Risk: HIGH',
    ])
      expect(plain).toContain(s);
    expect(renderTerminal(report(), { color: true })).toContain('\u001b[');
  });
});

describe('renderMarkdown', () => {
  it('starts with the marker and a summary table', () => {
    const md = renderMarkdown(report());
    expect(md.split('\n')[0]).toBe('<!-- switchyard-diff -->');
    expect(md).toContain('| Overall risk | **high** (reaches the fail-on level high) |');
    expect(md).toContain('| Monthly cost (projected) | $100.00 → $250.00 (+150%) |');
    expect(md).toContain('1 model group, 0 deployments, 1 tenant, 0 pool models, 1 batch profile, 1 generated file');
  });

  it('links findings to their line with --link-base, plain file:line without', () => {
    expect(renderMarkdown(report(), { linkBase: 'https://github.com/o/r/blob/abc/' })).toContain(
      '[policies/routing.ts:42](https://github.com/o/r/blob/abc/policies/routing.ts#L42)',
    );
    expect(renderMarkdown(report(), { linkBase: '../blob/abc' })).toContain('[policies/routing.ts:42](../blob/abc/policies/routing.ts#L42)');
    const plain = renderMarkdown(report());
    expect(plain).toContain('| policies/routing.ts:42 |');
    expect(plain).not.toContain('](');
  });

  it('escapes table cells and HTML in messages', () => {
    const md = renderMarkdown(report());
    expect(md).toContain('loses fallback \\["x"\\] \\| &lt;b\\>');
  });

  it('draws traffic shares as pies and fallback chains as flowcharts', () => {
    const md = renderMarkdown(report());
    expect(md).toContain('| `openai` | 70% | 40% | -30 pts |');
    expect(md).toContain('```mermaid\npie showData title chat before\n    "azure" : 30\n    "openai" : 70\n```');
    expect(md).toContain('```mermaid\nflowchart LR\n');
    expect(md).toContain('class b_1 removed');
  });

  it('folds file diffs, with a fence longer than any backticks in the patch, and cuts long patches', () => {
    const patch = `@@ -1 +1 @@\n-\`\`\`\n+\`\`\`\`\n${'+line\n'.repeat(50)}`;
    const md = renderMarkdown(report([], diff({ artifacts: [{ path: 'docs/a.md', status: 'changed', patch }] })), { maxPatchChars: 120 });
    expect(md).toContain('<details>\n<summary><code>docs/a.md</code> (changed, +51 −1)</summary>');
    expect(md).toContain('`````diff\n');
    expect(md).toContain('Patch cut short');
  });

  it('an empty diff says so', () => {
    const empty = diff({ groups: {}, tenants: {}, batchProfiles: {}, artifacts: [], cost: { monthlyBeforeUsd: 1, monthlyAfterUsd: 1, changePercent: 0 } });
    const md = renderMarkdown(report([], empty));
    expect(md).toContain('No change to the compiled plan');
    expect(md).not.toContain('```mermaid');
  });
});

describe('renderGithub', () => {
  it('one annotation per finding through the Diagnostic renderer, then the overall level', () => {
    const out = renderGithub(report()).trim().split('\n');
    expect(out[0]).toBe(
      '::warning file=policies/routing.ts,line=42,col=5,title=fallback-removed::[high] group "chat" loses fallback ["x"] | <b> (at modelGroups[0].fallbacks)',
    );
    expect(out[1]).toMatch(/^::error title=switchyard-diff::overall risk high \(1 finding: 1 high; fails at high\)/);
    expect(renderGithub(report([]))).toMatch(/^::notice title=switchyard-diff::overall risk none/);
  });
});

describe('ciLinkBase', () => {
  it('links to the commit under test in GitHub Actions and GitLab CI, nowhere else', () => {
    expect(ciLinkBase({ GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 'abc' })).toBe(
      'https://github.com/o/r/blob/abc',
    );
    expect(
      ciLinkBase({
        GITHUB_ACTIONS: 'true',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'merge',
        SWITCHYARD_HEAD_SHA: 'head',
      }),
    ).toBe('https://github.com/o/r/blob/head');
    expect(ciLinkBase({ GITLAB_CI: 'true', CI_PROJECT_URL: 'https://gitlab.com/g/p', CI_COMMIT_SHA: 'def' })).toBe('https://gitlab.com/g/p/-/blob/def');
    expect(ciLinkBase({ CI: 'true' })).toBeUndefined();
  });
});
