/**
 * `switchyard batch cancel`: asks the provider to cancel every batch of a
 * prepared directory that has not finished. A cancelled batch keeps the
 * answers it already has; collect and retry-failed work on it as on any
 * finished batch.
 */
import { isTerminal } from './journal.ts';
import { profileOf } from './profile.ts';
import { jobsOf, openPrepared, type RunnerContext } from './runner.ts';
import { refresh } from './status.ts';

export interface CancelOutcome {
  part: string;
  batchId: string;
  status: string;
}

export async function cancel(ctx: RunnerContext, dirArg: string): Promise<CancelOutcome[]> {
  const prepared = await openPrepared(ctx, dirArg);
  const out: CancelOutcome[] = [];
  for (const j of await jobsOf(ctx, prepared)) {
    await refresh(ctx, j);
    if (!j.batchId || isTerminal(j) || j.batch?.status === 'cancelling' || j.batch?.status === 'finalizing') continue;
    const api = await ctx.api(profileOf(ctx.plan, j.profile));
    j.batch = await api.cancelBatch(j.batchId);
    await ctx.journal.put(j);
    ctx.log(`${j.part}: ${j.batchId} ${j.batch.status}`);
    out.push({ part: j.part, batchId: j.batchId, status: j.batch.status });
  }
  return out;
}
