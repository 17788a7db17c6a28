import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiffReport } from '../../src/diff/report.ts';
import { cli } from '../fixtures/cli.ts';
import { lineOf, makeWorkspace, type Workspace } from '../fixtures/workspace.ts';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=switchyard-test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
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
    { rule: 'fallback-removed', level: 'high', file: 'routing.ts', from: "fallbacks: ['chat-azure', 'chat-anthropic', 'chat-local']", to: "fallbacks: ['chat-azure', 'chat-local']", exit: 1 },
    { rule: 'breaker-loosened', level: 'high', file: 'routing.ts', from: "cooldown: '30s'", to: "cooldown: '10s'", exit: 1 },
    { rule: 'retries-loosened', level: 'high', file: 'routing.ts', from: 'retryOn: [429, 500, 502, 503, 504]', to: 'retryOn: [408, 429, 500, 502, 503, 504]', exit: 1 },
    { rule: 'tenant-limit-raised', level: 'medium', file: 'tenants.ts', from: 'rpm: 1_200', to: 'rpm: 3_600', exit: 0 },
    { rule: 'cost-increase', level: 'high', file: 'routing.ts', from: 'pricing: { inputPer1M: 2.5, outputPer1M: 10 }', to: 'pricing: { inputPer1M: 7.5, outputPer1M: 30 }', exit: 1 },
  ];
  for (const c of cases) {
    it(`${c.rule}: exactly that finding, level ${c.level}`, async () => {
      ws.edit(c.file, c.from, c.to);
      const { code, report, stderr } = await diffJson(ws);
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
