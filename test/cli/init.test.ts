/**
 * `switchyard init DIR`: a standalone policy repository that compiles where
 * it is written, with no node_modules (the loader resolves 'switchyard' to
 * the running package), and also once switchyard is installed in it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { aliasesFor, resolvesSwitchyard } from '../../src/load/self-package.ts';
import { cli, cliProcess } from '../fixtures/cli.ts';
import { REPO } from '../fixtures/workspace.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

it('scaffolds package.json, tsconfig.json, policies/ and the CI workflow', async () => {
  const repo = join(dir, 'Team Policies');
  const r = await cli('init', repo);
  expect(r.code, r.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  expect(manifest).toMatchObject({ name: 'team-policies', private: true, type: 'module', devDependencies: { switchyard: pkg.version } });
  // The reference policies, byte for byte, still importing 'switchyard' (no rewriting).
  const policyFiles = readdirSync(join(REPO, 'policies')).filter((f) => f.endsWith('.ts'));
  for (const f of policyFiles) expect(readFileSync(join(repo, 'policies', f), 'utf8')).toBe(readFileSync(join(REPO, 'policies', f), 'utf8'));
  expect(readFileSync(join(repo, 'policies/index.ts'), 'utf8')).toContain("from 'switchyard'");
  expect(existsSync(join(repo, 'policies/risk/providers.rego'))).toBe(true);
  const workflow = readFileSync(join(repo, '.github/workflows/switchyard.yml'), 'utf8');
  expect(workflow).toBe(readFileSync(join(REPO, 'cicd/github/switchyard.yml'), 'utf8'));
  expect(workflow).toContain('npx switchyard check');
  expect(workflow).toContain('npx switchyard diff --base');
  // paths: the installed package first, then the Switchyard that ran init; the second resolves now.
  const { paths } = JSON.parse(readFileSync(join(repo, 'tsconfig.json'), 'utf8')).compilerOptions as { paths: Record<string, string[]> };
  expect(Object.keys(paths)).toEqual(['switchyard', 'switchyard/model']);
  expect(paths.switchyard![0]).toBe('./node_modules/switchyard/src/index.ts');
  expect(resolve(repo, paths.switchyard![1]!)).toBe(join(REPO, 'src/index.ts'));
  expect(resolve(repo, paths['switchyard/model']![1]!)).toBe(join(REPO, 'src/model/index.ts'));
});

it('compiles and checks in a temporary directory with no node_modules, from inside it, as a user would', async () => {
  const repo = join(dir, 'policies-repo');
  expect((await cli('init', repo)).code).toBe(0);
  expect(existsSync(join(repo, 'node_modules'))).toBe(false);
  expect(resolvesSwitchyard(join(repo, 'policies'))).toBe(false);
  const check = cliProcess(['check', '-p', 'policies'], { cwd: repo });
  expect(check.code, check.stderr).toBe(0);
  const compile = cliProcess(['compile', '-p', 'policies', '-o', 'generated'], { cwd: repo });
  expect(compile.code, compile.stderr).toBe(0);
  // Same policy, same plan as the reference compiled in this checkout.
  expect(readFileSync(join(repo, 'generated/plan.json'), 'utf8')).toBe(readFileSync(join(REPO, 'generated/plan.json'), 'utf8'));
  // The editor's view: TypeScript resolves 'switchyard' through tsconfig paths before npm install.
  const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(repo, 'tsconfig.json')], { encoding: 'utf8' });
  expect(tsc.status, tsc.stdout).toBe(0);
});

it("after npm install, the repository's own switchyard is the one loaded", async () => {
  const repo = join(dir, 'installed');
  expect((await cli('init', repo)).code).toBe(0);
  // What npm install leaves: node_modules/switchyard (a link here, as `npm link` makes).
  mkdirSync(join(repo, 'node_modules'));
  symlinkSync(REPO, join(repo, 'node_modules/switchyard'), 'dir');
  expect(resolvesSwitchyard(join(repo, 'policies'))).toBe(true);
  expect(aliasesFor(join(repo, 'policies/index.ts'))).toBeNull();
  expect((await cli('validate', '-p', join(repo, 'policies'))).code).toBe(0);
});

it('a policy importing switchyard/model compiles from a folder that has nothing else', async () => {
  const folder = join(dir, 'elsewhere');
  mkdirSync(folder);
  writeFileSync(
    join(folder, 'index.ts'),
    [
      "import { definePolicy } from 'switchyard';",
      "import { GroupName } from 'switchyard/model';",
      "export default definePolicy({ name: 'elsewhere', modelGroups: [], description: GroupName.parse('qwen2.5:7b') });",
      '',
    ].join('\n'),
  );
  expect(aliasesFor(join(folder, 'index.ts'))).toEqual({ 'switchyard/model': join(REPO, 'src/model/index.ts'), switchyard: join(REPO, 'src/index.ts') });
  const r = await cli('validate', '-p', folder);
  expect(r.code, r.stderr).toBe(0);
  expect(aliasesFor(join(REPO, 'policies/index.ts'))).toBeNull();
});

it('refuses to overwrite existing files without --force, writing nothing', async () => {
  const repo = join(dir, 'r');
  await cli('init', repo);
  writeFileSync(join(repo, 'policies/tenants.ts'), '// mine\n');
  rmSync(join(repo, 'tsconfig.json'));
  const r = await cli('init', repo);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/already has .*package\.json, .*\.gitignore, .*switchyard\.yml and \d+ more files; nothing written/);
  expect(readFileSync(join(repo, 'policies/tenants.ts'), 'utf8')).toBe('// mine\n');
  expect(existsSync(join(repo, 'tsconfig.json'))).toBe(false);
  expect((await cli('init', repo, '--force')).code).toBe(0);
  expect(readFileSync(join(repo, 'policies/tenants.ts'), 'utf8')).not.toBe('// mine\n');
});
