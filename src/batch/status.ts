/**
 * `switchyard batch status`: each batch of a prepared directory as the
 * provider sees it now (the journal is updated with what it says), and the
 * parts not submitted yet.
 */
import { isTerminal, type JobRecord } from './journal.ts';
import { jobsOf, openPrepared, type PreparedDir, type RunnerContext } from './runner.ts';
import { profileOf } from './profile.ts';

/** Reads the batch of a job that is not final yet and records what changed. */
export async function refresh(ctx: RunnerContext, rec: JobRecord): Promise<JobRecord> {
  if (!rec.batchId || isTerminal(rec)) return rec;
  const api = await ctx.api(profileOf(ctx.plan, rec.profile));
  const b = await api.retrieveBatch(rec.batchId);
  if (JSON.stringify(b) !== JSON.stringify(rec.batch)) {
    rec.batch = b;
    await ctx.journal.put(rec);
  }
  return rec;
}

export interface StatusRow {
  part: string;
  round: number;
  requests: number;
  batchId: string | null;
  status: string;
  completed: number;
  failed: number;
}

export interface DirStatus {
  prepared: PreparedDir;
  rows: StatusRow[];
  /** Every part is submitted and every batch (retries too) reached a final status. */
  final: boolean;
}

function statusRow(rec: JobRecord | null, part: string, requests: number, round: number): StatusRow {
  const counts = rec?.batch?.request_counts;
  return {
    part,
    round,
    requests,
    batchId: rec?.batchId ?? null,
    status: rec?.batch?.status ?? (rec ? 'submitting' : 'not submitted'),
    completed: counts?.completed ?? 0,
    failed: counts?.failed ?? 0,
  };
}

export async function dirStatus(ctx: RunnerContext, dirArg: string): Promise<DirStatus> {
  const prepared = await openPrepared(ctx, dirArg);
  const jobs = await jobsOf(ctx, prepared);
  for (const j of jobs) await refresh(ctx, j);
  const rows: StatusRow[] = [];
  for (const p of prepared.manifest.parts) {
    const rec = jobs.find((j) => j.round === 0 && j.part === p.file) ?? null;
    rows.push(statusRow(rec, p.file, p.requests, 0));
  }
  for (const j of jobs.filter((x) => x.round > 0)) rows.push(statusRow(j, j.part, j.requests, j.round));
  const final = rows.every((r) => r.batchId !== null) && jobs.every(isTerminal);
  return { prepared, rows, final };
}
