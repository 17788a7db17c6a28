/**
 * cicd/github/switchyard.yml: parsed and converted by GitHub's own workflow
 * parser (@actions/workflow-parser), its structure asserted, every
 * `npx switchyard` line checked against the real CLI, the PR comment script
 * run against a fake GitHub client, and the canary's publish, gate and
 * rollback steps rehearsed against a bundle directory with the real CLI.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createJiti } from 'jiti';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RISK_LEVELS } from '../../src/model/closed-sets.ts';
import { cli, cliProcess } from '../fixtures/cli.ts';
import { makeWorkspace, REPO, type Workspace } from '../fixtures/workspace.ts';
import { checkCall, flagsOf, helpText, PIPELINE_SUBCOMMANDS, program, registeredSubcommands, switchyardCalls, type SwitchyardCall } from './commands.ts';
import { DEAD_PROMETHEUS, makeRunner, readKeyValues, type Runner } from './rehearsal.ts';

// The package's ESM imports its JSON schema without an import attribute, which
// Node's own loader rejects; jiti (already a dependency) loads it as is.
const parser = await createJiti(import.meta.url).import<typeof import('@actions/workflow-parser')>('@actions/workflow-parser');

const FILE = join(REPO, 'cicd/github/switchyard.yml');
const TEXT = readFileSync(FILE, 'utf8');

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'timeout-minutes'?: number;
  'continue-on-error'?: unknown;
}
interface Job {
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  environment?: { name: string } | string;
  env?: Record<string, string>;
  steps: Step[];
}
const DOC = parse(TEXT) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; 'cancel-in-progress': string };
  jobs: Record<string, Job>;
};
const JOBS = DOC.jobs;
const stepNamed = (job: string, pred: (s: Step) => boolean): Step => {
  const s = JOBS[job]!.steps.find(pred);
  if (!s) throw new Error(`no such step in ${job}`);
  return s;
};
const runOf = (job: string, needle: string): Step => stepNamed(job, (s) => s.run?.includes(needle) ?? false);

const CALLS: SwitchyardCall[] = Object.entries(JOBS).flatMap(([id, job]) =>
  job.steps.flatMap((s, i) => (s.run ? switchyardCalls(`jobs.${id}.steps[${i}]`, s.run) : [])),
);

describe("GitHub's workflow parser", () => {
  it('parses the workflow without errors and converts it to a workflow template', async () => {
    const result = parser.parseWorkflow({ name: 'switchyard.yml', content: TEXT }, new parser.NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    expect(result.value).toBeDefined();
    const template = await parser.convertWorkflowTemplate(result.context, result.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(Object.keys(template.events).sort()).toEqual(['pull_request', 'push']);
    // No filter on the event of the required check: a workflow it skips leaves the check pending and the PR unmergeable.
    expect(template.events.pull_request?.paths).toBeUndefined();
    expect(template.events.pull_request?.['paths-ignore']).toBeUndefined();
    expect(template.events.pull_request?.branches).toBeUndefined();
    expect(template.events.pull_request?.types).toEqual(expect.arrayContaining(['opened', 'synchronize', 'reopened', 'labeled', 'unlabeled']));
    expect(template.events.push?.branches).toEqual(['main']);
    // A lockfile or switchyard version change is checked and published like a policy change.
    expect(template.events.push?.paths).toEqual(['policies/**', 'generated/**', 'package.json', 'package-lock.json', '.github/workflows/switchyard.yml']);
    expect(template.jobs.map((j) => j.id.value)).toEqual(['pull-request', 'canary', 'promote']);
    const promote = template.jobs.find((j) => j.id.value === 'promote')!;
    expect(promote.needs?.map((n) => n.value)).toEqual(['canary']);
  });

  it('reports the mistakes it should (the parser is really checking)', () => {
    const broken = TEXT.replace('contents: read', 'contents: bogus')
      .replace('runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest')
      .replace("if: github.event_name == 'push'", "if: github.event_name == 'push' &&");
    const errors = parser
      .parseWorkflow({ name: 'broken.yml', content: broken }, new parser.NoOperationTraceWriter())
      .context.errors.getErrors()
      .map((e) => e.message);
    expect(errors.some((m) => m.includes("Unexpected value 'bogus'"))).toBe(true);
    expect(errors.some((m) => m.includes("Unexpected value 'runs-onn'"))).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(3);
  });
});

describe('structure', () => {
  it('grants contents: read at the top and pull-requests: write only to the PR job', () => {
    expect(DOC.permissions).toEqual({ contents: 'read' });
    expect(JOBS['pull-request']!.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    for (const id of ['canary', 'promote']) expect(JOBS[id]!.permissions).toBeUndefined();
  });

  it('runs one workflow per PR (a new push cancels the stale run) and never cancels a running deploy', () => {
    expect(DOC.concurrency.group).toContain('github.event.pull_request.number');
    expect(DOC.concurrency['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
  });

  it("the README says what GitHub's concurrency does to a deploy: a pending one is replaced, a running one never cancelled", () => {
    // docs.github.com, "Control the concurrency of workflows and jobs": at most one running and one
    // pending job or workflow per group; a newly queued one cancels the pending one and takes its place.
    const readme = readFileSync(join(REPO, 'cicd/README.md'), 'utf8');
    expect(readme).not.toMatch(/deploys run\s+one at a time and are \*\*never cancelled\*\*/);
    expect(readme).toContain('a deploy that is still pending when a newer push arrives is cancelled');
    expect(TEXT).toContain('a\n# newer push replaces a deploy that is still pending');
  });

  it('the required PR job always runs and reports; every step after "what changed" works only when an input changed', () => {
    const job = JOBS['pull-request']!;
    expect(job.if).toBe("github.event_name == 'pull_request'");
    const i = job.steps.findIndex((s) => s.id === 'changes');
    expect(i).toBe(1);
    for (const s of job.steps.slice(i + 1)) {
      // Directly, or through the install step's outcome (skipped when nothing changed).
      const guarded =
        s.if?.includes("steps.changes.outputs.relevant == 'true'") ||
        s.if?.includes("steps.install.outcome == 'success'") ||
        s.if?.includes('steps.diff.outcome');
      expect(guarded, `${s.name ?? s.uses ?? s.run}: ${s.if}`).toBe(true);
    }
  });

  it('uses only actions pinned to the major versions the issue names', () => {
    const uses = Object.values(JOBS).flatMap((j) => j.steps.map((s) => s.uses).filter((u): u is string => u !== undefined));
    expect(new Set(uses)).toEqual(new Set(['actions/checkout@v4', 'actions/setup-node@v4', 'actions/github-script@v7']));
    for (const job of Object.values(JOBS)) {
      const setup = job.steps.find((s) => s.uses === 'actions/setup-node@v4')!;
      expect(setup.with).toEqual({ 'node-version': 20, cache: 'npm' });
    }
  });

  it('passes expression values to shell scripts through env, never spliced into the script', () => {
    for (const job of Object.values(JOBS)) for (const s of job.steps) if (s.run) expect(s.run).not.toContain('${{');
  });

  it('pull requests: full-history checkout, npm ci, then validate, check, compile --check, diff, comment and risk gate in that order', () => {
    const job = JOBS['pull-request']!;
    expect(job.if).toBe("github.event_name == 'pull_request'");
    expect(job.steps[0]).toEqual({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
    const order = [
      (s: Step) => s.id === 'changes',
      (s: Step) => s.run === 'npm ci',
      (s: Step) => s.run === 'npx switchyard validate --format github',
      (s: Step) => s.run === 'npx switchyard check --format github',
      (s: Step) => s.run === 'npx switchyard compile --check',
      (s: Step) => s.run?.includes('npx switchyard diff --base "origin/$GITHUB_BASE_REF" --format markdown > diff.md') ?? false,
      (s: Step) => s.uses === 'actions/github-script@v7',
      (s: Step) => s.run?.includes('--fail-on high') ?? false,
    ];
    const at = order.map((pred) => job.steps.findIndex(pred));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const diff = runOf('pull-request', '--format markdown');
    expect(diff.run).toContain('npx switchyard diff --base "origin/$GITHUB_BASE_REF" --json > diff.json');
    expect(diff.run).toContain('"level=$level" >> "$GITHUB_OUTPUT"');
    // the comment and the diff still run after a failed check, so the comment is never stale
    expect(diff.if).toContain('!cancelled()');
    expect(stepNamed('pull-request', (s) => s.uses === 'actions/github-script@v7').if).toContain('!cancelled()');
  });

  it('accepts high risk only with the approval label (risk-approved unless the repository variable names another)', () => {
    const job = JOBS['pull-request']!;
    expect(job.env!.APPROVED).toBe("${{ contains(github.event.pull_request.labels.*.name, vars.SWITCHYARD_APPROVAL_LABEL || 'risk-approved') }}");
    expect(runOf('pull-request', '--fail-on high').run).toContain('npx switchyard diff --base "origin/$GITHUB_BASE_REF" --fail-on high');
  });

  it('push to main: canary in production-canary with a 3-minute rollback on failure, then promote in production', () => {
    const canary = JOBS.canary!;
    expect(canary.if).toBe("github.event_name == 'push'");
    expect(canary.environment).toEqual({ name: 'production-canary' });
    expect(canary.env!.TARGET).toBe('${{ secrets.SWITCHYARD_CANARY_REDIS_URL || vars.SWITCHYARD_CANARY_TARGET }}');
    expect(runOf('canary', 'publish').run).toContain('npx switchyard publish --to "$TARGET" --json > publish.json');
    expect(runOf('canary', 'gate').run).toContain('npx switchyard gate --prometheus "$PROMETHEUS_URL" --window 10m');
    const rollback = stepNamed('canary', (s) => s.name === 'automatic rollback of the canary');
    expect(rollback.if).toBe("${{ (failure() || cancelled()) && steps.publish.outcome == 'success' }}");
    expect(rollback['timeout-minutes']).toBe(3);
    expect(rollback.run).toContain('npx switchyard rollback --target "$TARGET" --to "$PREVIOUS"');
    const promote = JOBS.promote!;
    expect(promote.needs).toBe('canary');
    expect(promote.environment).toEqual({ name: 'production' });
    expect(promote.env!.TARGET).toBe('${{ secrets.SWITCHYARD_REDIS_URL || vars.SWITCHYARD_BUNDLE_TARGET }}');
    expect(runOf('promote', 'publish --to').run).toContain('npx switchyard publish --to "$TARGET" --json > publish.json');
    expect(stepNamed('promote', (s) => s.name === 'automatic rollback of production')['timeout-minutes']).toBe(3);
  });
});

const PROGRAM = await program();
const REGISTERED = await registeredSubcommands();

describe('every npx switchyard line against the real CLI', () => {
  const registered = REGISTERED;

  it('finds the command lines and calls only pipeline subcommands', () => {
    expect(CALLS.length).toBeGreaterThanOrEqual(14);
    for (const c of CALLS) expect(PIPELINE_SUBCOMMANDS, `${c.where}: ${c.line}`).toContain(c.subcommand);
  });

  for (const sub of new Set(CALLS.map((c) => c.subcommand))) {
    const calls = CALLS.filter((c) => c.subcommand === sub);
    // A subcommand another change has not registered yet is checked once it is.
    it.skipIf(!registered.has(sub))(`switchyard ${sub}: every option exists, takes its value, and appears in --help`, () => {
      expect(calls.flatMap((c) => checkCall(c, PROGRAM))).toEqual([]);
      const help = helpText(sub);
      for (const flag of new Set(calls.flatMap(flagsOf))) expect(help, `switchyard ${sub} --help`).toContain(flag);
    });
  }
});

describe('the PR comment script (actions/github-script) against a fake GitHub client', () => {
  const script = String(stepNamed('pull-request', (s) => s.uses === 'actions/github-script@v7').with!.script);
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  const MARKER = '<!-- switchyard-diff -->';

  async function runComment(existing: Array<{ id: number; login: string; body: string }>, diffMd: string) {
    const calls: Array<[string, Record<string, unknown>]> = [];
    const rest = {
      issues: {
        listComments: 'listComments',
        updateComment: async (a: Record<string, unknown>) => void calls.push(['update', a]),
        createComment: async (a: Record<string, unknown>) => (calls.push(['create', a]), { data: { html_url: 'u' } }),
      },
    };
    const github = {
      rest,
      paginate: async (what: string, args: Record<string, unknown>) => {
        expect(what).toBe('listComments');
        expect(args).toMatchObject({ owner: 'acme', repo: 'policies', issue_number: 7 });
        return existing.map((c) => ({ id: c.id, body: c.body, user: { login: c.login }, html_url: `c${c.id}` }));
      },
    };
    const context = { repo: { owner: 'acme', repo: 'policies' }, payload: { pull_request: { number: 7 } }, serverUrl: 'https://github.com', runId: 1 };
    const core = { info: () => {} };
    const fakeRequire = (m: string) => {
      expect(m).toBe('node:fs');
      return { readFileSync: () => diffMd };
    };
    await new AsyncFunction('require', 'github', 'context', 'core', script)(fakeRequire, github, context, core);
    return calls;
  }

  it('updates its own comment in place', async () => {
    const calls = await runComment(
      [
        { id: 1, login: 'alice', body: 'looks good' },
        { id: 2, login: 'github-actions[bot]', body: `${MARKER}\nold report` },
      ],
      `${MARKER}\nnew report`,
    );
    expect(calls).toEqual([['update', { owner: 'acme', repo: 'policies', comment_id: 2, body: `${MARKER}\nnew report` }]]);
  });

  it("creates one when there is none, and never overwrites a person's comment that quotes the marker", async () => {
    const calls = await runComment([{ id: 3, login: 'mallory', body: `${MARKER}\nfake all-clear` }], 'report without marker');
    expect(calls).toEqual([['create', { owner: 'acme', repo: 'policies', issue_number: 7, body: `${MARKER}\nreport without marker` }]]);
  });

  it('truncates a report over GitHub’s comment limit', async () => {
    const calls = await runComment([], `${MARKER}\n${'x'.repeat(70_000)}`);
    const body = String(calls[0]![1].body);
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain('truncated');
  });
});

describe('the risk gate step', () => {
  let runner: Runner;
  beforeAll(() => void (runner = makeRunner()));
  afterAll(() => runner.cleanup());
  const script = runOf('pull-request', '--fail-on high').run!;
  const gate = (rc: number, approved: boolean) =>
    runner.run(script, {
      cwd: runner.dir,
      env: {
        FAKE_SWITCHYARD_RC: String(rc),
        APPROVED: String(approved),
        APPROVAL_LABEL: 'risk-approved',
        LEVEL: rc === 1 ? 'high' : 'low',
        GITHUB_BASE_REF: 'main',
      },
    });

  it('passes below high risk, and at high risk only with the label', () => {
    expect(gate(0, false).code).toBe(0);
    const unapproved = gate(1, false);
    expect(unapproved.code).toBe(1);
    expect(unapproved.stdout).toContain("::error title=switchyard::high-risk policy change: a maintainer must review it and add the label 'risk-approved'");
    expect(unapproved.calls).toEqual(['switchyard diff --base origin/main --fail-on high']);
    const approved = gate(1, true);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toContain('high risk accepted');
  });

  it('does not let the label excuse a usage or internal error', () => {
    expect(gate(2, true).code).toBe(2);
    expect(gate(3, true).code).toBe(3);
  });
});

describe('canary rehearsal with the real CLI against a bundle directory', () => {
  let ws: Workspace;
  let runner: Runner;
  let target: string;
  let outDir: string;
  beforeAll(() => {
    ws = makeWorkspace();
    runner = makeRunner();
    target = join(runner.dir, 'bundles');
    outDir = mkdtempSync(join(tmpdir(), 'switchyard-gh-out-'));
  });
  afterAll(() => {
    ws.cleanup();
    runner.cleanup();
    rmSync(outDir, { recursive: true, force: true });
  });

  const publishScript = runOf('canary', 'publish --to').run!;
  const gateScript = runOf('canary', 'gate --prometheus').run!;
  const rollbackScript = stepNamed('canary', (s) => s.name === 'automatic rollback of the canary').run!;
  let n = 0;
  const step = (script: string, env: Record<string, string>) => {
    const out = join(outDir, `out-${++n}`);
    writeFileSync(out, '');
    const r = runner.run(script, { cwd: ws.dir, env: { TARGET: target, GITHUB_OUTPUT: out, ...env } });
    return { ...r, outputs: readKeyValues(out) };
  };
  const current = () => (JSON.parse(cliProcess(['bundles', '--target', target, '--json']).stdout) as { current: string }).current;

  it('publishes, fails the gate, and rolls the canary back to the version before', async () => {
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
    const first = step(publishScript, {});
    expect(first.code, first.stderr).toBe(0);
    expect(first.outputs.previous).toBe('-');
    const v1 = first.outputs.version!;

    ws.edit('routing.ts', 'rpm: 10_000', 'rpm: 9_000');
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
    const second = step(publishScript, {});
    expect(second.code, second.stderr).toBe(0);
    expect(second.outputs.previous).toBe(v1);
    const v2 = second.outputs.version!;
    expect(v2).not.toBe(v1);
    expect(current()).toBe(v2);

    const gate = step(gateScript, { PROMETHEUS_URL: DEAD_PROMETHEUS, BAKE_MINUTES: '3' });
    expect(gate.code).not.toBe(0);
    expect(gate.stdout).toContain('readiness gate failed on the canary; rolling back');
    expect(gate.calls).toEqual([`switchyard gate --prometheus ${DEAD_PROMETHEUS} --window 10m`]);

    const rollback = step(rollbackScript, { PREVIOUS: second.outputs.previous! });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.calls).toEqual([`switchyard rollback --target ${target} --to ${v1}`]);
    expect(current()).toBe(v1);

    // The next run publishes the same bundle again: it is made current, and the version it replaced is the one to go back to.
    const again = step(publishScript, {});
    expect(again.code, again.stderr).toBe(0);
    expect(again.outputs).toEqual({ version: v2, previous: v1 });
    expect(current()).toBe(v2);
  });

  it('refuses to roll back when there is no earlier version', () => {
    const r = step(rollbackScript, { PREVIOUS: '-' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no earlier version on the canary target');
    expect(r.calls).toEqual([]);
  });
});

describe('the "what changed" step in a git repository', () => {
  let runner: Runner;
  let repo: string;
  beforeAll(() => {
    runner = makeRunner();
    repo = mkdtempSync(join(tmpdir(), 'switchyard-gh-changes-'));
  });
  afterAll(() => {
    runner.cleanup();
    rmSync(repo, { recursive: true, force: true });
  });
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: repo,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const script = stepNamed('pull-request', (s) => s.id === 'changes').run!;
  const relevantAfter = (file: string, base = 'main') => {
    git('checkout', '-q', '-B', `pr-${file.replace(/\W/g, '-')}`, 'main');
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    writeFileSync(join(repo, file), `changed ${file}\n`);
    git('add', '.');
    git('commit', '-q', '-m', `change ${file}`);
    const out = join(runner.dir, `out-${file.replace(/\W/g, '-')}`);
    writeFileSync(out, '');
    const r = runner.run(script, { cwd: repo, env: { GITHUB_BASE_REF: base, GITHUB_OUTPUT: out }, bashFlags: ['--noprofile', '--norc', '-eo', 'pipefail'] });
    expect(r.code, r.stderr).toBe(0);
    return { relevant: readKeyValues(out).relevant, stdout: r.stdout };
  };

  it('says whether the PR changed policies/, generated/, package.json, package-lock.json or the workflow', () => {
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'README.md'), 'base\n');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    const readme = relevantAfter('docs/guide.md');
    expect(readme.relevant).toBe('false');
    expect(readme.stdout).toContain('nothing to check');
    for (const f of ['policies/routing.ts', 'generated/plan.json', 'package.json', 'package-lock.json', '.github/workflows/switchyard.yml'])
      expect(relevantAfter(f).relevant, f).toBe('true');
    // Lookalikes are not inputs.
    expect(relevantAfter('src/policies/x.ts').relevant).toBe('false');
    expect(relevantAfter('package.json.bak').relevant).toBe('false');
  });

  it('checks everything when it cannot list the changes', () => {
    const r = relevantAfter('docs/other.md', 'no-such-branch');
    expect(r.relevant).toBe('true');
    expect(r.stdout).toContain('cannot list the files this PR changes; checking everything');
  });
});

describe('PR diff step rehearsal with the real CLI in a git repository', () => {
  let ws: Workspace;
  let runner: Runner;
  beforeAll(() => {
    ws = makeWorkspace();
    runner = makeRunner();
  });
  afterAll(() => {
    ws.cleanup();
    runner.cleanup();
  });
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: ws.dir,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };

  it('writes the marked markdown report and the JSON level, and the risk gate agrees with the level', async () => {
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    git('update-ref', 'refs/remotes/origin/main', 'HEAD'); // what a fetch-depth 0 checkout has
    ws.edit('routing.ts', 'rpm: 10_000', 'rpm: 9_000');
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);

    const output = join(runner.dir, 'gh-output');
    const summary = join(runner.dir, 'gh-summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const env = {
      GITHUB_BASE_REF: 'main',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/policies',
      GITHUB_RUN_ID: '1',
    };
    const diff = runner.run(runOf('pull-request', '--format markdown').run!, { cwd: ws.dir, env });
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.calls).toEqual(['switchyard diff --base origin/main --format markdown', 'switchyard diff --base origin/main --json']);
    const md = readFileSync(join(ws.dir, 'diff.md'), 'utf8');
    expect(md.startsWith('<!-- switchyard-diff -->')).toBe(true);
    const level = readKeyValues(output).level!;
    expect(RISK_LEVELS).toContain(level);
    expect(readFileSync(summary, 'utf8')).toBe(md);

    const gate = runner.run(runOf('pull-request', '--fail-on high').run!, {
      cwd: ws.dir,
      env: { ...env, LEVEL: level, APPROVED: 'false', APPROVAL_LABEL: 'risk-approved' },
    });
    expect(gate.code, gate.stdout + gate.stderr).toBe(level === 'high' || level === 'critical' ? 1 : 0);
  });

  it('replaces the report with a pointer to the run when the diff cannot be made', () => {
    const output = join(runner.dir, 'gh-output-bad');
    writeFileSync(output, '');
    const env = {
      GITHUB_BASE_REF: 'no-such-branch',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: join(runner.dir, 'unused'),
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/policies',
      GITHUB_RUN_ID: '42',
    };
    const diff = runner.run(runOf('pull-request', '--format markdown').run!, { cwd: ws.dir, env });
    expect(diff.code).toBe(1);
    const md = readFileSync(join(ws.dir, 'diff.md'), 'utf8');
    expect(md).toMatch(/^<!-- switchyard-diff -->\n\n\*\*Switchyard could not diff this PR against `no-such-branch`/);
    expect(md).toContain('https://github.com/acme/policies/actions/runs/42');
    expect(readKeyValues(output).level).toBe('unknown');
  });
});
