/**
 * Durable writes for the batch runner: a file is written beside its target,
 * flushed to disk, renamed over it and the directory flushed, so after a
 * crash (even SIGKILL or power loss) a reader finds the old file or the new
 * one, never a mix. The batch runner cannot use the compiler's writer
 * (src/load/write.ts): DESIGN.md keeps the serving side off the loader.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const TEMP = /\.tmp-([0-9]+)-[0-9a-f]{8}$/;

/** Removes the temporary files (tempName) a killed process left in `dir`; those of a live process are kept. */
export async function removeStaleTemps(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const n of names) {
    const m = TEMP.exec(n);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    await rm(join(dir, n), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Whether anything is at `path` (a marker or a download left by an earlier run). */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** fsync of a directory, so a rename inside it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of `buf` at the file's current position (a write may take fewer bytes than asked). */
export async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done);
    done += bytesWritten;
  }
}

export const tempName = (target: string) => `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

export async function writeFileDurable(file: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = tempName(file);
  let fh: FileHandle | null = null;
  try {
    fh = await open(tmp, 'wx', mode);
    await fh.writeFile(content);
    await fh.sync();
    await fh.close();
    fh = null;
    await rename(tmp, file);
    await syncDir(dirname(file));
  } catch (e) {
    await fh?.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * A file written in order through a buffer: appends are collected and
 * written in large pieces, awaiting each write, so a fast producer waits for
 * the disk instead of piling up memory.
 */
export class BufferedFile {
  private pending: string[] = [];
  private pendingChars = 0;
  bytes = 0;

  private constructor(
    private readonly fh: FileHandle,
    private readonly flushAt: number,
  ) {}

  static async create(path: string, mode = 0o644, flushAt = 1 << 20): Promise<BufferedFile> {
    return new BufferedFile(await open(path, 'wx', mode), flushAt);
  }

  /** Appends text; resolves at once unless the buffer is full and had to be written. */
  async append(text: string, byteLength: number): Promise<void> {
    this.pending.push(text);
    this.pendingChars += text.length;
    this.bytes += byteLength;
    if (this.pendingChars >= this.flushAt) await this.flush();
  }

  /** Appends several pieces as one record, without concatenating them first (one copy happens at flush). */
  async appendPieces(pieces: readonly string[], byteLength: number): Promise<void> {
    for (const p of pieces) {
      this.pending.push(p);
      this.pendingChars += p.length;
    }
    this.bytes += byteLength;
    if (this.pendingChars >= this.flushAt) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    await writeAll(this.fh, Buffer.from(text));
  }

  /** Writes what is left, flushes to disk and closes. */
  async close(): Promise<void> {
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
  }

  async abandon(): Promise<void> {
    this.pending = [];
    await this.fh.close().catch(() => {});
  }
}
