/**
 * All-or-nothing across the whole output tree, shown by fault injection
 * rather than by reading final contents: a disk that fills up after N bytes,
 * a rename that fails, and a real process killed with SIGKILL after each
 * step of a write. Whatever happens, the tree a verifying reader accepts is
 * entirely the old one or entirely the new one, never a mix; a half-written
 * tree is refused; the next run completes it and sweeps staged files.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DriftReport,
  diffArtifacts,
  hasDrift,
  OutputDirError,
  readVerifiedOutput,
  STAGING_DIR,
  writeArtifacts,
  type WriterFs,
} from '../../src/load/write.ts';
import type { Artifact } from '../../src/plan/types.ts';
import { emitAll } from '../../src/targets/index.ts';
import { compileEdited } from '../fixtures/policies.ts';
import { REPO } from '../fixtures/workspace.ts';
import { type Scratch, scratch, tree } from './helpers.ts';

/** Old and new outputs that differ in every way a write can: changed files, added files in a new directory, removed files. */
const OLD = emitAll(compileEdited(() => undefined).plan!);
const NEW = emitAll(
  compileEdited((p) => {
    p.name = 'renamed';
    p.gpuPools[0]!.id = 'pool-z';
    p.deployments[2]!.pool = 'pool-z';
  }).plan!,
);

let s: Scratch;
let out: string;
let oldTree: Record<string, string>;
let newTree: Record<string, string>;
beforeEach(async () => {
  s = scratch();
  out = join(s.dir, 'generated');
  await writeArtifacts(out, NEW);
  newTree = tree(out);
  await writeArtifacts(join(s.dir, 'old'), OLD);
  oldTree = tree(join(s.dir, 'old'));
  await writeArtifacts(out, OLD);
  expect(tree(out)).toEqual(oldTree);
});
afterEach(() => s.cleanup());

/** Regular files only: empty directories a killed run made are invisible to git and to readers. */
const filesOf = (t: Record<string, string>) => Object.fromEntries(Object.entries(t).filter(([, v]) => v.startsWith('file:')));

/** What a verifying reader (publish) sees: 'old', 'new', or 'refused'; anything else fails the test. */
async function readerSees(): Promise<'old' | 'new' | 'refused'> {
  const v = await readVerifiedOutput(out);
  if (!v.ok) return 'refused';
  const same = (t: Record<string, string>) => v.files.size === Object.keys(t).length && [...v.files].every(([p, b]) => t[p] === `file:${b.toString('utf8')}`);
  if (same(filesOf(oldTree))) return 'old';
  if (same(filesOf(newTree))) return 'new';
  throw new Error(`a verifying reader accepted a mix of old and new: ${[...v.files.keys()].join(', ')}`);
}

function enospcAfter(limit: number): WriterFs & { written: () => number } {
  let written = 0;
  return {
    written: () => written,
    async writeFile(file, data) {
      const bytes = Buffer.from(data, 'utf8');
      if (written + bytes.length <= limit) {
        written += bytes.length;
        return writeFile(file, bytes, { flag: 'wx' });
      }
      // the disk takes what fits, then refuses: a half-written staged file
      await writeFile(file, bytes.subarray(0, limit - written), { flag: 'wx' });
      written = limit;
      throw Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC', errno: -28, syscall: 'write', path: file });
    },
    rename,
  };
}

describe('a write that fails half-way changes nothing', () => {
  it('the disk filling up after N bytes, for N across the whole write, leaves the old tree and no staged files', async () => {
    // How many bytes a full write stages, measured on a scratch copy.
    const probe = enospcAfter(Number.POSITIVE_INFINITY);
    await writeArtifacts(join(s.dir, 'probe'), OLD);
    await writeArtifacts(join(s.dir, 'probe'), NEW, { fs: probe });
    const bytes = probe.written();
    expect(bytes).toBeGreaterThan(10_000);
    for (const n of [0, 1, ...Array.from({ length: 9 }, (_, i) => Math.floor((bytes * (i + 1)) / 10)), bytes - 1]) {
      const e = await writeArtifacts(out, NEW, { fs: enospcAfter(n) }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e, `ENOSPC after ${n} of ${bytes} bytes`).toBeInstanceOf(OutputDirError);
      expect((e as OutputDirError).exitCode).toBe(2);
      expect((e as Error).message).toMatch(/^cannot write \S+generated: no space left on device \(ENOSPC at \S+\); nothing was changed$/);
      expect(tree(out)).toEqual(oldTree);
      expect(await readerSees()).toBe('old');
      expect(hasDrift(await diffArtifacts(out, OLD))).toBe(false);
    }
  });

  it('a rename failing after the commit leaves a tree readers refuse, which the next run completes', async () => {
    let renames = 0;
    const failThird: WriterFs = {
      writeFile: (f, d) => writeFile(f, d, { flag: 'wx', flush: true }),
      rename: async (a, b) => {
        if (++renames === 3) throw Object.assign(new Error('EIO: i/o error, rename'), { code: 'EIO', path: a });
        await rename(a, b);
      },
    };
    const e = await writeArtifacts(out, NEW, { fs: failThird }).catch((err: unknown) => err);
    expect((e as Error).message).toMatch(
      /input\/output error \(EIO at .*\); \S+generated\/ is half-written \(its manifest names the files still old\): run switchyard compile again$/,
    );
    expect(await readerSees()).toBe('refused');
    const report: DriftReport = await writeArtifacts(out, NEW);
    expect(report.added.length + report.changed.length).toBeGreaterThan(0);
    expect(filesOf(tree(out))).toEqual(filesOf(newTree));
    expect(await readerSees()).toBe('new');
  });
});

describe('a real process killed with SIGKILL at every step of a write', () => {
  function killAt(step: number, artifacts: readonly Artifact[]): { signal: string | null; steps: string[] } {
    const file = join(s.dir, 'artifacts.json');
    writeFileSync(file, JSON.stringify(artifacts));
    const r = spawnSync(process.execPath, [join(REPO, 'test/security/write-and-die.mjs'), out, file, String(step)], { encoding: 'utf8' });
    if (r.status !== null && r.status !== 0) throw new Error(r.stderr);
    return { signal: r.signal, steps: r.stdout.trim().split('\n') };
  }

  it('leaves a tree that publish and compile --check see as entirely old, or refuse; the next run makes it entirely new and sweeps the staged files', async () => {
    const all = killAt(Number.MAX_SAFE_INTEGER, NEW);
    expect(all.signal).toBeNull();
    const steps = all.steps.filter((l) => l !== 'finished');
    // staged, commit, one rename per changed or added file, one removal per stale file
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.filter((l) => l.includes('"remove"')).length).toBeGreaterThan(0);
    const seen: string[] = [];
    for (let k = 0; k < steps.length; k++) {
      await writeArtifacts(out, OLD);
      expect(tree(out)).toEqual(oldTree);
      const r = killAt(k, NEW);
      expect(r.signal, `step ${k}`).toBe('SIGKILL');
      expect(r.steps.at(-1)).toBe(steps[k]);
      const sees = await readerSees();
      seen.push(sees);
      // before the commit the tree is the old one (plus staged files), after it the manifest says what is not new yet
      expect(sees, `killed after ${steps[k]}`).toBe(k === 0 ? 'old' : 'refused');
      // compile --check (diffArtifacts) says the same: up to date with the old policies before the commit, with neither after it
      expect(hasDrift(await diffArtifacts(out, OLD)), `check against old, killed after ${steps[k]}`).toBe(k !== 0);
      expect(hasDrift(await diffArtifacts(out, NEW)), `check against new, killed after ${steps[k]}`).toBe(true);
      await writeArtifacts(out, NEW);
      expect(filesOf(tree(out))).toEqual(filesOf(newTree));
      expect(Object.keys(tree(out)).some((p) => p.startsWith(STAGING_DIR))).toBe(false);
      expect(await readerSees()).toBe('new');
    }
    expect(new Set(seen)).toEqual(new Set(['old', 'refused']));
  });

  it('after a kill before the commit, the next run with the old policies restores exactly the old tree', async () => {
    const r = killAt(0, NEW);
    expect(r.signal).toBe('SIGKILL');
    expect(Object.keys(tree(out))).toContain(STAGING_DIR);
    await writeArtifacts(out, OLD);
    expect(filesOf(tree(out))).toEqual(filesOf(oldTree));
    expect(Object.keys(tree(out)).some((p) => p.startsWith(STAGING_DIR))).toBe(false);
  });

  it('a first compile killed before its commit does not make the directory look foreign to the next run', async () => {
    const fresh = join(s.dir, 'fresh');
    const file = join(s.dir, 'artifacts.json');
    writeFileSync(file, JSON.stringify(NEW));
    const r = spawnSync(process.execPath, [join(REPO, 'test/security/write-and-die.mjs'), fresh, file, '0'], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGKILL');
    await writeArtifacts(fresh, NEW);
    expect(filesOf(tree(fresh))).toEqual(filesOf(newTree));
  });
});
