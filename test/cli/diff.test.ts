import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiffReport } from '../../src/diff/report.ts';
import { cli } from '../fixtures/cli.ts';
import { mermaidBlocks, mermaidParser } from '../fixtures/mermaid.ts';
import { lineOf, makeWorkspace, type Workspace } from '../fixtures/workspace.ts';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=switchyard-test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A workspace that is a git repository with the reference policies committed. */
function makeRepo(): Workspace {
  const ws = makeWorkspace();
  git(ws.dir, 'init', '-q', '-b', 'main');
  git(ws.dir, 'add', 'policies');
  git(ws.dir, 'commit', '-q', '-m', 'reference policies');
  return ws;
}

async function diffJson(ws: Workspace, ...extra: string[]) {
  const r = await cli('diff', '--base', 'HEAD', '-p', ws.policies, '--json', ...extra);
  return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as DiffReport) : undefined };
}

const codes = (r: DiffReport) => [...new Set(r.findings.map((f) => f.code))].sort();

let ws: Workspace;
beforeEach(() => {
  ws = makeRepo();
});
afterEach(() => ws.cleanup());

describe('switchyard diff: one edit per risk rule', () => {
  const cases: Array<{ rule: string; level: string; file: string; from: string | RegExp; to: string; exit: number }> = [
    { rule: 'traffic-shift', level: 'medium', file: 'routing.ts', from: 'tpm: 450_000', to: 'tpm: 2_000_000', exit: 0 },
    {
      rule: 'fallback-removed',
      level: 'high',
      file: 'routing.ts',
      from: "fallbacks: ['chat-azure', 'chat-anthropic', 'chat-local']",
      to: "fallbacks: ['chat-azure', 'chat-local']",
      exit: 1,
    },
    { rule: 'breaker-loosened', level: 'high', file: 'routing.ts', from: "cooldown: '30s'", to: "cooldown: '10s'", exit: 1 },
    {
      rule: 'retries-loosened',
      level: 'high',
      file: 'routing.ts',
      from: 'retryOn: [429, 500, 502, 503, 504]',
      to: 'retryOn: [408, 429, 500, 502, 503, 504]',
      exit: 1,
    },
    { rule: 'tenant-limit-raised', level: 'medium', file: 'tenants.ts', from: 'rpm: 1_200', to: 'rpm: 3_600', exit: 0 },
    {
      rule: 'cost-increase',
      level: 'high',
      file: 'routing.ts',
      from: 'pricing: { inputPer1M: 2.5, outputPer1M: 10 }',
      to: 'pricing: { inputPer1M: 7.5, outputPer1M: 30 }',
      exit: 1,
    },
  ];
  for (const c of cases) {
    it(`${c.rule}: exactly that finding, level ${c.level}`, async () => {
      ws.edit(c.file, c.from, c.to);
      // The diff rules alone: what the simulation makes of each edit is tested with the simulated impact below.
      const { code, report, stderr } = await diffJson(ws, '--no-simulate');
      expect(stderr).toBe('');
      expect(codes(report!)).toEqual([c.rule]);
      expect(report!.level).toBe(c.level);
      for (const f of report!.findings) expect(f).toMatchObject({ level: c.level, set: 'risk' });
      expect(code).toBe(c.exit);
      expect(report!.ok).toBe(c.exit === 0);
    });
  }

  it('a plan rule (deny or warn) on the head counts at its level', async () => {
    const tenants = ws.read('tenants.ts');
    ws.write(
      'tenants.ts',
      tenants.replace(
        /\]\);\s*$/,
        `  {\n    id: 'new-team',\n    apiKeys: ['vault:secret/switchyard/tenants/new-team#api_key'],\n    allowedGroups: ['chat-mini'],\n    monthlyBudgetUsd: 100,\n  },\n]);\n`,
      ),
    );
    const { code, report } = await diffJson(ws);
    expect(codes(report!)).toEqual(['tenant-without-limits']);
    expect(report!.findings.every((f) => f.set === 'warn' && f.level === 'medium')).toBe(true);
    expect(report!.level).toBe('medium');
    expect(code).toBe(0);
    expect((await diffJson(ws, '--fail-on', 'medium')).code).toBe(1);
  });

  it('locates findings at the policy line', async () => {
    ws.edit('routing.ts', "fallbacks: ['chat-azure', 'chat-anthropic', 'chat-local']", "fallbacks: ['chat-azure', 'chat-local']");
    const { report } = await diffJson(ws);
    const f = report!.findings[0]!;
    expect(f.source?.file).toMatch(/routing\.ts$/);
    expect(f.source?.line).toBe(lineOf(ws.read('routing.ts'), "fallbacks: ['chat-azure', 'chat-local']"));
  });
});

describe('switchyard diff: bases', () => {
  const state = (dir: string) => ({
    status: git(dir, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
    staged: git(dir, 'diff', '--cached'),
    worktrees: git(dir, 'worktree', 'list', '--porcelain'),
    refs: git(dir, 'for-each-ref'),
    stash: git(dir, 'stash', 'list'),
  });

  it('reads a git base without touching the working tree, the index or the refs', async () => {
    ws.edit('tenants.ts', 'rpm: 1_200', 'rpm: 3_600');
    git(ws.dir, 'add', 'policies/tenants.ts'); // a staged change...
    ws.edit('routing.ts', "cooldown: '30s'", "cooldown: '10s'"); // ...and an unstaged one
    writeFileSync(join(ws.dir, 'notes.txt'), 'untracked\n');
    const before = state(ws.dir);
    const { code, report } = await diffJson(ws, '--no-simulate');
    expect(state(ws.dir)).toEqual(before);
    expect(codes(report!)).toEqual(['breaker-loosened', 'tenant-limit-raised']);
    expect(report!.base).toMatchObject({ ref: 'HEAD', commit: git(ws.dir, 'rev-parse', 'HEAD').trim() });
    expect(code).toBe(1);
  });

  it('identical base and head: an empty diff, level none, exit 0', async () => {
    const { code, report } = await diffJson(ws);
    expect(report).toMatchObject({ empty: true, level: 'none', ok: true, findings: [] });
    expect(report!.diff).toMatchObject({ groups: {}, tenants: {}, deployments: {}, poolModels: {}, batchProfiles: {}, artifacts: [] });
    expect(report!.base.planHash).toBe(report!.head.planHash);
    expect(code).toBe(0);
    const pretty = await cli('diff', '--base', 'HEAD', '-p', ws.policies);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toContain('No change to the compiled plan');
    expect(pretty.stdout).toContain('Risk: NONE');
  });

  it('compares with an older commit named by any revision syntax', async () => {
    ws.edit('tenants.ts', 'rpm: 1_200', 'rpm: 3_600');
    git(ws.dir, 'commit', '-qam', 'raise a limit');
    const { report } = await diffJson(ws, '--base', 'HEAD~1');
    // --base given twice: commander keeps the last one.
    expect(codes(report!)).toEqual(['tenant-limit-raised']);
    expect((await diffJson(ws)).report!.empty).toBe(true);
  });

  it('a directory base', async () => {
    const other = makeWorkspace();
    try {
      ws.edit('routing.ts', 'retryOn: [429, 500, 502, 503, 504]', 'retryOn: [408, 429, 500, 502, 503, 504]');
      const r = await cli('diff', '--base', other.policies, '--head', ws.policies, '--json');
      const report = JSON.parse(r.stdout) as DiffReport;
      expect(report.base).toMatchObject({ ref: other.policies, commit: null });
      expect(codes(report)).toEqual(['retries-loosened']);
    } finally {
      other.cleanup();
    }
  });

  it('a revision that does not exist: one line, exit 2', async () => {
    const r = await cli('diff', '--base', 'no-such-branch', '-p', ws.policies);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^switchyard: --base no-such-branch: no such directory, and no such git revision in .+\n$/);
  });

  it('a base outside any git repository: one line, exit 2', async () => {
    const bare = mkdtempSync(join(tmpdir(), 'switchyard-nogit-'));
    try {
      const r = await cli('diff', '--base', 'main', '-p', bare);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('not inside a git repository');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it('a base that does not compile: one line naming the file at the commit, exit 2', async () => {
    ws.edit('routing.ts', "strategy: 'usage_based',", "strategy: 'fastest',");
    git(ws.dir, 'commit', '-qam', 'broken');
    ws.edit('routing.ts', "strategy: 'fastest',", "strategy: 'usage_based',");
    const r = await cli('diff', '--base', 'HEAD', '-p', ws.policies);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^switchyard: base HEAD does not compile: [0-9a-f]{12}:policies\/routing\.ts:\d+:\d+: /);
  });

  it('a head with errors is level critical, exit 1, with its diagnostics', async () => {
    ws.edit('routing.ts', "strategy: 'usage_based',", "strategy: 'fastest',");
    const r = await cli('diff', '--base', 'HEAD', '-p', ws.policies, '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, level: 'critical', diff: null });
    expect(out.diagnostics[0].source.file).toMatch(/routing\.ts$/);
    const pretty = await cli('diff', '--base', 'HEAD', '-p', ws.policies);
    expect(pretty.code).toBe(1);
    expect(pretty.stderr).toContain('Risk: CRITICAL');
  });

  it('the reference policies against HEAD of this repository (the copy resolves the switchyard import)', async () => {
    const r = await cli('diff', '--base', 'HEAD', '--json');
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as DiffReport;
    expect(report.base.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.base.planHash).toMatch(/^sha256:/);
  });
});

describe('switchyard diff: options and formats', () => {
  beforeEach(() => ws.edit('routing.ts', "fallbacks: ['chat-azure', 'chat-anthropic', 'chat-local']", "fallbacks: ['chat-azure', 'chat-local']"));

  it('--fail-on sets the level that fails', async () => {
    expect((await diffJson(ws, '--fail-on', 'high')).code).toBe(1);
    expect((await diffJson(ws, '--fail-on', 'critical')).code).toBe(0);
    const bad = await cli('diff', '--base', 'HEAD', '-p', ws.policies, '--fail-on', 'severe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown --fail-on "severe"');
  });

  it('markdown: the marker first, findings at their lines, mermaid fallback chart, folded file diffs', async () => {
    const r = await cli('diff', '--base', 'HEAD', '-p', ws.policies, '--format', 'markdown', '--link-base', 'https://github.com/acme/routing/blob/abc123');
    expect(r.stdout.split('\n')[0]).toBe('<!-- switchyard-diff -->');
    // The workspace lies outside the working directory, so its paths are absolute: shown, not linked (see render.test.ts).
    expect(r.stdout).toMatch(/\| `fallback-removed` \| \/.*routing\.ts:\d+ \|/);
    expect(r.stdout).toContain('```mermaid\nflowchart LR');
    expect(r.stdout).toContain('<details>');
    expect(r.stdout).toContain('```diff');
    expect(r.code).toBe(1);
  });

  it('github: one annotation per finding at its policy line, and a summary', async () => {
    const r = await cli('diff', '--base', 'HEAD', '-p', ws.policies, '--format', 'github');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^::warning file=.*routing\.ts,line=\d+,col=\d+,title=fallback-removed::\[high\] group "chat" loses fallback/);
    expect(lines.at(-1)).toMatch(/^::error title=switchyard-diff::overall risk high/);
  });

  it('terminal: colour only when allowed (NO_COLOR wins over FORCE_COLOR)', async () => {
    const saved = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    try {
      process.env.FORCE_COLOR = '1';
      delete process.env.NO_COLOR;
      expect((await cli('diff', '--base', 'HEAD', '-p', ws.policies)).stdout).toContain('\u001b[');
      process.env.NO_COLOR = '1';
      const plain = await cli('diff', '--base', 'HEAD', '-p', ws.policies);
      expect(plain.stdout).not.toContain('\u001b[');
      expect(plain.stdout).toContain('fallback-removed');
      expect(plain.stdout).toMatch(/Risk: HIGH \(1 finding: 1 high; reaches --fail-on high: exit 1\)/);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});

describe('switchyard diff: simulated impact', () => {
  /**
   * A base the simulator finds healthy even with OpenAI down: the reference
   * policies at a fifth of their traffic (so Azure, Anthropic and the local
   * pools can take chat's share) and chat-mini, which has no fallback and is
   * on OpenAI too, without traffic of its own. Committed as the base.
   */
  beforeEach(() => {
    const text = ws.read('routing.ts');
    const scaled = text.replace(/peakRpm: ([0-9_]+)/g, (_, n: string) => `peakRpm: ${Math.max(1, Math.round(Number(n.replaceAll('_', '')) / 5))}`);
    // chat-mini's own traffic line: the first one after its name, before the next group's.
    const mini = scaled.indexOf("name: 'chat-mini'");
    const line = /\n\s*traffic: \{[^}]*\},/g;
    line.lastIndex = mini;
    const found = line.exec(scaled)!;
    expect(scaled.indexOf('name:', mini + 1)).toBeGreaterThan(found.index);
    ws.write('routing.ts', scaled.slice(0, found.index) + scaled.slice(found.index + found[0].length));
    git(ws.dir, 'add', 'policies');
    git(ws.dir, 'commit', '-q', '-m', 'quiet reference');
  });

  it('denies a change that makes an N-1 scenario miss an SLO, at the SLO, with base and head side by side', async () => {
    // chat loses every fallback: fine while OpenAI is up, every chat request lost while it is down.
    ws.edit('routing.ts', "fallbacks: ['chat-azure', 'chat-anthropic', 'chat-local']", 'fallbacks: []');
    const { code, report } = await diffJson(ws);
    const sim = report!.simulation!;
    expect(report!.simulationNote).toBeNull();
    expect(sim).toMatchObject({ durationMs: 120_000, seed: 1 });
    expect(sim.scenarios.map((s) => s.name)).toEqual([
      'baseline',
      'provider-down:anthropic',
      'provider-down:azure-eastus',
      'provider-down:azure-swedencentral',
      'provider-down:openai',
      'provider-down:vllm-pool-a',
      'provider-down:vllm-pool-ab-70b',
      'provider-down:vllm-pool-b',
      'provider-down:vllm-pool-c',
    ]);
    const openai = sim.scenarios.find((s) => s.name === 'provider-down:openai')!;
    expect(openai.base!.slos['error-rate']!.status).toBe('pass');
    expect(openai.head!.slos['error-rate']!.status).toBe('fail');
    expect(openai.head!.successRate!).toBeLessThan(openai.base!.successRate! - 0.3);
    const baseline = sim.scenarios[0]!;
    expect(baseline.head!.slos['error-rate']!.status).toBe('pass');

    const n1 = report!.findings.filter((f) => f.code === 'simulated-n1-slo-miss');
    expect(n1.map((f) => f.message).sort()).toEqual([
      expect.stringMatching(
        /^with provider "openai" down \(simulated\), the change makes SLO "error-rate" \(error_rate <= 0\.01\) fail: [0-9.]+ \(base: pass\)$/,
      ),
      expect.stringMatching(/^with provider "openai" down \(simulated\), the change makes SLO "fallback-success-rate" \(fallback_success_rate >= 0\.95\) fail/),
    ]);
    for (const f of n1) expect(f).toMatchObject({ level: 'high', set: 'deny' });
    const errorRate = n1.find((f) => f.message.includes('"error-rate"'))!;
    expect(errorRate.source?.file).toMatch(/slos\.ts$/);
    expect(errorRate.source?.line).toBe(lineOf(ws.read('slos.ts'), "id: 'error-rate'"));
    expect(code).toBe(1);

    const text = await cli('diff', '--base', 'HEAD', '-p', ws.policies);
    expect(text.stdout).toContain('Simulated impact (2m at peak per scenario, seed 1; base -> head)');
    expect(text.stdout).toMatch(/\n {2}provider-down:openai +100% -> [0-9.]+% .*\(newly missed: error-rate, fallback-success-rate\)\n/);

    const md = await cli('diff', '--base', 'HEAD', '-p', ws.policies, '--format', 'markdown');
    expect(md.stdout).toContain('#### Simulated impact');
    expect(md.stdout).toMatch(/\| `provider-down:openai` \| 100% → [0-9.]+% \|.*❌ `error-rate`, `fallback-success-rate` \|/);
    const chart = mermaidBlocks(md.stdout).find((b) => b.startsWith('xychart-beta'))!;
    expect(chart).toContain('title "Success per scenario, base and head (%)"');
    await (await mermaidParser())(chart);
  }, 120_000);

  it('--no-simulate, and a change that does not touch routing, leave it out and say why', async () => {
    ws.edit('routing.ts', "fallbacks: ['chat-azure', 'chat-anthropic', 'chat-local']", "fallbacks: ['chat-azure', 'chat-local']");
    const off = (await diffJson(ws, '--no-simulate')).report!;
    expect(off.simulation).toBeNull();
    expect(off.simulationNote).toBe('not simulated (--no-simulate)');
    ws.edit('routing.ts', "fallbacks: ['chat-azure', 'chat-local']", "fallbacks: ['chat-azure', 'chat-anthropic', 'chat-local']");
    ws.edit('slos.ts', "for: '10m'", "for: '15m'");
    const { report } = await diffJson(ws);
    expect(report!.simulation).toBeNull();
    expect(report!.simulationNote).toBe('not simulated: no change to routing, providers, pools, tenants or SLOs');
    const text = await cli('diff', '--base', 'HEAD', '-p', ws.policies);
    expect(text.stdout).toContain('Simulated impact  not simulated: no change to routing');
    // A head asking for absurd traffic is not simulated (and does not stall CI): the report says why.
    ws.edit('routing.ts', /peakRpm: [0-9]+/, 'peakRpm: 900_000_000');
    const huge = (await diffJson(ws)).report!;
    expect(huge.simulation).toBeNull();
    expect(huge.simulationNote).toMatch(
      /^not simulated: scenario baseline would simulate about 1,800,[0-9,]+ requests, more than 20,000,000: simulate a shorter window$/,
    );
    const bad = await cli('diff', '--base', 'HEAD', '-p', ws.policies, '--simulate-duration', 'forever');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('switchyard: --simulate-duration must be a duration such as 30m, 1h or 90s, got "forever"\n');
  }, 120_000);
});
