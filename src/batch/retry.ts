/**
 * `switchyard batch retry-failed`: the requests of a prepared directory
 * whose latest answer is a failure (or that never ran) go out again as a new
 * batch. Their lines are taken from the part files, already redacted, into
 * `<dir>/retry-<n>/part-*.jsonl`, split within the profile's limits; the new
 * batches are submitted like parts (same journal, same crash safety), and
 * collect merges their answers over the failures.
 *
 * The retry files are written atomically (staged, then renamed); a rerun
 * after a crash finds the round's directory and resumes its submission.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { removeStaleTemps, syncDir, tempName } from './atomic.ts';
import { BatchError } from './errors.ts';
import { isTerminal } from './journal.ts';
import { MAX_EMBEDDING_INPUTS, PartWriter } from './prepare/split.ts';
import { jobOutcomes, notRun, type Outcome, partLines } from './results.ts';
import { jobsOf, openPrepared, type PreparedDir, type RunnerContext } from './runner.ts';
import { refresh } from './status.ts';
import { type SubmitOutcome, submitFile } from './submit.ts';

export interface RetryOutcome {
  round: number;
  requests: number;
  submitted: SubmitOutcome[];
}

const ROUND_DIR = /^retry-([0-9]+)$/;

export async function retryFailed(ctx: RunnerContext, dirArg: string): Promise<RetryOutcome | null> {
  const prepared = await openPrepared(ctx, dirArg);
  const { dir, manifest, profile } = prepared;
  await removeStaleTemps(dir);
  const jobs = await jobsOf(ctx, prepared);
  for (const j of jobs) await refresh(ctx, j);
  const rounds = (await readdir(dir))
    .map((n) => ROUND_DIR.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  const lastRound = Math.max(0, ...rounds);

  // A round written but not (fully) submitted when the last run stopped: finish it.
  if (lastRound > 0) {
    const roundDir = join(dir, `retry-${lastRound}`);
    const files = (await readdir(roundDir)).filter((f) => f.endsWith('.jsonl')).sort();
    const roundJobs = jobs.filter((j) => j.round === lastRound);
    if (roundJobs.length < files.length || roundJobs.some((j) => !j.batchId)) return submitRound(ctx, prepared, lastRound, roundDir, files);
  }
  const running = jobs.filter((j) => !isTerminal(j));
  if (running.length > 0 || manifest.parts.some((p) => !jobs.some((j) => j.round === 0 && j.part === p.file)))
    throw new BatchError(`not every batch of ${dirArg} is finished; retry-failed runs after they are (switchyard batch watch --dir ${dirArg})`, {
      exitCode: 1,
    });

  const api = await ctx.api(profile);
  const latest = new Map<string, Outcome>();
  for (const j of jobs) {
    const outcomes = await jobOutcomes(api, dir, j);
    for await (const { customId } of partLines(join(dir, j.part))) latest.set(customId, outcomes.get(customId) ?? notRun(j));
  }
  const failed = new Set([...latest].filter(([, o]) => !o.ok).map(([id]) => id));
  if (failed.size === 0) return null;

  const round = lastRound + 1;
  const roundDir = join(dir, `retry-${round}`);
  const staging = tempName(roundDir);
  await mkdir(staging);
  const writer = new PartWriter(staging, { maxRequests: profile.maxRequestsPerFile, maxBytes: profile.maxFileBytes, maxEmbeddingInputs: MAX_EMBEDDING_INPUTS });
  try {
    for (const part of manifest.parts)
      for await (const { customId, line } of partLines(join(dir, part.file))) {
        if (!failed.has(customId)) continue;
        const bytes = Buffer.from(`${line}\n`);
        // Embedding inputs were within the cap in the part; a retry file holds fewer lines of it.
        await writer.writeLines(bytes, [customId], [bytes.length], [0]);
      }
    await writer.close();
    await syncDir(staging);
    await rename(staging, roundDir);
    await syncDir(dir);
  } catch (e) {
    await writer.abandon();
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
  ctx.log(`retry-${round}: ${failed.size} failed request${failed.size === 1 ? '' : 's'} in ${writer.parts.length} file${writer.parts.length === 1 ? '' : 's'}`);
  return submitRound(
    ctx,
    prepared,
    round,
    roundDir,
    writer.parts.map((p) => p.file),
  );
}

async function submitRound(ctx: RunnerContext, prepared: PreparedDir, round: number, roundDir: string, files: string[]): Promise<RetryOutcome> {
  const submitted: SubmitOutcome[] = [];
  let requests = 0;
  for (const f of files) {
    let n = 0;
    for await (const line of partLines(join(roundDir, f))) if (line) n++;
    requests += n;
    submitted.push(await submitFile(ctx, prepared, `retry-${round}/${f}`, round, n));
  }
  return { round, requests, submitted };
}
