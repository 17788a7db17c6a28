/**
 * Attacks on the file system through the output directory: a pull request
 * can commit links and a crafted manifest into generated/, and CI runs
 * `compile` and `publish` on it with write access to the repository. Each
 * case is the attack, tried against the real CLI, and what must hold: a
 * one-line error with exit code 2, and nothing outside (or inside) the output
 * directory changed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, cliProcess } from '../fixtures/cli.ts';
import { REPO } from '../fixtures/workspace.ts';
import { type Scratch, scratch, tree } from './helpers.ts';

let s: Scratch;
let policy: string;
let out: string;
let victim: string;
beforeEach(async () => {
  s = scratch();
  policy = s.policy();
  out = join(s.dir, 'generated');
  victim = join(s.dir, 'victim');
  mkdirSync(victim);
  writeFileSync(join(victim, 'keep.txt'), 'precious\n');
  expect((await cli('compile', '-p', policy, '--out', out)).code).toBe(0);
});
afterEach(() => s.cleanup());

const compile = (...more: string[]) => cli('compile', '-p', policy, '--out', out, ...more);
const manifestFile = () => join(out, '.switchyard-manifest.json');
function addManifestEntry(entry: string): void {
  const m = JSON.parse(readFileSync(manifestFile(), 'utf8'));
  m.files[entry] = `sha256:${'0'.repeat(64)}`;
  writeFileSync(manifestFile(), JSON.stringify(m));
}
/** An edit that changes every generated file, so a compile has something to write. */
const changedPolicy = () => s.policy((p) => void (p.name = 'changed'), 'changed');

describe('the writer never follows a link out of --out', () => {
  it('a manifest entry behind a symlinked directory cannot delete a file outside --out', async () => {
    symlinkSync('../victim', join(out, 'evil'));
    addManifestEntry('evil/keep.txt');
    const before = tree(s.dir);
    for (const args of [[], ['--check']]) {
      const r = await compile(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`switchyard: ${out}/evil is a symbolic link; switchyard never reads or writes through links (remove it and run again)\n`);
    }
    expect(tree(s.dir)).toEqual(before);
    expect(readFileSync(join(victim, 'keep.txt'), 'utf8')).toBe('precious\n');
  });

  it('a symlinked output directory cannot redirect the writes of a changed policy outside --out', async () => {
    rmSync(join(out, 'docs'), { recursive: true });
    symlinkSync('../victim', join(out, 'docs'));
    const changed = changedPolicy();
    const before = tree(s.dir);
    const r = await cli('compile', '-p', changed, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^switchyard: \S+\/generated\/docs is a symbolic link; switchyard never reads or writes through links/);
    expect(tree(s.dir)).toEqual(before);
  });

  it('a generated file replaced by a link to a file outside is neither read, written through nor replaced', async () => {
    writeFileSync(join(victim, 'plan.json'), 'not a plan\n');
    rmSync(join(out, 'plan.json'));
    symlinkSync('../victim/plan.json', join(out, 'plan.json'));
    const changed = changedPolicy();
    const before = tree(s.dir);
    const r = await cli('compile', '-p', changed, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/generated\/plan\.json is a symbolic link/);
    expect(tree(s.dir)).toEqual(before);
  });

  it.each([
    ['an absolute manifest entry', '/etc/hostname'],
    ['a manifest entry leaving the directory', '../victim/keep.txt'],
    ['a manifest entry that is not normalized', 'docs/../../victim/keep.txt'],
    ['a manifest entry with a backslash', '..\\victim\\keep.txt'],
  ])('%s is refused as a damaged manifest', async (_name, entry) => {
    addManifestEntry(entry);
    const before = tree(s.dir);
    const r = await compile();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^switchyard: \S+\.switchyard-manifest\.json is damaged \(entry "[^"]+" is (an absolute path|a path leaving the directory \(\.\.\)|a path with a backslash)\); delete the directory and compile again\n$/,
    );
    expect(tree(s.dir)).toEqual(before);
  });

  it('an --out that is itself a symbolic link is refused', async () => {
    const link = join(s.dir, 'linked-out');
    symlinkSync(victim, link);
    const r = await cli('compile', '-p', policy, '--out', link);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `switchyard: refusing to write into ${link}: it is a symbolic link; switchyard never writes through links (give the real directory)\n`,
    );
    expect(tree(victim)).toEqual({ 'keep.txt': 'file:precious\n' });
  });
});

describe('--out and init arguments that name no directory, or one that cannot be written', () => {
  it("compile --out '' is a usage error and writes nothing into the working directory", () => {
    const before = tree(s.dir);
    const r = cliProcess(['compile', '-p', policy, '--out', ''], { cwd: s.dir });
    expect([r.code, r.stderr]).toEqual([2, 'switchyard: the output directory is empty; give a directory such as --out generated\n']);
    expect(tree(s.dir)).toEqual(before);
  });

  it("init '' is a usage error and scaffolds nothing into the working directory", () => {
    const before = tree(s.dir);
    const r = cliProcess(['init', ''], { cwd: s.dir });
    expect([r.code, r.stderr]).toEqual([2, 'switchyard: the folder to create is empty; give a name such as my-policies, or . for this folder\n']);
    expect(tree(s.dir)).toEqual(before);
  });

  it('an --out that is a file is a located usage error, not an internal error', async () => {
    const file = join(s.dir, 'afile');
    writeFileSync(file, 'x');
    const r = await cli('compile', '-p', policy, '--out', file);
    expect([r.code, r.stderr]).toEqual([2, `switchyard: refusing to write into ${file}: it is a file, not a directory\n`]);
  });

  it('an --out below a file is a located usage error', async () => {
    writeFileSync(join(s.dir, 'afile'), 'x');
    const r = await cli('compile', '-p', policy, '--out', join(s.dir, 'afile', 'gen'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^switchyard: cannot write \S+afile\/gen: a part of the path is a file, not a directory \(ENOTDIR at \S+\); nothing was changed\n$/,
    );
  });

  it('an --out name too long for the file system is a usage error and leaves no empty directories behind', async () => {
    const before = tree(s.dir);
    const r = await cli('compile', '-p', policy, '--out', join(s.dir, 'new', 'deeper', 'a'.repeat(300)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^switchyard: cannot write \S+: a name is too long for the file system \(ENAMETOOLONG at \S+\); nothing was changed\n$/);
    expect(tree(s.dir)).toEqual(before);
  });

  it('an --out in a read-only directory is a usage error and leaves no empty directories behind', () => {
    const ro = join(s.dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    chmodSync(s.dir, 0o755);
    chmodSync(policy, 0o755);
    const before = tree(s.dir);
    // root ignores permission bits: run the CLI as nobody then, so the directory really is read-only to it
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, [join(REPO, 'bin/switchyard.mjs'), 'compile', '-p', policy, '--out', join(ro, 'a', 'b')], {
      cwd: s.dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      ...asNobody,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^switchyard: cannot write \S+ro\/a\/b: permission denied \(EACCES at \S+\); nothing was changed\n$/);
    chmodSync(ro, 0o755);
    expect(tree(s.dir)).toEqual(before);
  });
});

describe('publish packs only what the writer wrote', () => {
  const bundles = () => join(s.dir, 'bundles');

  it('a generated file swapped for a link to a copy of itself is refused, though its hash matches', async () => {
    cpSync(join(out, 'litellm/config.yaml'), join(victim, 'config.yaml'));
    rmSync(join(out, 'litellm/config.yaml'));
    symlinkSync('../../victim/config.yaml', join(out, 'litellm/config.yaml'));
    const r = await cli('publish', '--to', bundles(), '--from', out, '-p', policy, '--no-recompile');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `switchyard: ${out}/litellm/config.yaml is a symbolic link; switchyard never reads or writes through links (remove it and run again)\n`,
    );
    expect(tree(bundles())).toEqual({});
  });

  it('a symlinked directory in generated/ is refused', async () => {
    cpSync(join(out, 'sql'), join(victim, 'sql'), { recursive: true });
    rmSync(join(out, 'sql'), { recursive: true });
    symlinkSync('../victim/sql', join(out, 'sql'));
    const r = await cli('publish', '--to', bundles(), '--from', out, '-p', policy);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/generated\/sql is a symbolic link/);
    expect(tree(bundles())).toEqual({});
  });
});
