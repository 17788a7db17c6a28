/**
 * `switchyard batch prepare`: input records -> redacted Batch API lines,
 * split into files within the profile's limits, with a cost estimate.
 *
 * Everything is written into a staging directory beside the output and
 * renamed into place at the end, so a failed or interrupted run (or a
 * `--strict` stop at the first bad line) leaves no half-written output.
 * Memory stays flat: the input is read in 1 MB regions, a bounded number of
 * them are in flight, and nothing is kept per request except counters.
 * Large JSONL inputs are processed by worker threads (process.ts, pool.ts)
 * while this thread reads and writes; results are taken in input order, so
 * the output is the same bytes whatever the number of workers.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { CompiledPlan } from '../../plan/types.ts';
import { BufferedFile, removeStaleTemps, syncDir, tempName, writeFileDurable } from '../atomic.ts';
import { BatchError } from '../errors.ts';
import { profileOf } from '../profile.ts';
import { EstimateAccumulator } from './estimate.ts';
import { directoryRecords, jsonlRegions, type Source, sourceText } from './input.ts';
import { MANIFEST_FILE, newManifest, type PreparedManifest, REIDENTIFY_DIR, REJECTS_FILE } from './manifest.ts';
import { RegionPool } from './pool.ts';
import { createProcessor, type RegionResult, type RejectEntry, tooLongResult } from './process.ts';
import { MAX_EMBEDDING_INPUTS, PartWriter } from './split.ts';

/** No single request is larger than this, whatever the file limit: no model reads 16 MB of context. */
const MAX_REQUEST_BYTES = 16_000_000;
/** Inputs smaller than this are processed in-process: starting workers would cost more than it saves. */
const WORKER_THRESHOLD_BYTES = 32_000_000;
const IN_FLIGHT_PER_WORKER = 2;
/** Each worker is an isolate of its own (about 55 MB with its heap limits): three keep prepare under 256 MB. */
const MAX_DEFAULT_WORKERS = 3;

export interface PrepareOptions {
  plan: CompiledPlan;
  profile: string;
  input: string;
  out: string;
  /** Stop at the first bad record instead of skipping it into rejects.jsonl. */
  strict?: boolean;
  /** Replace an earlier prepared directory at `out`. */
  force?: boolean;
  /** Worker threads for a JSONL input; default: one per core (at most 3) for inputs of 32 MB or more, else none. */
  workers?: number;
}

export type Reject = RejectEntry;

export interface PrepareResult {
  out: string;
  manifest: PreparedManifest;
  /** The first rejects, for printing (all of them are in rejects.jsonl). */
  rejects: Reject[];
  /** Worker threads used (0: in-process). */
  workers: number;
}

const SHOWN_REJECTS = 20;

/** Refuses an output that is not empty and not an earlier prepare (or one without --force). */
async function checkOut(out: string, force: boolean): Promise<'absent' | 'empty' | 'replace'> {
  let entries: string[];
  try {
    entries = await readdir(out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw new BatchError(`--out ${out} is not a directory that can be written`);
  }
  if (entries.length === 0) return 'empty';
  if (!entries.includes(MANIFEST_FILE)) throw new BatchError(`--out ${out} is not empty and holds no prepared batch; choose a new or empty directory`);
  if (!force) throw new BatchError(`--out ${out} already holds a prepared batch; pass --force to replace it`);
  return 'replace';
}

/** Where a record came from, for a one-line error: `requests.jsonl:4` or `docs/a.txt`. */
function location(input: string, s: Source): string {
  return 'line' in s ? `${input}:${s.line}` : join(input, s.file);
}

/** Everything written while results arrive in input order. */
class Sink {
  readonly parts: PartWriter;
  readonly estimate = new EstimateAccumulator();
  readonly counts = new Map<string, number>();
  readonly shown: Reject[] = [];
  rejected = 0;
  requests = 0;
  private rejectsFile: BufferedFile | null = null;
  private readonly maps = new Map<string, BufferedFile>();

  constructor(
    private readonly staging: string,
    private readonly opts: PrepareOptions,
    limits: ConstructorParameters<typeof PartWriter>[1],
  ) {
    this.parts = new PartWriter(staging, limits);
  }

  async take(r: RegionResult): Promise<void> {
    for (const rej of r.rejects) {
      if (this.opts.strict)
        throw new BatchError(
          `${location(this.opts.input, rej.source)}: ${'line' in rej.source ? 'line' : 'file'} ${rej.reason} (--strict: nothing was written)`,
        );
      this.rejected++;
      if (this.shown.length < SHOWN_REJECTS) this.shown.push(rej);
      this.rejectsFile ??= await BufferedFile.create(join(this.staging, REJECTS_FILE));
      const entry = 'line' in rej.source ? { line: rej.source.line, reason: rej.reason } : { file: rej.source.file, reason: rej.reason };
      const text = `${JSON.stringify(entry)}\n`;
      await this.rejectsFile.append(text, Buffer.byteLength(text));
    }
    if (r.ids.length === 0) return;
    const partOf = await this.parts.writeLines(r.out, r.ids, r.bytes, r.inputs);
    this.requests += r.ids.length;
    for (const [kind, n] of r.counts) this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
    this.estimate.addTotals(r.chars, r.outputTokens, r.uncapped);
    for (const [index, json] of r.maps) {
      const part = this.parts.parts[partOf[index]!]!.file;
      let map = this.maps.get(part);
      if (!map) {
        await mkdir(join(this.staging, REIDENTIFY_DIR), { recursive: true, mode: 0o700 });
        map = await BufferedFile.create(join(this.staging, REIDENTIFY_DIR, part), 0o600);
        this.maps.set(part, map);
      }
      await map.append(`${json}\n`, Buffer.byteLength(json) + 1);
    }
  }

  get keptMaps(): boolean {
    return this.maps.size > 0;
  }

  async close(): Promise<void> {
    await this.parts.close();
    await this.rejectsFile?.close();
    for (const m of this.maps.values()) await m.close();
  }

  async abandon(): Promise<void> {
    await this.parts.abandon();
    await this.rejectsFile?.abandon();
    for (const m of this.maps.values()) await m.abandon();
  }
}

export async function prepare(opts: PrepareOptions): Promise<PrepareResult> {
  const profile = profileOf(opts.plan, opts.profile);
  let kind: 'jsonl' | 'directory';
  let inputBytes = 0;
  try {
    const st = await stat(opts.input);
    kind = st.isDirectory() ? 'directory' : 'jsonl';
    inputBytes = st.size;
  } catch {
    throw new BatchError(`cannot read --input ${opts.input}`);
  }
  const out = resolve(opts.out);
  const outState = await checkOut(out, Boolean(opts.force));
  await mkdir(dirname(out), { recursive: true });
  // What an earlier, killed prepare left beside the output.
  await removeStaleTemps(dirname(out));
  const staging = tempName(out);
  await mkdir(staging);

  const maxRequest = Math.min(MAX_REQUEST_BYTES, profile.maxFileBytes - 1);
  const sink = new Sink(staging, opts, { maxRequests: profile.maxRequestsPerFile, maxBytes: profile.maxFileBytes, maxEmbeddingInputs: MAX_EMBEDDING_INPUTS });
  const processor = createProcessor(profile, maxRequest);
  const workers =
    kind === 'directory'
      ? 0
      : (opts.workers ?? (inputBytes >= WORKER_THRESHOLD_BYTES ? Math.min(MAX_DEFAULT_WORKERS, Math.max(1, availableParallelism())) : 0));
  const pool = workers > 0 ? new RegionPool(profile, maxRequest, workers) : null;
  const files: string[] = [];

  try {
    if (kind === 'jsonl') {
      // Results are awaited in submission order; the queue bounds what is in flight.
      const inFlight: Promise<RegionResult>[] = [];
      const limit = pool ? pool.size * IN_FLIGHT_PER_WORKER : 1;
      for await (const region of jsonlRegions(opts.input, maxRequest)) {
        inFlight.push(
          'tooLong' in region
            ? Promise.resolve(tooLongResult(region.line, region.tooLong, maxRequest))
            : pool
              ? pool.submit(region.buf, region.firstLine)
              : Promise.resolve(processor.region(region.buf, region.firstLine)),
        );
        while (inFlight.length >= limit) await sink.take(await inFlight.shift()!);
      }
      while (inFlight.length > 0) await sink.take(await inFlight.shift()!);
    } else {
      for await (const record of directoryRecords(opts.input, maxRequest)) {
        if ('file' in record.source) files.push(record.source.file);
        await sink.take('error' in record ? processor.record(record.source, null, record.error) : processor.record(record.source, record.text, null));
      }
    }
    await sink.close();
    if (sink.requests === 0) {
      const first = sink.shown[0];
      throw new BatchError(
        sink.rejected > 0
          ? `no request could be prepared from ${opts.input}: all ${sink.rejected} records were rejected (first: ${first ? `${sourceText(first.source)} ${first.reason}` : '?'})`
          : `${opts.input} holds no request`,
      );
    }
    const manifest = newManifest({
      profile: profile.id,
      provider: profile.provider,
      endpoint: profile.endpoint,
      model: profile.model,
      plan: { name: opts.plan.name, hash: opts.plan.hash },
      input: { kind, name: basename(opts.input) },
      requests: sink.requests,
      rejected: sink.rejected,
      parts: sink.parts.parts,
      files: kind === 'directory' ? files : null,
      redactions: Object.fromEntries([...sink.counts].sort(([a], [b]) => (a < b ? -1 : 1))),
      reidentify: sink.keptMaps,
      estimate: sink.estimate.result(profile),
    });
    await writeFileDurable(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await syncDir(staging);
    await publish(staging, out, outState);
    return { out, manifest, rejects: sink.shown, workers };
  } catch (e) {
    await sink.abandon();
    await rm(staging, { recursive: true, force: true });
    throw e;
  } finally {
    await pool?.close();
  }
}

/** Moves the staged directory into place; an earlier prepare is moved aside first and removed after. */
async function publish(staging: string, out: string, state: 'absent' | 'empty' | 'replace'): Promise<void> {
  let old: string | null = null;
  if (state === 'replace') {
    old = tempName(`${out}.old`);
    await rename(out, old);
  } else if (state === 'empty') await rm(out, { recursive: true });
  await rename(staging, out);
  await syncDir(dirname(out));
  if (old) await rm(old, { recursive: true, force: true });
}
