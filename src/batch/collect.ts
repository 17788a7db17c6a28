/**
 * `switchyard batch collect`: the answers of every batch of a prepared
 * directory, merged back by custom_id into input order in
 * `<dir>/results.jsonl`, one line per prepared request, whether it
 * succeeded, failed or never ran. Answers of a retry round replace the
 * failures they retried.
 *
 * Values in answers are handled by the profile: with re-identification the
 * placeholders of each request are replaced by the values they stood for
 * (from the local map prepare kept); otherwise, for a redacting profile,
 * anything in an answer that the detectors find is redacted too, so the
 * export holds no personal data either way.
 *
 * Collect can be run again at will: downloads are kept, results.jsonl is
 * rewritten atomically with the same bytes, and spend rows reach the
 * request log once per batch (the journal records it).
 */
import { createReadStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RequestLog } from '../request-log/types.ts';
import { BufferedFile, removeStaleTemps, syncDir, tempName } from './atomic.ts';
import { BatchError } from './errors.ts';
import { isTerminal, type JobRecord } from './journal.ts';
import { REIDENTIFY_DIR, RESULTS_FILE } from './prepare/manifest.ts';
import { createRedactor, RequestPlaceholders } from './redact/redactor.ts';
import { DOWNLOADS_DIR, jobOutcomes, notRun, type Outcome, partLines } from './results.ts';
import { jobsOf, openPrepared, type RunnerContext } from './runner.ts';
import { batchCost, recordSpend, spendRows, syncCost, type Usage, usageOf } from './spend.ts';
import { refresh } from './status.ts';

export interface CollectOptions {
  /** Where spend rows go; without one, collect writes results only. */
  requestLog?: RequestLog;
}

export interface CollectSummary {
  results: string;
  requests: number;
  completed: number;
  failed: number;
  tokens: Usage;
  batchUsd: number;
  synchronousUsd: number | null;
  /** Batches whose spend rows were written by this run. */
  spendBatches: number;
  spendRows: number;
  /** Answers whose placeholders were replaced by their values. */
  reidentified: number;
  /** Values redacted in answers. */
  redactedInAnswers: number;
}

/** placeholder -> value maps of a part's requests, by custom_id. */
async function readMaps(path: string): Promise<Map<string, Record<string, string>>> {
  const maps = new Map<string, Record<string, string>>();
  try {
    const rl = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of rl) {
      if (!line) continue;
      const e = JSON.parse(line) as { custom_id: string; values: Record<string, string> };
      maps.set(e.custom_id, e.values);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return maps;
    throw new BatchError(`${path} cannot be read (${(e as Error).message}); prepare the batch again`);
  }
  return maps;
}

/** Replaces placeholders in every string of a JSON value; `hits` counts the replacements. */
function restore(v: unknown, values: Record<string, string>, hits: { n: number }): unknown {
  if (typeof v === 'string') {
    if (!v.includes('[')) return v;
    let s = v;
    for (const [ph, value] of Object.entries(values))
      if (s.includes(ph)) {
        s = s.split(ph).join(value);
        hits.n++;
      }
    return s;
  }
  if (Array.isArray(v)) return v.map((x) => restore(x, values, hits));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restore(x, values, hits)]));
  return v;
}

function unfinished(jobs: readonly JobRecord[], parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const part of parts) if (!jobs.some((j) => j.round === 0 && j.part === part && j.batchId)) out.push(`${part} (not submitted)`);
  for (const j of jobs)
    if (j.batchId && !isTerminal(j)) {
      const c = j.batch?.request_counts;
      out.push(`${j.part} (${j.batchId} ${j.batch?.status ?? '?'}${c && c.total > 0 ? ` ${c.completed + c.failed}/${c.total}` : ''})`);
    }
  return out;
}

export async function collect(ctx: RunnerContext, dirArg: string, opts: CollectOptions = {}): Promise<CollectSummary> {
  const prepared = await openPrepared(ctx, dirArg);
  const { dir, manifest, profile } = prepared;
  await removeStaleTemps(dir);
  await removeStaleTemps(join(dir, DOWNLOADS_DIR));
  const jobs = await jobsOf(ctx, prepared);
  for (const j of jobs) await refresh(ctx, j);
  const waiting = unfinished(
    jobs,
    manifest.parts.map((p) => p.file),
  );
  if (waiting.length > 0)
    throw new BatchError(`not every batch of ${dirArg} is finished: ${waiting.join(', ')}; run switchyard batch watch --dir ${dirArg}`, { exitCode: 1 });
  const api = await ctx.api(profile);

  // Later rounds replace what earlier rounds answered for the same request.
  const retried = new Map<string, Outcome>();
  for (const j of jobs.filter((x) => x.round > 0)) {
    const outcomes = await jobOutcomes(api, dir, j);
    for await (const { customId } of partLines(join(dir, j.part))) retried.set(customId, outcomes.get(customId) ?? notRun(j));
  }

  const summary: CollectSummary = {
    results: join(dir, RESULTS_FILE),
    requests: 0,
    completed: 0,
    failed: 0,
    tokens: { promptTokens: 0, completionTokens: 0 },
    batchUsd: 0,
    synchronousUsd: profile.pricing.synchronous ? 0 : null,
    spendBatches: 0,
    spendRows: 0,
    reidentified: 0,
    redactedInAnswers: 0,
  };
  const reidentify = profile.redaction.reidentify && manifest.reidentify;
  const redactor = createRedactor(profile.redaction);
  const counts = new Map<string, number>();
  const fileOf = (customId: string) => (manifest.files ? (manifest.files[Number(customId.slice(5)) - 1] ?? null) : null);

  const tmp = tempName(summary.results);
  const out = await BufferedFile.create(tmp, 0o600);
  try {
    for (const part of manifest.parts) {
      const job = jobs.find((j) => j.round === 0 && j.part === part.file)!;
      const outcomes = await jobOutcomes(api, dir, job);
      const maps = reidentify ? await readMaps(join(dir, REIDENTIFY_DIR, part.file)) : null;
      for await (const { customId } of partLines(join(dir, part.file))) {
        const o = retried.get(customId) ?? outcomes.get(customId) ?? notRun(job);
        let body = o.body;
        const values = maps?.get(customId);
        if (values && body !== null) {
          const hits = { n: 0 };
          body = restore(body, values, hits);
          if (hits.n > 0) summary.reidentified++;
        } else if (!reidentify && redactor.active && body !== null) body = redactor.redactValue(structuredClone(body), new RequestPlaceholders('A'), counts);
        summary.requests++;
        if (o.ok) {
          summary.completed++;
          const u = usageOf(o.body);
          summary.tokens.promptTokens += u.promptTokens;
          summary.tokens.completionTokens += u.completionTokens;
          summary.batchUsd += batchCost(profile, u);
          if (summary.synchronousUsd !== null) summary.synchronousUsd += syncCost(profile, u) ?? 0;
        } else summary.failed++;
        const source = manifest.files ? { file: fileOf(customId) } : { line: Number(customId.slice(5)) };
        const line = JSON.stringify({
          custom_id: customId,
          ...source,
          status: o.ok ? 'completed' : 'failed',
          status_code: o.statusCode,
          batch_id: o.batchId,
          response: body,
          error: o.error,
        });
        await out.append(`${line}\n`, Buffer.byteLength(line) + 1);
      }
    }
    await out.close();
    await rename(tmp, summary.results);
    await syncDir(dir);
  } catch (e) {
    await out.abandon();
    await rm(tmp, { force: true });
    throw e;
  }
  summary.redactedInAnswers = [...counts.values()].reduce((a, b) => a + b, 0);

  if (opts.requestLog) {
    for (const j of jobs) {
      if (j.spendRecorded) continue;
      const rows = spendRows(profile, j, await jobOutcomes(api, dir, j));
      await recordSpend(opts.requestLog, rows);
      await ctx.journal.mark(j, 'spendRecorded');
      summary.spendBatches++;
      summary.spendRows += rows.length;
    }
  }
  return summary;
}
