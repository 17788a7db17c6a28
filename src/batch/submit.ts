/**
 * `switchyard batch submit`: every part file of a prepared directory becomes
 * one batch, exactly once, however often the command is killed and rerun.
 *
 * For each part the journal first records the intent (with the time), then
 * the uploaded file, then the batch. Before uploading, the runner looks for
 * a file it already uploaded under the job's name; before creating, for a
 * batch carrying the job's key in its metadata, created since the intent.
 * So a crash between any two steps — even between the provider creating
 * the batch and the journal recording it — never yields a second batch.
 */
import { join } from 'node:path';
import { BATCH_METADATA_KEYS, type PlanBatchProfile } from '../plan/types.ts';
import type { BatchApi } from './client.ts';
import { BatchApiError } from './errors.ts';
import { fileSha256, type JobRecord, jobKey } from './journal.ts';
import { openPrepared, type PreparedDir, type RunnerContext } from './runner.ts';

export interface SubmitOutcome {
  part: string;
  key: string;
  batchId: string;
  status: string;
  requests: number;
  /** created: a new batch; found: created by an earlier, interrupted run; journal: already recorded. */
  action: 'created' | 'found' | 'journal';
}

const CREATE_ATTEMPTS = 3;

export const uploadName = (key: string) => `switchyard-${key}.jsonl`;

async function createOnce(ctx: RunnerContext, api: BatchApi, profile: PlanBatchProfile, rec: JobRecord): Promise<SubmitOutcome['action']> {
  const notBefore = Math.floor(rec.intentAt / 1000);
  for (let attempt = 1; ; attempt++) {
    const found = await api.findBatch(BATCH_METADATA_KEYS.key, rec.key, notBefore);
    if (found) {
      rec.batchId = found.id;
      rec.batch = found;
      return 'found';
    }
    try {
      const b = await api.createBatch({
        inputFileId: rec.fileId!,
        endpoint: profile.endpoint,
        metadata: { ...profile.metadata, [BATCH_METADATA_KEYS.key]: rec.key, [BATCH_METADATA_KEYS.profile]: profile.id },
      });
      rec.batchId = b.id;
      rec.batch = b;
      return 'created';
    } catch (e) {
      // The create may have happened: the next turn of the loop looks for it before trying again.
      if (!(e instanceof BatchApiError) || !e.unknownOutcome || attempt >= CREATE_ATTEMPTS) throw e;
      ctx.log(`${rec.part}: no answer to the create (${e.message}); looking for the batch before trying again`);
    }
  }
}

/** Submits one input file (a part, or a retry file) of a prepared directory. */
export async function submitFile(ctx: RunnerContext, prepared: PreparedDir, part: string, round: number, requests: number): Promise<SubmitOutcome> {
  const { dir, profile } = prepared;
  const path = join(dir, part);
  const { sha256, bytes } = await fileSha256(path);
  const key = jobKey(profile.id, round, sha256);
  let rec = await ctx.journal.get(key);
  if (rec?.batchId) return { part, key, batchId: rec.batchId, status: rec.batch?.status ?? 'unknown', requests: rec.requests, action: 'journal' };
  if (!rec) {
    rec = {
      version: 1,
      key,
      profile: profile.id,
      dir,
      manifest: prepared.manifestSha,
      part,
      sha256,
      requests,
      bytes,
      round,
      intentAt: ctx.now(),
      fileId: null,
      batchId: null,
      batch: null,
      counted: false,
      spendRecorded: false,
    };
    await ctx.journal.put(rec);
  }
  const api = await ctx.api(profile);
  if (!rec.fileId) {
    const name = uploadName(key);
    const existing = await api.findFile(name, bytes);
    rec.fileId = existing ?? (await api.uploadFile(path, name)).id;
    await ctx.journal.put(rec);
    ctx.log(
      `${part}: ${existing ? 'found the upload of an earlier run' : 'uploaded'} as ${rec.fileId} (${bytes} bytes, ${requests} request${requests === 1 ? '' : 's'})`,
    );
  }
  const action = await createOnce(ctx, api, profile, rec);
  await ctx.journal.put(rec);
  ctx.log(`${part}: ${action === 'found' ? 'found the batch an interrupted run created:' : 'created batch'} ${rec.batchId} (${rec.batch!.status})`);
  return { part, key, batchId: rec.batchId!, status: rec.batch!.status, requests, action };
}

export async function submit(ctx: RunnerContext, dirArg: string): Promise<SubmitOutcome[]> {
  const prepared = await openPrepared(ctx, dirArg);
  const out: SubmitOutcome[] = [];
  for (const p of prepared.manifest.parts) out.push(await submitFile(ctx, prepared, p.file, 0, p.requests));
  return out;
}
