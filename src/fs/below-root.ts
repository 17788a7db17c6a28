/**
 * Paths below a directory Switchyard owns (the compile output it writes,
 * the generated/ tree publish packs). Every component is checked with
 * lstat and files are opened with O_NOFOLLOW, so nothing is ever read,
 * written or removed through a symbolic link: a `generated/docs -> /etc`
 * committed in a pull request, or a manifest entry naming a file behind
 * one, is an error instead of a write outside the directory.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, rmdir } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { SwitchyardError } from '../errors.ts';

/** A path below the root that is a link, not a directory where one is needed, or not a regular file: exit code 2. */
export class UnsafePathError extends SwitchyardError {
  constructor(
    message: string,
    /** The path relative to the root, as the manifest or artifact names it. */
    readonly rel: string,
  ) {
    super(message, 'unsafe-path');
  }
}

/** Why `rel` cannot name a file below a root (absolute, `..`, not normalized, backslashes), or undefined. */
export function relativePathProblem(rel: string): string | undefined {
  if (typeof rel !== 'string' || rel === '') return 'an empty path';
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) return 'an absolute path';
  if (rel.includes('\\')) return 'a path with a backslash';
  if (rel.includes('\0')) return 'a path with a NUL character';
  if (rel.split('/').includes('..')) return 'a path leaving the directory (..)';
  if (posix.normalize(rel) !== rel || rel.endsWith('/')) return 'a path that is not normalized';
  return undefined;
}

export type EntryKind = 'absent' | 'file' | 'dir';

/** How a path below the root is named in messages: below the root as the user wrote it. */
export const shownPath = (shownRoot: string, rel: string): string => (shownRoot === '' || shownRoot === '.' ? rel : `${shownRoot.replace(/\/+$/, '')}/${rel}`);

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * What `rel` is below `root`, without following any link: each parent must
 * be a real directory (or absent, and then so is the entry) and the entry a
 * regular file, a directory or absent.
 */
export async function entryBelow(root: string, rel: string, shownRoot = root): Promise<EntryKind> {
  const problem = relativePathProblem(rel);
  if (problem) throw new UnsafePathError(`${JSON.stringify(rel)} is ${problem}`, rel);
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    const sub = parts.slice(0, i + 1).join('/');
    let st: Awaited<ReturnType<typeof lstat>>;
    try {
      st = await lstat(join(root, sub));
    } catch (e) {
      if (code(e) === 'ENOENT') return 'absent';
      throw e;
    }
    const last = i === parts.length - 1;
    const shown = shownPath(shownRoot, sub);
    if (st.isSymbolicLink())
      throw new UnsafePathError(`${shown} is a symbolic link; switchyard never reads or writes through links (remove it and run again)`, rel);
    if (last) {
      if (st.isFile()) return 'file';
      if (st.isDirectory()) return 'dir';
      throw new UnsafePathError(`${shown} is not a regular file`, rel);
    }
    if (!st.isDirectory()) throw new UnsafePathError(`${shown} is not a directory (${rel} is below it)`, rel);
  }
  return 'absent';
}

/**
 * The bytes of the regular file `rel` below `root`, or undefined when it is
 * absent. A link anywhere on the way, or a directory or device at the end, is
 * an UnsafePathError.
 */
export async function readBelow(root: string, rel: string, shownRoot = root): Promise<Buffer | undefined> {
  const display = shownPath(shownRoot, rel);
  const kind = await entryBelow(root, rel, shownRoot);
  if (kind === 'absent') return undefined;
  if (kind === 'dir') throw new UnsafePathError(`${display} is a directory, not a file`, rel);
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(join(root, rel), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if (code(e) === 'ENOENT') return undefined;
    if (code(e) === 'ELOOP') throw new UnsafePathError(`${display} is a symbolic link; switchyard never reads or writes through links`, rel);
    throw e;
  }
  try {
    if (!(await fh.stat()).isFile()) throw new UnsafePathError(`${display} is not a regular file`, rel);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/**
 * Creates the directory `relDir` below `root` one component at a time,
 * refusing links and files on the way; the absolute paths of the directories
 * it created are appended to `created` (parents first), so a failed run can
 * remove exactly those.
 */
export async function mkdirBelow(root: string, relDir: string, created: string[], shownRoot = root): Promise<void> {
  if (relDir === '' || relDir === '.') return;
  const parts = relDir.split('/');
  for (let i = 0; i < parts.length; i++) {
    const sub = parts.slice(0, i + 1).join('/');
    const kind = await entryBelow(root, sub, shownRoot);
    if (kind === 'dir') continue;
    if (kind === 'file') throw new UnsafePathError(`${shownPath(shownRoot, sub)} is a file where a directory is needed`, sub);
    await mkdir(join(root, sub));
    created.push(join(root, sub));
  }
}

/** Removes the directories of `dirs` that are empty, deepest first; a directory someone filled meanwhile stays. */
export async function removeEmptyDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      await rmdir(dir);
    } catch {
      // not empty, or already gone: either way not ours to force
    }
  }
}

/**
 * `mkdir -p` that records what it made: each missing directory from the
 * first existing ancestor down to `dir` is created on its own and appended
 * to `created`, so a failure half-way (a name too long, a read-only parent)
 * can remove exactly those and leave no empty directories behind.
 */
export async function mkdirs(dir: string, created: string[]): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      await lstat(d);
      break;
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
    }
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    await mkdir(d);
    created.push(d);
  }
}
