import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.ts';
import { lineOf, makeWorkspace, type Workspace } from '../fixtures/workspace.ts';

let ws: Workspace;
beforeEach(() => {
  ws = makeWorkspace();
});
afterEach(() => ws.cleanup());

describe('switchyard compile', () => {
  it('compiles the reference policies and is byte-stable across runs', async () => {
    const first = await cli('compile', '-p', ws.policies, '--out', ws.out);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/added/);
    const snap = ws.snapshotOut();
    expect(Object.keys(snap)).toContain('plan.json');
    expect(snap['plan.json']!.endsWith('}\n')).toBe(true);
    expect(snap['plan.json']).not.toContain('\r');

    const second = await cli('compile', '-p', ws.policies, '--out', ws.out);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already up to date/);
    expect(ws.snapshotOut()).toEqual(snap);
  });

  it('--check passes on fresh output, fails on drift, and writes nothing', async () => {
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out, '--check')).code).toBe(1);
    expect(ws.snapshotOut()).toEqual({});

    await cli('compile', '-p', ws.policies, '--out', ws.out);
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out, '--check')).code).toBe(0);

    const planFile = join(ws.out, 'plan.json');
    writeFileSync(planFile, readFileSync(planFile, 'utf8').replace('"reference"', '"edited"'));
    const before = ws.snapshotOut();
    const drift = await cli('compile', '-p', ws.policies, '--out', ws.out, '--check');
    expect(drift.code).toBe(1);
    expect(drift.stderr).toMatch(/differs\s+.*plan\.json/);
    expect(ws.snapshotOut()).toEqual(before);
  });

  it('--check --json reports drift for machines', async () => {
    await cli('compile', '-p', ws.policies, '--out', ws.out);
    ws.edit('tenants.ts', 'rpm: 120,', 'rpm: 240,');
    const r = await cli('compile', '-p', ws.policies, '--out', ws.out, '--check', '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, drift: true });
    expect(out.files.changed).toContain('plan.json');
  });

  it('refuses to write into a directory it did not create', async () => {
    writeFileSync(join(ws.dir, 'notes.txt'), 'mine');
    const r = await cli('compile', '-p', ws.policies, '--out', ws.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to write/);
    expect(readFileSync(join(ws.dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('removes outputs it wrote earlier that are no longer produced, and nothing else', async () => {
    await cli('compile', '-p', ws.policies, '--out', ws.out);
    const manifestFile = join(ws.out, '.switchyard-manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    manifest.files['old/stale.yaml'] = `sha256:${'0'.repeat(64)}`;
    writeFileSync(manifestFile, JSON.stringify(manifest));
    ws.snapshotOut();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(ws.out, 'old'));
    writeFileSync(join(ws.out, 'old/stale.yaml'), 'x: 1\n');
    writeFileSync(join(ws.out, 'README.md'), 'kept\n');
    const check = await cli('compile', '-p', ws.policies, '--out', ws.out, '--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/stale\s+.*old\/stale\.yaml/);
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
    const after = ws.snapshotOut();
    expect(after['old/stale.yaml']).toBeUndefined();
    expect(after['README.md']).toBe('kept\n');
  });
});

interface BadCase {
  name: string;
  setup: (ws: Workspace) => { file?: string; needle?: string };
  code: string;
  exit: number;
  message?: RegExp;
  notInOutput?: string;
}

const BAD: BadCase[] = [
  {
    name: 'a syntax error in a policy file',
    setup: (w) => {
      w.edit('routing.ts', "model: 'gpt-4o-mini',", "model: 'gpt-4o-mini',,");
      return { file: 'routing.ts', needle: "model: 'gpt-4o-mini',," };
    },
    code: 'syntax-error',
    exit: 1,
  },
  {
    name: 'a literal API key',
    setup: (w) => {
      w.edit('providers.ts', "apiKey: 'env:ANTHROPIC_API_KEY'", "apiKey: 'sk-ant-api03-Zq9xLITERALKEY000'");
      return { file: 'providers.ts', needle: 'sk-ant-api03' };
    },
    code: 'literal-secret',
    exit: 1,
    notInOutput: 'sk-ant-api03-Zq9xLITERALKEY000',
  },
  {
    name: 'an unknown key',
    setup: (w) => {
      w.edit('routing.ts', "tags: ['economy'],", "tags: ['economy'],\n    priorty: 1,");
      return { file: 'routing.ts', needle: 'priorty' };
    },
    code: 'unknown-key',
    exit: 1,
    message: /priorty/,
  },
  {
    name: 'a wrong type',
    setup: (w) => {
      w.edit('tenants.ts', 'rpm: 600,', "rpm: '600',");
      return { file: 'tenants.ts', needle: "rpm: '600'" };
    },
    code: 'invalid-type',
    exit: 1,
  },
  {
    name: 'a circular fallback',
    setup: (w) => {
      w.edit('routing.ts', "deployments: ['openai-gpt-4o-mini'],", "deployments: ['openai-gpt-4o-mini'],\n    fallbacks: ['chat-local'],");
      return { file: 'routing.ts' };
    },
    code: 'fallback-cycle',
    exit: 1,
    message: /chat-local -> chat-mini -> chat-local|chat-mini -> chat-local -> chat-mini/,
  },
  {
    name: 'an import cycle',
    setup: (w) => {
      w.write('tenants.ts', `import './index.ts';\n${w.read('tenants.ts')}`);
      return {};
    },
    code: 'import-cycle',
    exit: 1,
    message: /index\.ts -> .*tenants\.ts -> .*index\.ts|tenants\.ts -> .*index\.ts -> .*tenants\.ts/,
  },
  {
    name: 'a policy module that throws',
    setup: (w) => {
      w.write('slos.ts', `${w.read('slos.ts')}\nthrow new Error('SLO table not ready');\n`);
      return { file: 'slos.ts', needle: 'throw new Error' };
    },
    code: 'policy-module-threw',
    exit: 1,
    message: /SLO table not ready/,
  },
  {
    name: 'a missing policy directory',
    setup: (w) => {
      w.cleanup();
      return {};
    },
    code: 'policy-not-found',
    exit: 2,
  },
];

describe('bad input: one clear error, its location, the right exit code, generated/ untouched', () => {
  for (const c of BAD) {
    it(c.name, async () => {
      if (c.code !== 'policy-not-found') expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
      const before = ws.snapshotOut();
      const where = c.setup(ws);

      const json = await cli('compile', '-p', ws.policies, '--out', ws.out, '--json');
      expect(json.code).toBe(c.exit);
      const report = JSON.parse(json.stdout);
      const errors = report.diagnostics.filter((d: { severity: string }) => d.severity === 'error');
      expect(errors.map((d: { code: string }) => d.code)).toEqual([c.code]);
      const [d] = errors;
      if (c.message) expect(d.message).toMatch(c.message);
      if (where.file) {
        expect(d.source.file).toContain(where.file);
        if (where.needle) expect(d.source.line).toBe(lineOf(ws.read(where.file), where.needle));
      }

      const pretty = await cli('compile', '-p', ws.policies, '--out', ws.out);
      expect(pretty.code).toBe(c.exit);
      expect(pretty.stderr).toContain(c.code);
      expect(pretty.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/);
      if (c.notInOutput) expect(json.stdout + pretty.stderr + pretty.stdout).not.toContain(c.notInOutput);
      expect(ws.snapshotOut()).toEqual(before);
    });
  }
});
