/**
 * The test command is wired as the README says: `npm test` type-checks
 * (with the strict unused/returns/fallthrough flags), lints and then runs
 * vitest; `npm run test:all` installs the Debian packages the tests need
 * first; CI runs that same command. scripts/test-deps.sh is run for real:
 * on this machine everything is present, and with a PATH that lacks
 * redis-server and promtool it either names the packages (no root, no sudo)
 * or hands exactly those to apt-get (an `apt-get` on PATH that records its
 * arguments: a test must not install packages on the machine it runs on).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO } from '../fixtures/workspace.ts';

const packageJson = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const tsconfig = JSON.parse(readFileSync(join(REPO, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };

describe('npm test and CI', () => {
  it('npm test type-checks, then lints, then runs vitest, each step stopping the next on failure', () => {
    const s = packageJson.scripts;
    expect(s.test).toBe('npm run typecheck && npm run lint && vitest run');
    expect(s.typecheck).toBe('tsc --noEmit -p tsconfig.json');
    expect(s.lint).toBe('biome check --error-on-warnings && knip');
    expect(s.format).toBe('biome check --write');
  });

  it('the type checker runs with the unused, implicit-return and fallthrough checks on', () => {
    const o = tsconfig.compilerOptions;
    expect([o.strict, o.noUnusedLocals, o.noUnusedParameters, o.noImplicitReturns, o.noFallthroughCasesInSwitch]).toEqual([true, true, true, true, true]);
  });

  it('CI runs the README test command, which installs the Debian packages and then runs npm test under CI=true', () => {
    const ci = readFileSync(join(REPO, '.ci/run'), 'utf8');
    expect(ci.split('\n').filter((l) => /\bnpm\b/.test(l) && !/^\s*(#|echo )/.test(l))).toEqual(['npm ci --no-audit --no-fund', 'CI=true npm run test:all']);
    expect(packageJson.scripts['test:all']).toBe('bash scripts/test-all.sh');
    const all = readFileSync(join(REPO, 'scripts/test-all.sh'), 'utf8');
    expect(all.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '))).toEqual([
      'bash scripts/test-deps.sh',
      'CI="${CI:-true}" npm test',
    ]);
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm run test:all');
  });
});

describe('scripts/test-deps.sh', () => {
  let bin: string;
  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'switchyard-test-deps-'));
    chmodSync(bin, 0o755);
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  /** A PATH holding only `tools` (links to the real ones): redis-server and promtool are missing from it. */
  function pathWith(tools: readonly string[]): string {
    for (const t of tools) {
      // python3 may be a version manager's shim that needs its own PATH: link the interpreter itself
      const where = t === 'python3' ? `python3 -c 'import sys; print(sys.executable)'` : `command -v ${t}`;
      const found = spawnSync('sh', ['-c', where], { encoding: 'utf8' }).stdout.trim();
      expect(found, t).not.toBe('');
      symlinkSync(found, join(bin, t));
    }
    return bin;
  }
  const run = (path: string, asNobody = false) =>
    spawnSync('/bin/bash', [join(REPO, 'scripts/test-deps.sh')], {
      encoding: 'utf8',
      env: { PATH: path, HOME: bin },
      cwd: bin,
      ...(asNobody && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
    });

  it('does nothing when every tool the tests run is there (this machine)', () => {
    const r = run(process.env.PATH ?? '');
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '== test dependencies present\n', '']);
  });

  it('without root or sudo, names the missing packages in one line and exits 2', () => {
    // postgresql is found under /usr/lib/postgresql/<v>/bin whatever PATH says; without python3 there is no PyYAML either
    const r = run(pathWith(['id']), true);
    expect([r.status, r.stdout, r.stderr]).toEqual([
      2,
      '== installing redis-server prometheus python3-yaml\n',
      'switchyard: the tests need redis-server prometheus python3-yaml; install them as root (apt-get install redis-server prometheus python3-yaml)\n',
    ]);
  });

  // Not as root it would go through sudo, which may prompt for a password; the case above covers a user without root.
  it.skipIf(process.getuid?.() !== 0)('as root, hands exactly the missing packages to apt-get, non-interactively', () => {
    const calls = join(bin, 'apt-get.calls');
    writeFileSync(join(bin, 'apt-get'), `#!/bin/bash\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >> ${calls}\n`);
    chmodSync(join(bin, 'apt-get'), 0o755);
    const r = run(pathWith(['python3', 'id', 'env']));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('== installing redis-server prometheus\n');
    expect(readFileSync(calls, 'utf8')).toBe(
      'DEBIAN_FRONTEND= update\nDEBIAN_FRONTEND=noninteractive install -y --no-install-recommends redis-server prometheus\n',
    );
  });
});
