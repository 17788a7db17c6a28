/**
 * The batch runner's journal: one JSON file per job (a part file submitted
 * as one batch) under `<state>/jobs/<key>.json`, each written atomically
 * (temp file, fsync, rename, fsync of the directory), so after a crash every
 * record is either its previous or its next version. A job's key is the
 * sha256 of its profile, its retry round and the sha256 of the part file:
 * the same file is the same job, whichever directory or run it comes from.
 *
 * Commands that submit, collect, cancel or retry hold the state directory's
 * lock (`lock`) while they run; a lock left by a process that no longer runs
 * (killed, crashed) is taken over. status and watch only refresh batch
 * snapshots and set marks, which never conflict with those commands.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { exists, processAlive, removeStaleTemps, writeFileDurable } from './atomic.ts';
import { BatchError } from './errors.ts';

const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'expired', 'cancelled']);

/** What the runner keeps of a Batch object (the rest is refetched when needed). */
export interface BatchSnapshot {
  id: string;
  status: string;
  request_counts: { total: number; completed: number; failed: number } | null;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelled_at: number | null;
  errors: { code: string | null; message: string | null; line: number | null }[];
}

export interface JobRecord {
  version: 1;
  key: string;
  profile: string;
  /** The prepared directory (absolute), and the sha256 of its manifest.json (a directory prepared again is a new set of jobs). */
  dir: string;
  manifest: string;
  /** The input file, relative to dir: `part-0001.jsonl` or `retry-1/part-0001.jsonl`. */
  part: string;
  sha256: string;
  requests: number;
  bytes: number;
  /** 0 for a prepared part; n for the n-th retry of failed requests. */
  round: number;
  /** When submit decided to create this batch (epoch ms): the journal's intent, and the lower bound of the lookup after a crash. */
  intentAt: number;
  fileId: string | null;
  batchId: string | null;
  batch: BatchSnapshot | null;
  /**
   * The final status was counted in the exporter's counters; spend rows of
   * this batch were written to the request log. Both are kept as marker
   * files beside the record (Journal.mark), not in it: they only ever turn
   * on, and a record rewritten by another command can never turn them off.
   */
  counted: boolean;
  spendRecorded: boolean;
}

export type JobMark = 'counted' | 'spendRecorded';

export const isTerminal = (r: JobRecord) => r.batch !== null && TERMINAL_STATUSES.has(r.batch.status);

export function jobKey(profile: string, round: number, partSha256: string): string {
  return createHash('sha256').update(`${profile}\n${round}\n${partSha256}`).digest('hex');
}

export async function fileSha256(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: h.digest('hex'), bytes };
}

const KEY = /^[0-9a-f]{64}$/;

export class Journal {
  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<Journal> {
    await mkdir(join(dir, 'jobs'), { recursive: true, mode: 0o700 });
    return new Journal(dir);
  }

  private path(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a job key: ${key}`);
    return join(this.dir, 'jobs', `${key}.json`);
  }

  private markPath(key: string, mark: JobMark): string {
    return `${this.path(key).slice(0, -'.json'.length)}.${mark}`;
  }

  async get(key: string): Promise<JobRecord | null> {
    let text: string;
    try {
      text = await readFile(this.path(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    let r: JobRecord;
    try {
      r = JSON.parse(text) as JobRecord;
    } catch {
      throw new BatchError(`journal record ${this.path(key)} is not valid JSON; it was edited by hand`);
    }
    r.counted = await exists(this.markPath(key, 'counted'));
    r.spendRecorded = await exists(this.markPath(key, 'spendRecorded'));
    return r;
  }

  /** Writes a record (its marks are not part of it: see mark()). */
  async put(r: JobRecord): Promise<void> {
    const { counted: _c, spendRecorded: _s, ...rest } = r;
    await writeFileDurable(this.path(r.key), `${JSON.stringify({ ...rest, counted: false, spendRecorded: false }, null, 2)}\n`, 0o600);
  }

  /** Turns a mark on for good (a durable empty file), and on the record in hand. */
  async mark(r: JobRecord, mark: JobMark): Promise<void> {
    await writeFileDurable(this.markPath(r.key, mark), '', 0o600);
    r[mark] = true;
  }

  /** Every job, oldest intent first. */
  async list(): Promise<JobRecord[]> {
    const names = (await readdir(join(this.dir, 'jobs'))).filter((n) => n.endsWith('.json') && KEY.test(n.slice(0, -5)));
    const out: JobRecord[] = [];
    for (const n of names) {
      const r = await this.get(n.slice(0, -5));
      if (r) out.push(r);
    }
    return out.sort((a, b) => a.intentAt - b.intentAt || (a.key < b.key ? -1 : 1));
  }

  /** Runs `fn` holding the state directory's lock. */
  async locked<T>(fn: () => Promise<T>): Promise<T> {
    const lock = join(this.dir, 'lock');
    for (let attempt = 0; ; attempt++) {
      try {
        const fh = await open(lock, 'wx', 0o600);
        await fh.writeFile(String(process.pid));
        await fh.close();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw e;
        const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid))
          throw new BatchError(`another switchyard batch command (pid ${pid}) is using ${this.dir}; wait for it or stop it`);
        // Left by a process that is gone: take it over.
        await rm(lock, { force: true });
      }
    }
    try {
      // Holding the lock, no other runner is writing: what a killed one left half-done can go.
      await removeStaleTemps(join(this.dir, 'jobs'));
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }
}
