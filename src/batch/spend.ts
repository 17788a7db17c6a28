/**
 * Batch spend in the request log: one request row and one attempt row per
 * request a batch ran, in the tables the generated analytics SQL reads
 * (`switchyard.requests`, `switchyard.attempts`), priced at the profile's
 * batch rate. The model group is `batch:<profile>` and the tenant the
 * profile's (or the profile itself), so cost reports show batch work beside
 * the router's. Failed requests cost nothing (the provider does not bill
 * them). Request ids are `<batch id>:<custom_id>`, stable across reruns.
 */
import type { PlanBatchProfile } from '../plan/types.ts';
import type { AttemptRow, RequestLog, RequestRow } from '../request-log/types.ts';
import { BatchError } from './errors.ts';
import type { JobRecord } from './journal.ts';
import { spendGroup, spendTenant } from './profile.ts';
import { tokenCostUsd } from '../plan/pricing.ts';
import type { Outcome } from './results.ts';

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

/** Tokens an answer body reports, whatever the endpoint's naming (chat, completions, embeddings, responses). */
export function usageOf(body: unknown): Usage {
  const u = (body as { usage?: Record<string, unknown> } | null)?.usage;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  if (!u) return { promptTokens: 0, completionTokens: 0 };
  return { promptTokens: n(u.prompt_tokens ?? u.input_tokens), completionTokens: n(u.completion_tokens ?? u.output_tokens) };
}

export function batchCost(p: PlanBatchProfile, u: Usage): number {
  return tokenCostUsd(p.pricing.batch, u.promptTokens, u.completionTokens);
}

export function syncCost(p: PlanBatchProfile, u: Usage): number | null {
  const s = p.pricing.synchronous;
  return s ? tokenCostUsd(s, u.promptTokens, u.completionTokens) : null;
}

export function spendRows(p: PlanBatchProfile, rec: JobRecord, outcomes: ReadonlyMap<string, Outcome>): [RequestRow, AttemptRow][] {
  const b = rec.batch!;
  const start = (b.in_progress_at ?? b.created_at) * 1000;
  const end = (b.completed_at ?? b.expired_at ?? b.cancelled_at ?? b.failed_at ?? b.created_at) * 1000;
  const group = spendGroup(p);
  const rows: [RequestRow, AttemptRow][] = [];
  for (const [customId, o] of outcomes) {
    const requestId = `${rec.batchId}:${customId}`;
    const usage = o.ok ? usageOf(o.body) : { promptTokens: 0, completionTokens: 0 };
    rows.push([
      {
        requestId,
        tenant: spendTenant(p),
        requestedGroup: group,
        modelGroup: group,
        deployment: p.pricing.deployment,
        provider: p.provider,
        startTime: start,
        endTime: end,
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        spend: o.ok ? batchCost(p, usage) : 0,
        status: o.ok ? 'success' : 'failure',
        statusCode: o.statusCode,
        attempts: 1,
      },
      {
        requestId,
        attempt: 1,
        modelGroup: group,
        deployment: p.pricing.deployment ?? group,
        provider: p.provider,
        outcome: o.ok ? 'success' : (o.error?.code ?? 'error'),
        statusCode: o.statusCode,
        latencyMs: end - start,
        startTime: start,
      },
    ]);
  }
  return rows;
}

const CHUNK = 500;

/**
 * Writes the rows through the log in chunks, waiting for each to be written,
 * so a batch of 50,000 never overflows the log's queue; a row the log had to
 * drop is an error (the journal then does not mark the spend as recorded).
 */
export async function recordSpend(log: RequestLog, rows: readonly [RequestRow, AttemptRow][], timeoutMs = 30_000): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const before = log.stats().dropped;
    for (const [r, a] of rows.slice(i, i + CHUNK)) log.record(r, [a]);
    await log.flush(timeoutMs);
    const s = log.stats();
    if (s.dropped > before) throw new BatchError(`the request log dropped ${s.dropped - before} spend rows; is its database reachable?`, { exitCode: 1 });
    if (s.queued > 0) throw new BatchError(`the request log did not write ${s.queued} spend rows within ${timeoutMs} ms`, { exitCode: 1 });
  }
}
