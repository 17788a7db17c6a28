/**
 * cicd/gitlab/.gitlab-ci.yml: validated against GitLab's CI JSON Schema (the
 * copy gitlab-ci-local ships), its structure asserted, every `npx switchyard`
 * line checked against the real CLI, the MR note upsert run against a fake
 * GitLab API, and the canary's publish, gate, rollback and promotion
 * rehearsed against bundle directories with the real CLI.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, cliProcess } from '../fixtures/cli.ts';
import { makeWorkspace, REPO, type Workspace } from '../fixtures/workspace.ts';
import { checkCall, flagsOf, helpText, PIPELINE_SUBCOMMANDS, program, registeredSubcommands, switchyardCalls, type SwitchyardCall } from './commands.ts';
import { DEAD_PROMETHEUS, makeRunner, readKeyValues, type Runner } from './rehearsal.ts';

// gitlab-ci-local 4.65.1 is the last release that ships its sources: this
// module is GitLab's ci.json (app/assets/javascripts/editor/schema/ci.json)
// as one exported object, unmodified (its sibling index.js adds gcl* keys).
// Loaded through a variable: the package has no type declarations.
const SCHEMA_MODULE = 'gitlab-ci-local/src/schema/schema.js';
const { schema } = (await import(SCHEMA_MODULE)) as { schema: Record<string, unknown> & { $schema: string; $id: string } };

/**
 * Draft-07 (the schema's own $schema, ajv's default build). Strict mode stays
 * on for unknown keywords except GitLab's editor-only markdownDescription;
 * strictTypes and strictRequired are off because this third-party schema
 * relies on what they reject (`required` without `type: object` beside it,
 * union types, `required` naming properties of a sibling branch), and formats
 * (uri, date-time, regex) are not validated: the pipeline uses none of them.
 */
function compileSchema() {
  const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true, allErrors: true, validateFormats: false });
  ajv.addKeyword('markdownDescription');
  return ajv.compile(schema);
}
const validate = compileSchema();

const FILE = join(REPO, 'cicd/gitlab/.gitlab-ci.yml');
/** What the pipeline checks and publishes on: the policies, the committed output and the switchyard version. */
const INPUTS = ['policies/**/*', 'generated/**/*', 'package.json', 'package-lock.json', '.gitlab-ci.yml'];
const TEXT = readFileSync(FILE, 'utf8');

interface Job {
  stage?: string;
  extends?: string;
  script?: string[];
  before_script?: string[];
  rules?: Array<Record<string, unknown>>;
  needs?: Array<string | { job: string; artifacts?: boolean }>;
  when?: string;
  timeout?: string;
  environment?: { name: string; action?: string; deployment_tier?: string };
  interruptible?: boolean;
  resource_group?: string;
  variables?: Record<string, string>;
  artifacts?: { reports?: { dotenv?: string } };
}
const DOC = parse(TEXT) as Record<string, unknown> & {
  stages: string[];
  workflow: { rules: Array<{ if: string }>; auto_cancel?: { on_new_commit?: string } };
  default: Job;
  variables: Record<string, string>;
};
const RESERVED = new Set(['workflow', 'stages', 'variables', 'default', 'include', 'image', 'services', 'cache', 'before_script', 'after_script']);
const JOBS = Object.fromEntries(Object.entries(DOC).filter(([k]) => !RESERVED.has(k) && !k.startsWith('.'))) as Record<string, Job>;
const job = (id: string): Job => {
  const j = JOBS[id];
  if (!j) throw new Error(`no job ${id}`);
  return j;
};
const TEMPLATES = { '.mr': DOC['.mr'] as Job, '.deploy': DOC['.deploy'] as Job };
/** A job's keys after `extends` (one level, as the file uses it). */
const resolved = (id: string): Job => ({ ...(job(id).extends ? TEMPLATES[job(id).extends as keyof typeof TEMPLATES] : {}), ...job(id) });
const scriptOf = (id: string): string => (job(id).script ?? []).join('\n');

const CALLS: SwitchyardCall[] = Object.entries(DOC).flatMap(([id, j]) =>
  j && typeof j === 'object' && !Array.isArray(j)
    ? (['before_script', 'script', 'after_script'] as const).flatMap((k) => {
        const lines = (j as Job & { after_script?: string[] })[k];
        return Array.isArray(lines) ? switchyardCalls(`${id}.${k}`, lines.join('\n')) : [];
      })
    : [],
);

describe("GitLab's CI JSON Schema", () => {
  it('is the draft-07 schema of .gitlab-ci.yml', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('https://gitlab.com/.gitlab-ci.yml');
  });

  it('accepts the pipeline', () => {
    const ok = validate(DOC);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('rejects the mistakes it should (the schema is really checking)', () => {
    const paths = (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => e.instancePath));
    const copy = () => parse(TEXT) as Record<string, Record<string, unknown>>;
    const badWhen = copy();
    badWhen['rollback-canary']!.when = 'on_failed';
    expect(paths(badWhen)).toContain('/rollback-canary/when');
    const badAction = copy();
    (badAction.promote!.environment as Record<string, unknown>).action = 'deploy';
    expect(paths(badAction)).toContain('/promote/environment/action');
    const typo = copy();
    typo.check!.scirpt = typo.check!.script;
    expect(paths(typo).length).toBeGreaterThan(0);
    // The classic: an unquoted "key: value" inside a plain script line parses as a mapping.
    const mapping = parse(TEXT.replace('    - npx switchyard check\n', '    - curl --header PRIVATE-TOKEN: $T https://x\n')) as unknown;
    expect(paths(mapping)).toContain('/check/script');
  });
});

describe('structure', () => {
  it('has the stages validate, check, diff, publish, canary, promote and runs for merge requests and the default branch', () => {
    expect(DOC.stages).toEqual(['validate', 'check', 'diff', 'publish', 'canary', 'promote']);
    expect(DOC.workflow.rules.map((r) => r.if)).toEqual([
      '$CI_PIPELINE_SOURCE == "merge_request_event"',
      '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"',
    ]);
    expect(Object.keys(JOBS)).toEqual([
      'validate',
      'check',
      'diff',
      'risk-gate',
      'approve-high-risk',
      'publish-canary',
      'canary-gate',
      'rollback-canary',
      'promote',
    ]);
    for (const id of Object.keys(JOBS)) expect(DOC.stages).toContain(job(id).stage);
  });

  it('merge request jobs run in merge request pipelines changing policies/, generated/ or the switchyard version, and are interruptible', () => {
    for (const id of ['check', 'diff', 'risk-gate']) {
      const j = resolved(id);
      expect(j.rules).toEqual([{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"', changes: INPUTS }]);
      expect(j.interruptible).toBe(true);
    }
    expect(resolved('validate').interruptible).toBe(true);
    expect(scriptOf('validate')).toBe('npx switchyard validate\nnpx switchyard compile --check');
    expect(scriptOf('check')).toBe('npx switchyard check');
  });

  it('validate runs in every merge request pipeline, so "Pipelines must succeed" always has one, and filters inside', () => {
    // The last rule has no changes: filter; the first says whether any input changed.
    expect(job('validate').rules).toEqual([
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"', changes: INPUTS, variables: { SWITCHYARD_INPUTS_CHANGED: 'true' } },
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"', variables: { SWITCHYARD_INPUTS_CHANGED: 'false' } },
    ]);
  });

  it('diff: full history, the markdown report and the JSON level, one MR note found by its marker and updated in place', () => {
    const j = resolved('diff');
    expect(j.variables).toEqual({ GIT_DEPTH: '0' });
    expect(j.needs).toEqual([]); // runs even when validate or check failed: the note is never stale
    const s = scriptOf('diff');
    expect(s).toContain('npx switchyard diff --base "$BASE" --format markdown > diff.md');
    expect(s).toContain('npx switchyard diff --base "$BASE" --json > diff.json');
    expect(s).toContain('x.body.startsWith("<!-- switchyard-diff -->")');
    expect(s).toContain('--request PUT --header "PRIVATE-TOKEN: $SWITCHYARD_GITLAB_TOKEN" --data-urlencode "body@diff.md" "$NOTES/$NOTE_ID"');
    expect(s).toContain('--request POST --header "PRIVATE-TOKEN: $SWITCHYARD_GITLAB_TOKEN" --data-urlencode "body@diff.md" "$NOTES"');
    expect(j.artifacts?.reports?.dotenv).toBe('base.env');
  });

  it('high risk: risk-gate fails unless the MR carries the label; approve-high-risk is a manual job in a protected environment that sets it', () => {
    expect(scriptOf('risk-gate')).toContain('npx switchyard diff --base "$BASE" --fail-on high');
    const approve = job('approve-high-risk');
    expect(approve.environment).toEqual({ name: 'switchyard-risk-approval' });
    expect(approve.rules!.at(-1)).toMatchObject({ when: 'manual', allow_failure: true });
    expect(approve.rules![0]).toMatchObject({ when: 'never' });
    expect(scriptOf('approve-high-risk')).toContain('add_labels=$SWITCHYARD_APPROVAL_LABEL');
    expect(DOC.variables.SWITCHYARD_APPROVAL_LABEL).toBe('risk-approved');
  });

  it('deploys one at a time, never interrupted: canary, gate, rollback on failure within 3 minutes, promotion in production', () => {
    for (const id of ['publish-canary', 'canary-gate', 'rollback-canary', 'promote']) {
      const j = resolved(id);
      expect(j.resource_group).toBe('switchyard-production');
      expect(j.interruptible).toBe(false);
      // A lockfile or switchyard version change compiles and publishes too.
      expect(j.rules).toEqual([{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"', changes: INPUTS }]);
    }
    expect(job('publish-canary').environment).toEqual({ name: 'production-canary', deployment_tier: 'production' });
    expect(scriptOf('publish-canary')).toContain('npx switchyard publish --to "$SWITCHYARD_CANARY_TARGET" --json > publish.json');
    expect(scriptOf('canary-gate')).toContain('npx switchyard gate --prometheus "$PROM" --window 10m');
    const rollback = job('rollback-canary');
    expect(rollback.when).toBe('on_failure');
    expect(rollback.timeout).toBe('3 minutes');
    expect(rollback.needs).toEqual([{ job: 'publish-canary', artifacts: true }, { job: 'canary-gate' }]);
    expect(rollback.environment?.action).toBe('access'); // not held by deployment approvals
    expect(scriptOf('rollback-canary')).toContain('npx switchyard rollback --target "$SWITCHYARD_CANARY_TARGET" --to "$CANARY_PREVIOUS"');
    const promote = job('promote');
    expect(promote.stage).toBe('promote');
    expect(promote.environment).toEqual({ name: 'production', deployment_tier: 'production' });
    expect(scriptOf('promote')).toContain('npx switchyard publish --to "$SWITCHYARD_BUNDLE_TARGET" --json > publish.json');
  });

  it("cancels a stale pipeline only while no deploy job has started in it, and the README says what GitLab's rules do", () => {
    // docs.gitlab.com, workflow:auto_cancel:on_new_commit: `conservative` cancels the older pipeline unless a job with
    // interruptible: false has started; `interruptible` cancels only jobs marked interruptible: true, which would leave an
    // older pipeline's deploy jobs that have not started to run after the newer pipeline's.
    expect(DOC.workflow.auto_cancel).toEqual({ on_new_commit: 'conservative' });
    // Conservative cancels a pipeline whole: every MR job must be interruptible, every deploy job not.
    for (const id of Object.keys(JOBS)) {
      const j = resolved(id);
      const mr = (j.rules ?? []).some((r) => String(r.if).includes('merge_request_event'));
      expect([id, j.interruptible], `${id}`).toEqual([id, mr]);
      if (!mr) expect(j.resource_group, id).toBe('switchyard-production');
    }
    // A resource group hands the resource to jobs, not pipelines: the README has the oldest_first step and no claim that pending jobs are cancelled whatever the mode.
    const readme = readFileSync(join(REPO, 'cicd/README.md'), 'utf8');
    expect(readme).toContain('`workflow:auto_cancel:on_new_commit: conservative`');
    expect(readme).toContain('--data "process_mode=oldest_first"');
    expect(readme).toContain('resource_groups/switchyard-production');
    expect(readme).not.toContain('GitLab counts jobs that have not started as interruptible');
    expect(TEXT).not.toContain('counts pending jobs as interruptible');
  });

  it('uses Node 20 and npm ci with a cache keyed on the lock file', () => {
    expect(DOC.default).toMatchObject({
      image: 'node:20-bookworm',
      before_script: ['npm ci --prefer-offline --no-audit --no-fund'],
      cache: { key: { files: ['package-lock.json'] } },
    });
  });
});

const PROGRAM = await program();
const REGISTERED = await registeredSubcommands();

describe('every npx switchyard line against the real CLI', () => {
  it('finds the command lines and calls only pipeline subcommands', () => {
    expect(CALLS.length).toBeGreaterThanOrEqual(15);
    for (const c of CALLS) expect(PIPELINE_SUBCOMMANDS, `${c.where}: ${c.line}`).toContain(c.subcommand);
  });

  for (const sub of new Set(CALLS.map((c) => c.subcommand))) {
    const calls = CALLS.filter((c) => c.subcommand === sub);
    it.skipIf(!REGISTERED.has(sub))(`switchyard ${sub}: every option exists, takes its value, and appears in --help`, () => {
      expect(calls.flatMap((c) => checkCall(c, PROGRAM))).toEqual([]);
      const help = helpText(sub);
      for (const flag of new Set(calls.flatMap(flagsOf))) expect(help, `switchyard ${sub} --help`).toContain(flag);
    });
  }
});

/** GitLab runs a job's script lines as one bash script with errexit and pipefail. */
const GITLAB_BASH = ['--noprofile', '--norc', '-e', '-o', 'pipefail'];

describe('the MR note and the risk gate against a fake GitLab API', () => {
  let runner: Runner;
  let api: string;
  beforeAll(() => {
    runner = makeRunner();
    api = join(runner.dir, 'api');
    // A curl that answers GET /user and GET .../notes?page=N from files, and logs every write.
    writeFileSync(
      join(runner.dir, 'bin/curl'),
      [
        '#!/usr/bin/env bash',
        'method=GET; body=""; url=""',
        'while [ $# -gt 0 ]; do case "$1" in',
        '  --request) method="$2"; shift 2 ;;',
        '  --header) shift 2 ;;',
        '  --data-urlencode) body="$2"; shift 2 ;;',
        '  -*) shift ;;',
        '  *) url="$1"; shift ;;',
        'esac; done',
        `api=${JSON.stringify(api)}`,
        'case "$method $url" in',
        '  "GET "*/user) echo \'{"id":5}\' ;;',
        '  "GET "*/notes\\?*) page=$(sed -E "s/.*[?&]page=([0-9]+).*/\\1/" <<<"$url"); cat "$api/page-$page.json" 2>/dev/null || echo "[]" ;;',
        '  *) file="${body#*@}"; printf "%s %s\\n" "$method" "$url" >> "$api/writes.txt"; [ -z "$body" ] || cp "$file" "$api/last-body.md" ;;',
        'esac',
        '',
      ].join('\n'),
    );
    chmodSync(join(runner.dir, 'bin/curl'), 0o755);
  });
  afterAll(() => runner.cleanup());

  const ENV = { CI_API_V4_URL: 'https://gitlab.example/api/v4', CI_PROJECT_ID: '9', CI_MERGE_REQUEST_IID: '3', SWITCHYARD_GITLAB_TOKEN: 'glpat-test' };
  const NOTES = 'https://gitlab.example/api/v4/projects/9/merge_requests/3/notes';
  /** The note part of the diff job: the script after the diff itself, with diff.md in place. */
  function upsert(pages: unknown[][]): string[] {
    mkdirSync(api, { recursive: true });
    pages.forEach((p, i) => writeFileSync(join(api, `page-${i + 1}.json`), JSON.stringify(p)));
    writeFileSync(join(api, 'writes.txt'), '');
    writeFileSync(join(runner.dir, 'diff.md'), '<!-- switchyard-diff -->\nreport');
    const lines = job('diff').script!;
    const noteScript = lines.find((l) => l.includes('SWITCHYARD_GITLAB_TOKEN is not set'))!;
    const r = runner.run(noteScript, { cwd: runner.dir, env: ENV, bashFlags: GITLAB_BASH });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return readFileSync(join(api, 'writes.txt'), 'utf8').split('\n').filter(Boolean);
  }
  const note = (id: number, author: number, body: string, system = false) => ({ id, body, system, author: { id: author } });

  it('updates the note of the token’s user that starts with the marker, across pages', () => {
    const page1 = Array.from({ length: 100 }, (_, i) => note(i + 1, 7, `comment ${i}`));
    const writes = upsert([page1, [note(101, 7, '<!-- switchyard-diff -->\nquoted by a person'), note(102, 5, '<!-- switchyard-diff -->\nold')]]);
    expect(writes).toEqual([`PUT ${NOTES}/102`]);
    expect(readFileSync(join(api, 'last-body.md'), 'utf8')).toBe('<!-- switchyard-diff -->\nreport');
  });

  it('creates the note when there is none of its own', () => {
    expect(upsert([[note(1, 7, '<!-- switchyard-diff -->\nby someone else'), note(2, 5, 'system', true)]])).toEqual([`POST ${NOTES}`]);
  });

  const riskGate = (rc: number, labels: string) =>
    runner.run(
      scriptOf('risk-gate')
        .split('\n')
        .filter((l) => !l.startsWith('git fetch'))
        .join('\n'),
      {
        cwd: runner.dir,
        bashFlags: GITLAB_BASH,
        env: {
          FAKE_SWITCHYARD_RC: String(rc),
          CI_MERGE_REQUEST_LABELS: labels,
          SWITCHYARD_APPROVAL_LABEL: 'risk-approved',
          SWITCHYARD_RISK_LEVEL: rc === 1 ? 'high' : 'low',
          BASE: 'abc123',
        },
      },
    );

  it('risk gate: passes below high, at high only with the label (an exact label, not a substring), never on other errors', () => {
    expect(riskGate(0, '').code).toBe(0);
    expect(riskGate(1, 'policy,needs-review').code).toBe(1);
    expect(riskGate(1, 'not-risk-approved').code).toBe(1);
    const approved = riskGate(1, 'policy,risk-approved');
    expect(approved.code).toBe(0);
    expect(approved.calls).toEqual(['switchyard diff --base abc123 --fail-on high']);
    expect(riskGate(2, 'risk-approved').code).toBe(2);
  });
});

describe('canary rehearsal with the real CLI against bundle directories', () => {
  let ws: Workspace;
  let runner: Runner;
  let canary: string;
  let production: string;
  beforeAll(() => {
    ws = makeWorkspace();
    runner = makeRunner();
    canary = join(runner.dir, 'canary-bundles');
    production = join(runner.dir, 'production-bundles');
  });
  afterAll(() => {
    ws.cleanup();
    runner.cleanup();
  });
  const current = (target: string) => (JSON.parse(cliProcess(['bundles', '--target', target, '--json']).stdout) as { current: string | null }).current;
  const runJob = (id: string, env: Record<string, string>) =>
    runner.run(scriptOf(id), {
      cwd: ws.dir,
      bashFlags: GITLAB_BASH,
      env: {
        SWITCHYARD_CANARY_TARGET: canary,
        SWITCHYARD_BUNDLE_TARGET: production,
        SWITCHYARD_CANARY_BAKE_MINUTES: '2',
        SWITCHYARD_PROMOTE_VERIFY_MINUTES: '1',
        ...env,
      },
    });

  // About twenty real CLI processes (the jobs run validate, check, compile --check and publish; bundles are read back):
  // on a loaded machine that takes more than the default minute.
  it('publishes to the canary after the dry run, rolls it back when the gate fails, and promotion rolls back both targets when the gate fails after it', async () => {
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
    const first = runJob('publish-canary', {});
    expect(first.code, first.stderr).toBe(0);
    expect(first.calls.slice(0, 4)).toEqual([
      'switchyard validate',
      'switchyard check',
      'switchyard compile --check',
      `switchyard publish --to ${canary} --json`,
    ]);
    const v1 = readKeyValues(join(ws.dir, 'canary.env')).CANARY_VERSION!;
    expect(readKeyValues(join(ws.dir, 'canary.env')).CANARY_PREVIOUS).toBe('-');
    // the first bundle has nothing to roll back to
    const none = runJob('rollback-canary', readKeyValues(join(ws.dir, 'canary.env')));
    expect(none.code).toBe(1);
    expect(none.calls).toEqual([]);
    // production serves the first bundle too, before this change
    expect(cliProcess(['publish', '--to', production], { cwd: ws.dir }).code).toBe(0);
    const productionBefore = current(production)!;

    ws.edit('routing.ts', 'rpm: 10_000', 'rpm: 9_000');
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
    const second = runJob('publish-canary', {});
    expect(second.code, second.stderr).toBe(0);
    const dotenv = readKeyValues(join(ws.dir, 'canary.env'));
    expect(dotenv.CANARY_PREVIOUS).toBe(v1);
    const v2 = dotenv.CANARY_VERSION!;
    expect(current(canary)).toBe(v2);

    const gate = runJob('canary-gate', { PROMETHEUS_URL: DEAD_PROMETHEUS });
    expect(gate.code).not.toBe(0);
    expect(gate.calls).toEqual([`switchyard gate --prometheus ${DEAD_PROMETHEUS} --window 10m`]);

    const rollback = runJob('rollback-canary', dotenv);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(current(canary)).toBe(v1);

    // Promotion after a canary that passed: the gate fails after it, and both targets go back.
    expect(cliProcess(['rollback', '--target', canary, '--to', v2]).code).toBe(0);
    const promote = runJob('promote', { ...dotenv, PROMETHEUS_URL: DEAD_PROMETHEUS });
    expect(promote.code).toBe(1);
    expect(promote.stdout).toContain('readiness gate failed after promotion: rolling back');
    expect(promote.calls.filter((c) => c.startsWith('switchyard rollback'))).toEqual([
      `switchyard rollback --target ${production} --to ${productionBefore}`,
      `switchyard rollback --target ${canary} --to ${v1}`,
    ]);
    expect(current(production)).toBe(productionBefore);
    expect(current(canary)).toBe(v1);
  }, 240_000);
});

describe('validate filters inside the job (its before_script, as the runner runs it)', () => {
  let runner: Runner;
  beforeAll(() => void (runner = makeRunner()));
  afterAll(() => runner.cleanup());
  // before_script and script run as one shell script: an `exit 0` in the first ends the job, passed.
  const validate = () => [...(job('validate').before_script ?? []), ...(job('validate').script ?? [])].join('\n');

  it('passes at once, installing and running nothing, when no input changed', () => {
    const r = runner.run(validate(), { cwd: runner.dir, env: { SWITCHYARD_INPUTS_CHANGED: 'false', FAKE_SWITCHYARD_RC: '1' }, bashFlags: GITLAB_BASH });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing to check');
    expect(r.calls).toEqual([]);
  });

  it('installs and runs validate and compile --check when one did (and fails with them)', () => {
    // npm is not faked: a stand-in that succeeds, so the switchyard calls are what is checked.
    writeFileSync(join(runner.dir, 'bin/npm'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(runner.dir, 'bin/npm'), 0o755);
    const ok = runner.run(validate(), { cwd: runner.dir, env: { SWITCHYARD_INPUTS_CHANGED: 'true', FAKE_SWITCHYARD_RC: '0' }, bashFlags: GITLAB_BASH });
    expect(ok.code).toBe(0);
    expect(ok.calls).toEqual(['switchyard validate', 'switchyard compile --check']);
    const failing = runner.run(validate(), { cwd: runner.dir, env: { SWITCHYARD_INPUTS_CHANGED: 'true', FAKE_SWITCHYARD_RC: '1' }, bashFlags: GITLAB_BASH });
    expect(failing.code).toBe(1);
  });
});
