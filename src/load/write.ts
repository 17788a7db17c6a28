/**
 * The only module that writes compiled artifacts to disk.
 *
 * - Byte-stable: LF line endings and a final newline, whatever the emitter did.
 * - All-or-nothing: every file is first staged beside its target, and only
 *   when all are staged are they renamed into place (each rename is atomic;
 *   a crash between renames leaves whole files, never half-written ones).
 * - Owns only what it wrote: the output directory carries a manifest of the
 *   files Switchyard produced, so stale outputs are removed without ever
 *   deleting a file someone else put there.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { EXIT, SwitchyardError } from '../errors.ts';
import type { Artifact } from '../plan/types.ts';

export const MANIFEST_FILE = '.switchyard-manifest.json';

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

function normalizeContent(content: string): string {
  const lf = content.replace(/\r\n?/g, '\n');
  return lf.endsWith('\n') ? lf : `${lf}\n`;
}

function checkArtifactPath(p: string): void {
  const norm = posix.normalize(p);
  if (p === '' || p.startsWith('/') || norm !== p || norm.split('/').includes('..') || p.includes('\\'))
    throw new Error(`artifact path must be relative, normalized and inside the output directory: ${JSON.stringify(p)}`);
}

function manifestContent(paths: string[]): string {
  return `${JSON.stringify({ generatedBy: 'switchyard', files: paths }, null, 2)}\n`;
}

/** Final file set: the artifacts (normalized, sorted) plus the manifest that lists them. */
export function finalFiles(artifacts: readonly Artifact[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const a of [...artifacts].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))) {
    checkArtifactPath(a.path);
    if (a.path === MANIFEST_FILE) throw new Error(`${MANIFEST_FILE} is reserved`);
    if (files.has(a.path)) throw new Error(`two artifacts for ${a.path}`);
    files.set(a.path, normalizeContent(a.content));
  }
  files.set(MANIFEST_FILE, manifestContent([...files.keys()]));
  return files;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Files listed by the manifest of an earlier compile; throws OutputDirError for a foreign, non-empty directory. */
async function previousFiles(outDir: string): Promise<string[]> {
  const text = await readIfExists(join(outDir, MANIFEST_FILE));
  if (text === undefined) {
    let entries: string[] = [];
    try {
      entries = (await readdir(outDir)).filter((e) => e !== '.gitkeep' && e !== '.gitattributes');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (entries.length > 0)
      throw new OutputDirError(
        `refusing to write into ${outDir}: it is not empty and has no ${MANIFEST_FILE}, so it was not made by switchyard; choose an empty or new directory`,
      );
    return [];
  }
  try {
    const parsed = JSON.parse(text) as { files?: unknown };
    if (!Array.isArray(parsed.files)) throw new Error('no files list');
    const files = parsed.files.filter((f): f is string => typeof f === 'string');
    for (const f of files) checkArtifactPath(f);
    return files;
  } catch (e) {
    throw new OutputDirError(`${join(outDir, MANIFEST_FILE)} is damaged (${(e as Error).message}); delete the directory and compile again`);
  }
}

/** Compares what would be written with what is on disk. Writes nothing. */
export async function diffArtifacts(outDir: string, artifacts: readonly Artifact[]): Promise<DriftReport> {
  const files = finalFiles(artifacts);
  const report: DriftReport = { added: [], changed: [], removed: [], unchanged: [] };
  for (const [path, content] of files) {
    const current = await readIfExists(join(outDir, path));
    if (current === undefined) report.added.push(path);
    else if (current !== content) report.changed.push(path);
    else report.unchanged.push(path);
  }
  for (const old of await previousFiles(outDir)) {
    if (!files.has(old) && (await readIfExists(join(outDir, old))) !== undefined) report.removed.push(old);
  }
  report.removed.sort();
  return report;
}

/** Writes the artifacts into outDir, all or nothing; returns what changed. */
export async function writeArtifacts(outDir: string, artifacts: readonly Artifact[]): Promise<DriftReport> {
  const files = finalFiles(artifacts);
  const report = await diffArtifacts(outDir, artifacts);
  const toWrite = [...report.added, ...report.changed];
  if (toWrite.length === 0 && report.removed.length === 0) return report;

  // The manifest goes last so that an interrupted run still lists every file it may have written.
  const order = [...toWrite].sort((a, b) => Number(a === MANIFEST_FILE) - Number(b === MANIFEST_FILE));
  await stageAndRename(
    outDir,
    order.map((path) => [path, files.get(path)!]),
  );
  for (const old of report.removed) {
    await rm(join(outDir, old), { force: true });
    await removeEmptyParents(outDir, dirname(join(outDir, old)));
  }
  return report;
}

/**
 * Every file is first written beside its target, and only when all are
 * staged are they renamed into place, in the given order; a failed write
 * removes what was staged and leaves the targets as they were.
 */
async function stageAndRename(dir: string, entries: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const staged: Array<{ tmp: string; target: string }> = [];
  try {
    for (const [path, content] of entries) {
      const target = join(dir, path);
      await mkdir(dirname(target), { recursive: true });
      const tmp = target + tag;
      await writeFile(tmp, content, { encoding: 'utf8', flush: true });
      staged.push({ tmp, target });
    }
  } catch (e) {
    await Promise.all(staged.map((s) => rm(s.tmp, { force: true })));
    throw e;
  }
  for (const s of staged) await rename(s.tmp, s.target);
}

/** Source files (a policies/ folder), all or nothing, LF and final newline; no manifest: they are the user's to edit. */
export async function writeFilesAllOrNothing(dir: string, files: ReadonlyArray<{ path: string; content: string }>): Promise<void> {
  for (const f of files) checkArtifactPath(f.path);
  await stageAndRename(
    dir,
    files.map((f) => [f.path, normalizeContent(f.content)] as const),
  );
}

async function removeEmptyParents(root: string, dir: string): Promise<void> {
  while (dir.startsWith(root) && dir !== root) {
    try {
      if ((await readdir(dir)).length > 0) return;
      await rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

/** One file, atomically (temp + rename), LF and final newline. */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, normalizeContent(content), { encoding: 'utf8', flush: true });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
