/**
 * Where the base of a diff comes from: a directory as it is, or the policy
 * directory as it was at a git revision. A revision is materialized with
 * `git archive` into a temporary directory, so neither the working tree, the
 * index nor any repository metadata changes.
 *
 * Policy files import 'switchyard'. From a copy outside the package that
 * name has to resolve to the same Switchyard that compiles the head, so the
 * copy gets a `node_modules/switchyard` link to this package. The copy lives
 * under the repository's `node_modules/.cache/switchyard-diff/` when there is
 * one (ignored by git; any other package the policies import resolves from
 * the repository's own node_modules), else under the system temp directory.
 */
import { SwitchyardError } from '../errors.ts';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';

/** This package's root, the one 'switchyard' must resolve to from a materialized base. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BaseSource {
  /** Policy entry to load (directory or file). */
  entry: string;
  /** How the base is named in reports: the ref as given, or the directory. */
  label: string;
  /** The commit, for a git base. */
  commit: string | null;
  /** Absolute directory the base was materialized into (its file paths start with it), for a git base. */
  tempDir: string | null;
  /** `ref:path` for a file of a git base, the path itself otherwise. */
  displayFile(file: string): string;
  cleanup(): void;
}

/** A base that cannot be had: bad ref, no repository, nothing at that path in the commit. */
class BaseError extends SwitchyardError {
  constructor(message: string) {
    super(message, 'diff-base');
  }
}

function git(cwd: string, args: string[], input?: Buffer): { ok: boolean; stdout: Buffer; stderr: string } {
  const r = spawnSync('git', args, { cwd, maxBuffer: 512 * 1024 * 1024, ...(input ? { input } : {}) });
  if (r.error) throw new BaseError(`cannot run git: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr.toString('utf8').trim() };
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .find((l) => l.trim() !== '')
    ?.replace(/^(fatal|error): /, '') ?? '';

/**
 * `base` names a directory or file when one exists at that path; otherwise a
 * git revision of the repository that holds the head.
 */
export async function resolveBase(base: string, head: string): Promise<BaseSource> {
  if (existsSync(base)) {
    return { entry: base, label: base, commit: null, tempDir: null, displayFile: (f) => f, cleanup: () => {} };
  }
  return materializeRevision(base, head);
}

async function materializeRevision(ref: string, head: string): Promise<BaseSource> {
  const headAbs = resolve(head);
  if (!existsSync(headAbs)) throw new BaseError(`--base ${ref}: the head ${head} does not exist, so there is no repository to read ${ref} from`);
  const headIsFile = statSync(headAbs).isFile();
  const headDir = realpathSync(headIsFile ? dirname(headAbs) : headAbs);

  const top = git(headDir, ['rev-parse', '--show-toplevel']);
  if (!top.ok) throw new BaseError(`--base ${ref}: no directory of that name, and ${head} is not inside a git repository`);
  const root = realpathSync(top.stdout.toString('utf8').trim());

  const rev = git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!rev.ok) throw new BaseError(`--base ${ref}: no such directory, and no such git revision in ${root}`);
  const commit = rev.stdout.toString('utf8').trim();

  // git archive wants the path relative to the repository root, with forward slashes.
  const prefix = relative(root, headDir).split(sep).join('/');
  const tempDir = await materialize(root, commit, prefix, () => {
    const archive = git(root, ['archive', '--format=tar', commit, '--', prefix === '' ? '.' : prefix]);
    if (!archive.ok)
      throw new BaseError(`--base ${ref}: ${prefix || 'the repository root'} does not exist at ${commit.slice(0, 12)} (${firstLine(archive.stderr)})`);
    return archive.stdout;
  });
  const baseDir = join(tempDir, ...(prefix ? prefix.split('/') : []));
  const entry = headIsFile ? join(baseDir, basename(headAbs)) : baseDir;
  const short = commit.slice(0, 12);
  return {
    entry,
    label: ref,
    commit,
    tempDir,
    displayFile: (file) => {
      const abs = resolve(file);
      return abs.startsWith(tempDir + sep) ? `${short}:${relative(tempDir, abs).split(sep).join('/')}` : file;
    },
    // The copy is kept as a cache (see materialize); nothing to remove per run.
    cleanup: () => {},
  };
}

const KEEP_COPIES = 8;
const PRUNE_AFTER_MS = 60 * 60 * 1000;

/**
 * A commit's files never change, so its copy is kept under a stable name and
 * reused: jiti's transpile cache is keyed by file path, and a fresh path per
 * run would transpile every base file again and leave its output behind.
 * A copy is built under a temporary name and renamed into place, so
 * concurrent runs never see half a copy.
 */
async function materialize(root: string, commit: string, prefix: string, archive: () => Buffer): Promise<string> {
  const cacheRoot = existsSync(join(root, 'node_modules')) ? join(root, 'node_modules', '.cache', 'switchyard-diff') : join(tmpdir(), 'switchyard-diff');
  mkdirSync(cacheRoot, { recursive: true });
  const key = `${commit.slice(0, 16)}-${createHash('sha1').update(`${root}\0${prefix}`).digest('hex').slice(0, 8)}`;
  const final = join(cacheRoot, key);
  const done = join(final, COMPLETE);
  if (existsSync(done)) {
    const now = new Date();
    utimesSync(final, now, now);
    return final;
  }
  const tarball = archive();
  const building = mkdtempSync(join(cacheRoot, `.${key}-`));
  try {
    await extractTar(tarball, building);
    const link = join(building, 'node_modules', 'switchyard');
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(PACKAGE_ROOT.replace(/[\\/]$/, ''), link, 'junction');
    writeFileSync(join(building, COMPLETE), `${commit}\n`);
    try {
      renameSync(building, final);
    } catch (e) {
      // Another run got there first; its copy is the same files.
      if (!existsSync(done)) throw e;
      rmSync(building, { recursive: true, force: true });
    }
  } catch (e) {
    rmSync(building, { recursive: true, force: true });
    throw e;
  }
  prune(cacheRoot, final);
  return final;
}

const COMPLETE = '.switchyard-base';

/** Keeps the most recently used copies; older ones go once nobody can still be reading them. */
function prune(cacheRoot: string, keep: string): void {
  try {
    const now = Date.now();
    const entries = readdirSync(cacheRoot)
      .map((name) => ({ path: join(cacheRoot, name), mtime: statSync(join(cacheRoot, name)).mtimeMs }))
      .filter((e) => e.path !== keep)
      .sort((a, b) => b.mtime - a.mtime);
    for (const e of entries.slice(KEEP_COPIES - 1)) if (now - e.mtime > PRUNE_AFTER_MS) rmSync(e.path, { recursive: true, force: true });
  } catch {
    // Pruning is housekeeping; a failure here must not fail the diff.
  }
}

async function extractTar(data: Buffer, cwd: string): Promise<void> {
  await new Promise<void>((ok, fail) => {
    const x = tar.x({ cwd, strict: true });
    x.on('error', fail);
    x.on('close', () => ok());
    x.on('finish', () => ok());
    x.end(data);
  });
}
