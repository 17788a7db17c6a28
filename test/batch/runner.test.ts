/**
 * submit, status, watch, collect, cancel and retry-failed in-process against
 * the emulator through the SDK: one batch per part however often submit
 * runs, answers merged back in input order, re-identification and answer
 * redaction per profile, spend rows at the batch price once per batch,
 * failed requests resubmitted as a new round.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { cancel } from '../../src/batch/cancel.ts';
import { collect } from '../../src/batch/collect.ts';
import { prepare } from '../../src/batch/prepare/prepare.ts';
import { retryFailed } from '../../src/batch/retry.ts';
import { dirStatus } from '../../src/batch/status.ts';
import { submit, uploadName } from '../../src/batch/submit.ts';
import { watch } from '../../src/batch/watch.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { jsonl, planWith, readJsonl, referencePlan } from './fixtures.ts';
import { memoryRequestLog } from '../../src/request-log/memory.ts';
import { type Harness, harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

const chat = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content }], ...extra });

async function prepared(plan: CompiledPlan, profile: string, rows: unknown[], name = 'in') {
  const r = await prepare({ plan, profile, input: h.t.write(`${name}.jsonl`, jsonl(rows)), out: h.t.path(name) });
  return r.out;
}

describe('batch runner against the emulator', () => {
  it('submits each part once; a rerun finds everything in the journal', async () => {
    const plan = await planWith('content-analysis', (p) => void (p.maxRequestsPerFile = 2));
    h = await harness(plan);
    const dir = await prepared(plan, 'content-analysis', [chat('a'), chat('b'), chat('c'), chat('d'), chat('e')]);
    const first = await submit(h.ctx, dir);
    expect(first.map((s) => [s.part, s.action, s.requests])).toEqual([
      ['part-0001.jsonl', 'created', 2],
      ['part-0002.jsonl', 'created', 2],
      ['part-0003.jsonl', 'created', 1],
    ]);
    const again = await submit(h.ctx, dir);
    expect(again.map((s) => s.action)).toEqual(['journal', 'journal', 'journal']);
    expect(again.map((s) => s.batchId)).toEqual(first.map((s) => s.batchId));
    expect(h.emu.batches.list()).toHaveLength(3);
    expect(h.emu.files.list('batch', 'asc')).toHaveLength(3);
    const b = h.emu.batches.get(first[0]!.batchId);
    expect(b.metadata).toEqual({ switchyard_key: first[0]!.key, switchyard_profile: 'content-analysis', team: 'content' });
  });

  it('never creates a second batch when the journal lost the upload or the batch (crash between the call and the write)', async () => {
    const plan = await referencePlan();
    h = await harness(plan);
    const dir = await prepared(plan, 'research', [chat('a'), chat('b')]);
    const [s] = await submit(h.ctx, dir);
    // As if killed right after the provider answered: the journal holds only the intent.
    const rec = (await h.journal.get(s!.key))!;
    await h.journal.put({ ...rec, fileId: null, batchId: null, batch: null });
    const [again] = await submit(h.ctx, dir);
    expect(again).toMatchObject({ action: 'found', batchId: s!.batchId });
    expect(h.emu.batches.list()).toHaveLength(1);
    expect(h.emu.files.list('batch', 'asc').map((f) => f.filename)).toEqual([uploadName(s!.key)]);
    expect(h.logs).toContain(`part-0001.jsonl: found the upload of an earlier run as ${rec.fileId} (${rec.bytes} bytes, 2 requests)`);
  });

  it('looks for the batch when the answer to its creation is lost, instead of creating another', async () => {
    const plan = await referencePlan();
    let drop = 1;
    h = await harness(plan, { emulator: { dropAnswer: (method, path) => method === 'POST' && path === '/v1/batches' && drop-- > 0 } });
    const dir = await prepared(plan, 'research', [chat('a')]);
    const [s] = await submit(h.ctx, dir);
    expect(s!.action).toBe('found');
    expect(h.emu.batches.list()).toHaveLength(1);
    expect(h.logs.some((l) => l.includes('no answer to the create'))).toBe(true);
  });

  it('watches until every batch is final, then collects answers in input order with spend at the batch price, once', async () => {
    const plan = await referencePlan();
    h = await harness(plan);
    const rows = Array.from({ length: 12 }, (_, i) => chat(`question ${i}`, { max_tokens: i === 4 ? 1_000_000 : 50 }));
    rows.splice(7, 0, 'not json' as never);
    const dir = await prepared(plan, 'research', rows);
    await submit(h.ctx, dir);
    const before = await dirStatus(h.ctx, dir);
    expect(before.final).toBe(false);
    expect(before.rows).toEqual([
      { part: 'part-0001.jsonl', round: 0, requests: 12, batchId: expect.any(String), status: 'validating', completed: 0, failed: 0 },
    ]);
    await expect(collect(h.ctx, dir)).rejects.toThrow(
      /not every batch of .* is finished: part-0001\.jsonl \(batch_\w+ validating\); run switchyard batch watch/,
    );

    const w = await watch(h.ctx, { dir, intervalMs: 1_000, sleep: async () => h.clock.advance(1_000) });
    expect(w.final.map((j) => j.batch!.status)).toEqual(['completed']);
    expect(w.polls).toBeGreaterThan(2);
    expect(h.logs.some((l) => /part-0001\.jsonl: batch_\w+ in_progress/.test(l))).toBe(true);

    const log = memoryRequestLog();
    const s = await collect(h.ctx, dir, { requestLog: log });
    const results = readJsonl(s.results);
    expect(results.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13]);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed', 'failed', ...Array(7).fill('completed')]);
    expect(results[4]).toMatchObject({ custom_id: 'line-5', status_code: 400, error: { code: 'context_length_exceeded' } });
    expect((results[0]!.response as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('Emulated reply to: question 0');
    expect(s).toMatchObject({ requests: 12, completed: 11, failed: 1, spendBatches: 1, spendRows: 12 });
    const p = plan.batchProfiles.research!;
    const tokens = log.requests().reduce((a, r) => ({ in: a.in + r.promptTokens, out: a.out + r.completionTokens }), { in: 0, out: 0 });
    expect(tokens).toEqual({ in: s.tokens.promptTokens, out: s.tokens.completionTokens });
    expect(log.requests().reduce((a, r) => a + r.spend, 0)).toBeCloseTo((tokens.in * 1.25 + tokens.out * 5) / 1e6, 12);
    expect(s.synchronousUsd).toBeCloseTo(2 * s.batchUsd, 12);
    const row = log.requests().find((r) => r.requestId.endsWith(':line-1'))!;
    expect(row).toMatchObject({
      tenant: 'research-lab',
      requestedGroup: 'batch:research',
      modelGroup: 'batch:research',
      deployment: p.pricing.deployment,
      provider: 'openai',
      status: 'success',
      statusCode: 200,
      attempts: 1,
    });
    expect(row.endTime).toBeGreaterThan(row.startTime);
    expect(log.requests().find((r) => r.requestId.endsWith(':line-5'))).toMatchObject({ status: 'failure', statusCode: 400, spend: 0 });
    expect(log.attempts().find((a) => a.requestId.endsWith(':line-5'))).toMatchObject({ outcome: 'context_length_exceeded', attempt: 1 });

    // Collect again: the same bytes, and no second copy of the spend.
    const bytes = readFileSync(s.results, 'utf8');
    const again = await collect(h.ctx, dir, { requestLog: log });
    expect(readFileSync(again.results, 'utf8')).toBe(bytes);
    expect(again.spendRows).toBe(0);
    expect(log.requests()).toHaveLength(12);
  });

  it('re-identifies answers only where the profile allows it, and redacts what answers carry otherwise', async () => {
    const plan = await referencePlan();
    h = await harness(plan);
    const rows = [chat('Mail jane@example.com about card 4111 1111 1111 1111'), chat('nothing personal')];
    const kept = await prepared(plan, 'document-extraction', rows, 'kept');
    const stays = await prepared(plan, 'invoice-processing', rows, 'stays');
    await submit(h.ctx, kept);
    await submit(h.ctx, stays);
    h.finishAll();
    const content = (file: string) => readJsonl(file).map((r) => (r.response as { choices: { message: { content: string } }[] }).choices[0]!.message.content);
    const a = await collect(h.ctx, kept);
    expect(content(a.results)).toEqual(['Emulated reply to: Mail jane@example.com about card 4111 1111 1111 1111', 'Emulated reply to: nothing personal']);
    expect(a.reidentified).toBe(1);
    const b = await collect(h.ctx, stays);
    expect(content(b.results)).toEqual(['Emulated reply to: Mail [EMAIL_1] about card [CARD_1]', 'Emulated reply to: nothing personal']);
    expect(readFileSync(b.results, 'utf8')).not.toContain('jane@example.com');
    // The provider only ever saw placeholders.
    for (const f of h.emu.files.list(null, 'asc')) expect(f.content.toString()).not.toContain('jane@example.com');
  });

  it('answers that carry personal data of their own are redacted for profiles without re-identification', async () => {
    const plan = await referencePlan();
    h = await harness(plan);
    const dir = await prepared(plan, 'research', [chat('x')]);
    await submit(h.ctx, dir);
    h.finishAll();
    await dirStatus(h.ctx, dir);
    // The emulator answered; make its stored answer hold an email, as a model might invent one.
    const job = (await h.journal.list())[0]!;
    const out = h.emu.files.get(h.emu.batches.view(h.emu.batches.get(job.batchId!), h.clock.now()).output_file_id!);
    out.content = Buffer.from(out.content.toString().replace('Emulated reply to: x', 'write to someone@example.org'));
    const s = await collect(h.ctx, dir);
    expect(readFileSync(s.results, 'utf8')).toContain('write to [EMAIL_A1]');
    expect(s.redactedInAnswers).toBe(1);
  });

  it('retry-failed resubmits exactly the failed requests; collect merges the new answers over the failures', async () => {
    const plan = await referencePlan();
    h = await harness(plan, { pace: { failureRate: 0.4 } });
    const rows = Array.from({ length: 30 }, (_, i) => chat(`q${i}`));
    const dir = await prepared(plan, 'research', rows);
    await submit(h.ctx, dir);
    expect(await retryFailed(h.ctx, dir).catch((e: Error) => e.message)).toMatch(/not every batch .* is finished/);
    h.finishAll();
    const first = await collect(h.ctx, dir);
    expect(first.failed).toBeGreaterThan(3);
    const failedIds = readJsonl(first.results)
      .filter((r) => r.status === 'failed')
      .map((r) => r.custom_id);
    const retry = (await retryFailed(h.ctx, dir))!;
    expect(retry.round).toBe(1);
    expect(retry.requests).toBe(failedIds.length);
    expect(readJsonl(h.t.path('in/retry-1/part-0001.jsonl')).map((l) => l.custom_id)).toEqual(failedIds);
    // Rerun before the round finishes: nothing new is created.
    await expect(retryFailed(h.ctx, dir)).rejects.toThrow(/not every batch/);
    expect(h.emu.batches.list()).toHaveLength(2);
    h.finishAll();
    const second = await collect(h.ctx, dir);
    const results = readJsonl(second.results);
    expect(results.map((r) => r.custom_id)).toEqual(rows.map((_, i) => `line-${i + 1}`));
    expect(second.failed).toBeLessThan(first.failed);
    for (const r of results.filter((x) => failedIds.includes(x.custom_id as string) && x.status === 'completed'))
      expect(r.batch_id).toBe(retry.submitted[0]!.batchId);
    const status = await dirStatus(h.ctx, dir);
    expect(status.rows.map((r) => [r.part, r.round])).toEqual([
      ['part-0001.jsonl', 0],
      ['retry-1/part-0001.jsonl', 1],
    ]);
  });

  it('cancel stops unfinished batches; collect keeps what finished and marks the rest as not run', async () => {
    const plan = await referencePlan();
    h = await harness(plan, { pace: { perRequestMs: 1_000 } });
    const dir = await prepared(
      plan,
      'research',
      Array.from({ length: 6 }, (_, i) => chat(`q${i}`)),
    );
    await submit(h.ctx, dir);
    h.clock.advance(3_500);
    const c = await cancel(h.ctx, dir);
    expect(c.map((x) => x.status)).toEqual(['cancelling']);
    h.finishAll();
    const s = await collect(h.ctx, dir);
    const results = readJsonl(s.results);
    expect(results.map((r) => r.status)).toEqual(['completed', 'completed', 'failed', 'failed', 'failed', 'failed']);
    expect(results[5]).toMatchObject({
      status_code: null,
      response: null,
      error: { code: 'not_run', message: 'the batch ended cancelled before this request ran' },
    });
    expect(await cancel(h.ctx, dir)).toEqual([]);
  });

  it('refuses a prepared directory whose profile changed, and a journal held by another process', async () => {
    const plan = await referencePlan();
    h = await harness(plan);
    const dir = await prepared(plan, 'research', [chat('x')]);
    const changed = await planWith('research', (p) => void (p.model = 'gpt-4.1'));
    const ctx = { ...h.ctx, plan: changed };
    await expect(submit(ctx, dir)).rejects.toThrow(`was prepared for model "gpt-4o" but profile research now uses "gpt-4.1"; prepare it again`);
    writeFileSync(h.t.path('state/lock'), String(process.ppid));
    await expect(h.journal.locked(async () => 1)).rejects.toThrow(`another switchyard batch command (pid ${process.ppid})`);
    writeFileSync(h.t.path('state/lock'), '999999999');
    expect(await h.journal.locked(async () => 1)).toBe(1);
    expect(readdirSync(h.t.path('state'))).toEqual(['jobs']);
  });
});
