/**
 * The only module that writes compiled artifacts to disk.
 *
 * - Byte-stable: LF line endings and a final newline, whatever the emitter did.
 * - All-or-nothing, with the manifest as the single commit point: every
 *   changed file is first staged in `.switchyard-staging/` inside the output
 *   directory (same file system, so renames are atomic), then the new
 *   `.switchyard-manifest.json`, which records the sha256 of every file, is
 *   renamed into place, and only then are the staged files renamed over the
 *   old ones. A run killed before the commit leaves the old tree with its old
 *   manifest; a run killed after it leaves a manifest whose hashes tell which
 *   files are not yet new, which `compile --check` and `publish` refuse and
 *   the next `compile` completes. The staging directory of a failed or killed
 *   run is removed by the next one.
 * - Owns only what it wrote: stale outputs are removed only when the manifest
 *   lists them, never a file someone else put there.
 * - Never through a link: every path below the output directory is checked
 *   with lstat (src/fs/below-root.ts), and a manifest entry that is absolute,
 *   leaves the directory or passes through a symbolic link is an error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix, resolve } from 'node:path';
import { lstat } from 'node:fs/promises';
import { EXIT, SwitchyardError } from '../errors.ts';
import { entryBelow, mkdirBelow, mkdirs, readBelow, relativePathProblem, removeEmptyDirs, shownPath, UnsafePathError } from '../fs/below-root.ts';
import type { Artifact } from '../plan/types.ts';

export const MANIFEST_FILE = '.switchyard-manifest.json';
/** Where a run stages its files; a left-over one (killed run) is swept by the next run. */
export const STAGING_DIR = '.switchyard-staging';
const MANIFEST_FORMAT = 2;

/** A problem with the output directory the user can fix (exit code 2). */
export class OutputDirError extends SwitchyardError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, 'output-dir', { exitCode: EXIT.usage, ...options });
  }
}

export interface DriftReport {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

export const hasDrift = (r: DriftReport) => r.added.length + r.changed.length + r.removed.length > 0;

/** `sha256:<hex>` of a file's bytes, as the manifest (and a bundle's manifest) records it. */
export const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function normalizeContent(content: string): string {
  const lf = content.replace(/\r\n?/g, '\n');
  return lf.endsWith('\n') ? lf : `${lf}\n`;
}

function checkArtifactPath(p: string): void {
  const problem = relativePathProblem(p) ?? (p === STAGING_DIR || p.startsWith(`${STAGING_DIR}/`) ? 'the staging directory' : undefined);
  if (problem) throw new Error(`artifact path must be relative, normalized and inside the output directory: ${JSON.stringify(p)} is ${problem}`);
}

/** What `.switchyard-manifest.json` says: each file with its hash (null in a manifest from before hashes), and files a commit is still removing. */
export interface OutputManifest {
  files: Map<string, string | null>;
  removing: string[];
}

function manifestText(files: ReadonlyMap<string, string>, removing: readonly string[] = []): string {
  const hashes: Record<string, string> = {};
  for (const [path, content] of files) if (path !== MANIFEST_FILE) hashes[path] = sha256(content);
  return `${JSON.stringify({ generatedBy: 'switchyard', format: MANIFEST_FORMAT, files: hashes, ...(removing.length ? { removing } : {}) }, null, 2)}\n`;
}

/** Parses a manifest; throws an Error with a short reason when it is not one. */
function parseOutputManifest(text: string): OutputManifest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('not valid JSON');
  }
  const m = parsed as { files?: unknown; removing?: unknown; format?: unknown } | null;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('not a JSON object');
  const files = new Map<string, string | null>();
  if (Array.isArray(m.files)) {
    // format 1: a list of paths, no hashes
    for (const f of m.files) files.set(String(f), null);
  } else if (typeof m.files === 'object' && m.files !== null && m.format === MANIFEST_FORMAT) {
    for (const [f, h] of Object.entries(m.files)) {
      if (typeof h !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(h)) throw new Error(`${JSON.stringify(f)} has no sha256`);
      files.set(f, h);
    }
  } else throw new Error('no files list');
  const removing = m.removing === undefined ? [] : m.removing;
  if (!Array.isArray(removing) || !removing.every((r): r is string => typeof r === 'string')) throw new Error('"removing" is not a list of paths');
  for (const f of [...files.keys(), ...removing]) {
    const problem = relativePathProblem(f) ?? (f === MANIFEST_FILE || f.startsWith(`${STAGING_DIR}/`) ? 'reserved' : undefined);
    if (problem) throw new Error(`entry ${JSON.stringify(f)} is ${problem}`);
  }
  return { files, removing };
}

/** Final file set: the artifacts (normalized, sorted) plus the manifest that lists them with their hashes. */
export function finalFiles(artifacts: readonly Artifact[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const a of [...artifacts].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
    checkArtifactPath(a.path);
    if (a.path === MANIFEST_FILE) throw new Error(`${MANIFEST_FILE} is reserved`);
    if (files.has(a.path)) throw new Error(`two artifacts for ${a.path}`);
    files.set(a.path, normalizeContent(a.content));
  }
  files.set(MANIFEST_FILE, manifestText(files));
  return files;
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'a name is too long for the file system',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'a directory is in the way',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** Any failure of a write as one line naming the output directory (exit 2); internal errors stay internal. */
function outputError(e: unknown, outDir: string, committed: boolean): unknown {
  if (e instanceof SwitchyardError) return e;
  const code = errno(e);
  if (code === undefined) return e;
  const where = (e as NodeJS.ErrnoException).path;
  const after = committed ? `; ${outDir}/ is half-written (its manifest names the files still old): run switchyard compile again` : '; nothing was changed';
  return new OutputDirError(`cannot write ${outDir}: ${REASONS[code] ?? code} (${code}${where ? ` at ${where}` : ''})${after}`, { cause: e });
}

/**
 * The output directory as a directory we may write into: `outDir` itself
 * must not be a symbolic link or a file. With `created`, a missing directory
 * is made, and every directory made is appended so a failed run can remove it.
 * Returns the absolute path, or undefined when it is absent and not created.
 */
async function outputRoot(outDir: string, created?: string[]): Promise<string | undefined> {
  if (outDir.trim() === '') throw new OutputDirError('the output directory is empty; give a directory such as --out generated');
  const root = resolve(outDir);
  let st: Awaited<ReturnType<typeof lstat>> | undefined;
  try {
    st = await lstat(root);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw outputError(e, outDir, false);
  }
  if (st?.isSymbolicLink())
    throw new OutputDirError(`refusing to write into ${outDir}: it is a symbolic link; switchyard never writes through links (give the real directory)`);
  if (st && !st.isDirectory()) throw new OutputDirError(`refusing to write into ${outDir}: it is a file, not a directory`);
  if (st) return root;
  if (!created) return undefined;
  try {
    await mkdirs(root, created);
  } catch (e) {
    await removeEmptyDirs(created);
    throw outputError(e, outDir, false);
  }
  return root;
}

/** True when the directory holds anything but empty directories (a link or a file counts). */
async function holdsFiles(dir: string, ignore: ReadonlySet<string>): Promise<boolean> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (ignore.has(e.name)) continue;
    if (!e.isDirectory() || (await holdsFiles(join(dir, e.name), new Set()))) return true;
  }
  return false;
}

/** The manifest of an earlier compile, or undefined in an empty or new directory; throws OutputDirError for a foreign, non-empty directory. */
async function previousManifest(root: string | undefined, outDir: string): Promise<OutputManifest | undefined> {
  if (root === undefined) return undefined;
  const bytes = await readBelow(root, MANIFEST_FILE, outDir);
  if (bytes === undefined) {
    // Empty directories left by a run killed before its first commit do not make the directory foreign.
    if (await holdsFiles(root, new Set(['.gitkeep', '.gitattributes', STAGING_DIR])))
      throw new OutputDirError(
        `refusing to write into ${outDir}: it is not empty and has no ${MANIFEST_FILE}, so it was not made by switchyard; choose an empty or new directory`,
      );
    return undefined;
  }
  try {
    return parseOutputManifest(bytes.toString('utf8'));
  } catch (e) {
    throw new OutputDirError(`${shownPath(outDir, MANIFEST_FILE)} is damaged (${(e as Error).message}); delete the directory and compile again`);
  }
}

/** Compares `files` with the tree at root (which may be absent); reads nothing through a link. */
async function driftAt(root: string | undefined, outDir: string, files: ReadonlyMap<string, string>): Promise<DriftReport> {
  const previous = await previousManifest(root, outDir);
  const report: DriftReport = { added: [], changed: [], removed: [], unchanged: [] };
  for (const [path, content] of files) {
    const current = root === undefined ? undefined : await readBelow(root, path, outDir);
    if (current === undefined) report.added.push(path);
    else if (current.toString('utf8') !== content) report.changed.push(path);
    else report.unchanged.push(path);
  }
  if (root !== undefined && previous) {
    for (const old of new Set([...previous.files.keys(), ...previous.removing])) {
      if (!files.has(old) && (await entryBelow(root, old, outDir)) === 'file') report.removed.push(old);
    }
  }
  report.removed.sort();
  return report;
}

/** Compares what would be written with what is on disk. Writes nothing. */
export async function diffArtifacts(outDir: string, artifacts: readonly Artifact[]): Promise<DriftReport> {
  const files = finalFiles(artifacts);
  try {
    return await driftAt(await outputRoot(outDir), outDir, files);
  } catch (e) {
    throw outputError(e, outDir, false);
  }
}

/** The two writes a fault-injection test replaces (a disk that fills up, a rename that fails); everything else is the real file system. */
export interface WriterFs {
  /** Creates `file` (which must not exist) with `data`, flushed to disk. */
  writeFile(file: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
}

const realFs: WriterFs = {
  writeFile: (file, data) => writeFile(file, data, { encoding: 'utf8', flush: true, flag: 'wx' }),
  rename,
};

/** Points a run passes, for tests that kill the process at each of them. */
export type WriteStep = { kind: 'staged' } | { kind: 'commit' } | { kind: 'rename'; path: string } | { kind: 'remove'; path: string };

export interface WriteOptions {
  fs?: WriterFs;
  onStep?: (step: WriteStep) => void | Promise<void>;
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // some file systems cannot fsync a directory; the rename is still atomic
  }
}

/** Removes a staging directory left by an earlier run (never following a link). */
async function sweepStaging(root: string, outDir: string): Promise<void> {
  const kind = await entryBelow(root, STAGING_DIR, outDir).catch((e: unknown) => {
    // a link in its place is not ours to follow, but it is ours to remove
    if (e instanceof UnsafePathError) return 'link' as const;
    throw e;
  });
  if (kind !== 'absent') await rm(join(root, STAGING_DIR), { recursive: true, force: true });
}

/** Writes the artifacts into outDir, all or nothing (see the file comment); returns what changed. */
export async function writeArtifacts(outDir: string, artifacts: readonly Artifact[], opts: WriteOptions = {}): Promise<DriftReport> {
  const files = finalFiles(artifacts);
  const fs = opts.fs ?? realFs;
  const step = opts.onStep ?? (() => undefined);
  const created: string[] = [];
  const root = (await outputRoot(outDir, created))!;
  const staging = join(root, STAGING_DIR);
  let committed = false;
  try {
    await sweepStaging(root, outDir);
    const report = await driftAt(root, outDir, files);
    const toWrite = [...report.added, ...report.changed].filter((p) => p !== MANIFEST_FILE);
    if (toWrite.length === 0 && report.removed.length === 0 && !report.changed.includes(MANIFEST_FILE) && !report.added.includes(MANIFEST_FILE)) {
      return report;
    }
    // Every directory the new files need exists before the commit, so nothing after it fails on a path.
    for (const path of toWrite) await mkdirBelow(root, posix.dirname(path), created, outDir);
    await mkdir(staging, { mode: 0o700 });
    const staged: Array<{ tmp: string; path: string }> = [];
    for (const path of toWrite) {
      const tmp = join(staging, `${staged.length}-${randomBytes(4).toString('hex')}`);
      staged.push({ tmp, path });
      await fs.writeFile(tmp, files.get(path)!);
    }
    // While stale files are being removed the manifest still names them, so a killed run's successor removes them;
    // the final manifest is staged now too, so that nothing after the commit needs disk space.
    const manifestTmp = join(staging, 'manifest');
    const finalManifestTmp = join(staging, 'manifest-final');
    await fs.writeFile(manifestTmp, report.removed.length > 0 ? manifestText(files, report.removed) : files.get(MANIFEST_FILE)!);
    if (report.removed.length > 0) await fs.writeFile(finalManifestTmp, files.get(MANIFEST_FILE)!);
    await step({ kind: 'staged' });

    await fs.rename(manifestTmp, join(root, MANIFEST_FILE));
    committed = true;
    await syncDir(root);
    await step({ kind: 'commit' });

    for (const s of staged) {
      await fs.rename(s.tmp, join(root, s.path));
      await step({ kind: 'rename', path: s.path });
    }
    for (const old of report.removed) {
      if ((await entryBelow(root, old, outDir)) === 'file') await rm(join(root, old));
      await removeEmptyDirs(parentsBelow(root, old));
      await step({ kind: 'remove', path: old });
    }
    if (report.removed.length > 0) await fs.rename(finalManifestTmp, join(root, MANIFEST_FILE));
    await rm(staging, { recursive: true, force: true });
    return report;
  } catch (e) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (!committed) await removeEmptyDirs(created);
    throw outputError(e, outDir, committed);
  }
}

/** The directories between root (excluded) and the file `rel`, deepest first. */
function parentsBelow(root: string, rel: string): string[] {
  const out: string[] = [];
  for (let d = posix.dirname(rel); d !== '.' && d !== ''; d = posix.dirname(d)) out.push(join(root, d));
  return out;
}

/** What readVerifiedOutput finds: the files of a whole, verified tree, or why it is not one. */
export type VerifiedOutput = { ok: true; files: Map<string, Buffer>; manifest: OutputManifest } | { ok: false; missing: boolean; reason: string };

/**
 * Checks a compiled directory against its own manifest, for readers that
 * must not pack a half-written tree: every listed file is a regular file
 * (no link on the way) whose sha256 matches, and no removal is pending.
 * Files not listed are not Switchyard's and are ignored.
 */
export async function readVerifiedOutput(outDir: string): Promise<VerifiedOutput> {
  const root = await outputRoot(outDir);
  const missing = { ok: false as const, missing: true, reason: `${outDir}/ has no ${MANIFEST_FILE}, so it was not written by switchyard compile` };
  if (root === undefined) return missing;
  const text = await readBelow(root, MANIFEST_FILE, outDir);
  if (text === undefined) return missing;
  const stale = (reason: string) => ({ ok: false as const, missing: false, reason: `${outDir}/ ${reason}` });
  let manifest: OutputManifest;
  try {
    manifest = parseOutputManifest(text.toString('utf8'));
  } catch (e) {
    return stale(`has a damaged ${MANIFEST_FILE} (${(e as Error).message})`);
  }
  if ([...manifest.files.values()].some((h) => h === null)) return stale('was written by an older switchyard (its manifest has no file hashes)');
  if (manifest.removing.length > 0) return stale(`is half-written: an interrupted compile was still removing ${manifest.removing.join(', ')}`);
  const files = new Map<string, Buffer>();
  for (const [path, hash] of manifest.files) {
    const bytes = await readBelow(root, path, outDir);
    if (bytes === undefined) return stale(`is incomplete: ${path} is listed in ${MANIFEST_FILE} but missing`);
    if (sha256(bytes) !== hash) return stale(`does not match its manifest: ${path} was changed after switchyard wrote it, or a compile was interrupted`);
    files.set(path, bytes);
  }
  files.set(MANIFEST_FILE, text);
  return { ok: true, files, manifest };
}

/** One file, atomically (temp + rename), LF and final newline; directories it had to create are removed again if the write fails. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  if (file.trim() === '') throw new OutputDirError('the file name is empty');
  const created: string[] = [];
  const dir = resolve(dirname(file));
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdirs(dir, created);
    await writeFile(tmp, normalizeContent(content), { encoding: 'utf8', flush: true, flag: 'wx' });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    await removeEmptyDirs(created);
    if (e instanceof SwitchyardError || errno(e) === undefined) throw e;
    throw new OutputDirError(`cannot write ${file}: ${REASONS[errno(e)!] ?? errno(e)} (${errno(e)}); nothing was changed`, { cause: e });
  }
}

/**
 * Source files (a policies/ folder the importer writes), all or nothing, LF
 * and final newline, no manifest (they are the user's to edit). Each path is
 * checked below `dir` without following links; every file is staged beside
 * its target before any is renamed into place, and a failure removes what
 * was staged and the directories this call created.
 */
export async function writeFilesAllOrNothing(dir: string, files: ReadonlyArray<{ path: string; content: string }>): Promise<void> {
  for (const f of files) checkArtifactPath(f.path);
  const created: string[] = [];
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged: Array<{ tmp: string; target: string }> = [];
  try {
    await mkdirs(resolve(dir), created);
    for (const f of files) {
      if ((await entryBelow(dir, f.path)) === 'dir') throw new UnsafePathError(`${shownPath(dir, f.path)} is a directory`, f.path);
      await mkdirBelow(dir, posix.dirname(f.path) === '.' ? '' : posix.dirname(f.path), created);
      const target = join(dir, f.path);
      await realFs.writeFile(target + tag, normalizeContent(f.content));
      staged.push({ tmp: target + tag, target });
    }
    for (const s of staged) await rename(s.tmp, s.target);
  } catch (e) {
    await Promise.all(staged.map((s) => rm(s.tmp, { force: true })));
    await removeEmptyDirs(created);
    throw e;
  }
}
