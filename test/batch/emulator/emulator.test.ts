/**
 * The emulator through the official SDK, against the recorded shapes in
 * /work/shared/fixtures/wire/openai_batch: statuses and their timestamps,
 * request_counts, output and error file lines, list pages and error
 * envelopes. Time is driven by a manual clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/batch/emulator/clock.ts';
import { type Emulator, startEmulator } from '../../../src/batch/emulator/server.ts';
import { SHARED_FIXTURES } from '../../fixtures/shared.ts';

const readShared = (rel: string) => readFileSync(join(SHARED_FIXTURES, rel), 'utf8');

const states = JSON.parse(readShared('wire/openai_batch/batch_states.json')) as { examples: Record<string, Record<string, unknown>> };
const fixtureFile = JSON.parse(readShared('wire/openai_batch/file_object.json')) as Record<string, unknown>;
const fixtureOutput = JSON.parse(readShared('wire/openai_batch/batch_output.jsonl').split('\n')[0]!) as Record<string, unknown>;
const fixtureErrors = readShared('wire/openai_batch/batch_error.jsonl')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Record<string, unknown>);
const keysOf = (o: Record<string, unknown>) =>
  Object.keys(o)
    .filter((k) => !k.startsWith('_'))
    .sort();

let emu: Emulator;
let clock: ReturnType<typeof manualClock>;
let client: OpenAI;
const PACE = { validatingMs: 1_000, perRequestMs: 1_000, finalizingMs: 1_000, cancellingMs: 2_000 };

beforeEach(async () => {
  clock = manualClock();
  emu = await startEmulator({ apiKey: 'sk-emulator-test', clock, pace: PACE });
  client = new OpenAI({ apiKey: 'sk-emulator-test', baseURL: emu.url, maxRetries: 0 });
});
afterEach(() => emu.close());

const line = (customId: string, content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    custom_id: customId,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra },
  });

async function upload(lines: string[], name = 'in.jsonl') {
  return client.files.create({ file: await toFile(Buffer.from(`${lines.join('\n')}\n`), name), purpose: 'batch' });
}

async function batchOf(lines: string[], metadata: Record<string, string> = { job: 'test' }) {
  const f = await upload(lines);
  return client.batches.create({ input_file_id: f.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata });
}

async function fileLines(id: string | null | undefined) {
  expect(id).toBeTruthy();
  const text = await (await client.files.content(id!)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; custom_id: string; response: { status_code: number; body: Record<string, unknown> } | null; error: unknown });
}

describe('batch emulator (official SDK)', () => {
  it('stores batch input files like the Files API', async () => {
    const f = await upload([line('a', 'hi')], 'requests.jsonl');
    expect(keysOf(f as never)).toEqual(keysOf(fixtureFile));
    expect(f).toMatchObject({ object: 'file', purpose: 'batch', filename: 'requests.jsonl', status: 'processed', status_details: null });
    expect(f.bytes).toBe(Buffer.byteLength(`${line('a', 'hi')}\n`));
    expect(f.expires_at).toBe(f.created_at + 30 * 86_400);
    expect((await client.files.retrieve(f.id)).id).toBe(f.id);
    expect(await (await client.files.content(f.id)).text()).toBe(`${line('a', 'hi')}\n`);
    const listed = [];
    for await (const x of client.files.list({ purpose: 'batch' })) listed.push(x.id);
    expect(listed).toEqual([f.id]);
    expect(await client.files.delete(f.id)).toEqual({ id: f.id, object: 'file', deleted: true });
    await expect(client.files.retrieve(f.id)).rejects.toMatchObject({ status: 404, error: { type: 'invalid_request_error', param: 'id', code: null } });
    await expect(upload([line('a', 'x')], 'requests.csv')).rejects.toMatchObject({ status: 400, code: 'invalid_file_format' });
  });

  it('runs a batch through validating, in_progress, finalizing and completed, with counts and both files', async () => {
    const lines = [
      line('r1', 'two plus two?'),
      line('r2', 'capital of Norway?'),
      line('r3', 'too long', { max_tokens: 1_000_000 }),
      line('r4', 'name a prime'),
    ];
    const created = await batchOf(lines);
    expect(keysOf(created as never)).toEqual(keysOf(states.examples.validating!));
    expect(created).toMatchObject({ status: 'validating', request_counts: { total: 0, completed: 0, failed: 0 }, expires_at: null, metadata: { job: 'test' } });
    clock.advance(1_000);
    const started = await client.batches.retrieve(created.id);
    expect(started).toMatchObject({ status: 'in_progress', request_counts: { total: 4, completed: 0, failed: 0 }, in_progress_at: started.created_at + 1 });
    expect(started.expires_at).toBe(started.created_at + 86_400);
    clock.advance(3_000);
    expect((await client.batches.retrieve(created.id)).request_counts).toEqual({ total: 4, completed: 2, failed: 1 });
    clock.advance(1_000);
    expect((await client.batches.retrieve(created.id)).status).toBe('finalizing');
    clock.advance(1_000);
    const done = await client.batches.retrieve(created.id);
    expect(keysOf(done as never)).toEqual(keysOf(states.examples.completed!));
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 4, completed: 3, failed: 1 }, model: 'gpt-4o-mini', errors: null });
    expect(done.completed_at).toBe(done.created_at + 6);
    expect(done.usage!.total_tokens).toBe(done.usage!.input_tokens + done.usage!.output_tokens);

    const out = await fileLines(done.output_file_id);
    expect(out.map((l) => l.custom_id).sort()).toEqual(['r1', 'r2', 'r4']);
    for (const l of out) expect(keysOf(l as never)).toEqual(keysOf(fixtureOutput));
    const r2 = out.find((l) => l.custom_id === 'r2')!;
    expect(r2.response!.status_code).toBe(200);
    expect(r2.response!.body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ message: { role: 'assistant', content: 'Emulated reply to: capital of Norway?' } }],
    });
    const err = await fileLines(done.error_file_id);
    expect(err).toHaveLength(1);
    expect(keysOf(err[0] as never)).toEqual(keysOf(fixtureErrors[0]!));
    expect(err[0]).toMatchObject({
      custom_id: 'r3',
      error: null,
      response: { status_code: 400, body: { error: { type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' } } },
    });
    const outFile = await client.files.retrieve(done.output_file_id!);
    expect(outFile).toMatchObject({ purpose: 'batch_output', filename: `${done.id}_output.jsonl` });
  });

  it('writes output lines in an order of its own: readers must join on custom_id', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => line(`id-${i}`, `question ${i}`));
    const b = await batchOf(lines);
    clock.advance(40_000);
    const out = await fileLines((await client.batches.retrieve(b.id)).output_file_id);
    const ids = out.map((l) => l.custom_id);
    expect([...ids].sort()).toEqual(lines.map((_, i) => `id-${i}`).sort());
    expect(ids).not.toEqual(lines.map((_, i) => `id-${i}`));
  });

  it('expires a batch that does not finish in 24 hours: partial output, batch_expired errors', async () => {
    await emu.close();
    clock = manualClock();
    emu = await startEmulator({ apiKey: null, clock, pace: { ...PACE, perRequestMs: 10 * 3_600_000 } });
    client = new OpenAI({ apiKey: 'any', baseURL: emu.url, maxRetries: 0 });
    const b = await batchOf([line('a', '1'), line('b', '2'), line('c', '3'), line('d', '4')]);
    clock.advance(25 * 3_600_000);
    const x = await client.batches.retrieve(b.id);
    expect(keysOf(x as never)).toEqual(keysOf(states.examples.expired!));
    expect(x).toMatchObject({ status: 'expired', request_counts: { total: 4, completed: 2, failed: 2 } });
    expect(x.expired_at).toBe(x.created_at + 86_400);
    expect((await fileLines(x.output_file_id)).map((l) => l.custom_id).sort()).toEqual(['a', 'b']);
    const errors = await fileLines(x.error_file_id);
    expect(errors.map((l) => l.custom_id).sort()).toEqual(['c', 'd']);
    for (const e of errors) expect(e).toMatchObject({ response: null, error: { code: 'batch_expired', message: expect.any(String) } });
    expect(keysOf(errors[0] as never)).toEqual(keysOf(fixtureErrors[1]!));
  });

  it('cancels: cancelling, then cancelled with the requests that finished; a finished batch cannot be cancelled', async () => {
    const b = await batchOf([line('a', '1'), line('b', '2'), line('c', '3'), line('d', '4')]);
    clock.advance(2_500);
    const c = await client.batches.cancel(b.id);
    expect(c).toMatchObject({ status: 'cancelling', request_counts: { total: 4, completed: 1, failed: 0 } });
    clock.advance(1_000);
    expect((await client.batches.retrieve(b.id)).status).toBe('cancelling');
    clock.advance(1_000);
    const x = await client.batches.retrieve(b.id);
    expect(keysOf(x as never)).toEqual(keysOf(states.examples.cancelled!));
    expect(x).toMatchObject({ status: 'cancelled', error_file_id: null, request_counts: { total: 4, completed: 1, failed: 0 } });
    expect(x.cancelled_at! - x.cancelling_at!).toBe(2);
    expect((await fileLines(x.output_file_id)).map((l) => l.custom_id)).toEqual(['a']);
    await expect(client.batches.cancel(b.id)).rejects.toMatchObject({
      status: 400,
      error: { message: "Cannot cancel a batch with status 'cancelled'.", type: 'invalid_request_error' },
    });
    // Cancelled while validating: nothing ran, no file.
    const v = await batchOf([line('a', '1')]);
    await client.batches.cancel(v.id);
    clock.advance(5_000);
    expect(await client.batches.retrieve(v.id)).toMatchObject({
      status: 'cancelled',
      output_file_id: null,
      request_counts: { total: 0, completed: 0, failed: 0 },
    });
  });

  it('fails validation with line-numbered errors for bad lines', async () => {
    const b = await batchOf([
      line('a', '1'),
      'not json',
      line('a', 'duplicate'),
      JSON.stringify({ custom_id: 'u', method: 'POST', url: '/v1/embeddings', body: { model: 'gpt-4o-mini', input: 'x' } }),
      JSON.stringify({ custom_id: 'm', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o', messages: [] } }),
      JSON.stringify({ custom_id: 'g', method: 'GET', url: '/v1/chat/completions', body: {} }),
    ]);
    clock.advance(1_000);
    const x = await client.batches.retrieve(b.id);
    expect(keysOf(x as never)).toEqual(keysOf(states.examples.failed!));
    expect(x).toMatchObject({ status: 'failed', output_file_id: null, request_counts: { total: 0, completed: 0, failed: 0 } });
    expect(x.errors!.data!.map((e) => [e.code, e.line])).toEqual([
      ['invalid_json_line', 2],
      ['duplicate_custom_id', 3],
      ['url_mismatch', 4],
      ['model_mismatch', 5],
      ['invalid_method', 6],
    ]);
  });

  it('answers errors in the OpenAI envelope', async () => {
    const f = await upload([line('a', '1')]);
    const create = (body: Record<string, unknown>) =>
      client.batches.create({ input_file_id: f.id, endpoint: '/v1/chat/completions', completion_window: '24h', ...body } as never);
    await expect(create({ completion_window: '48h' })).rejects.toMatchObject({ status: 400, param: 'completion_window', type: 'invalid_request_error' });
    await expect(create({ endpoint: '/v1/images' })).rejects.toMatchObject({ status: 400, param: 'endpoint' });
    await expect(create({ metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) })).rejects.toMatchObject({
      status: 400,
      param: 'metadata',
    });
    await expect(create({ metadata: { k: 'x'.repeat(513) } })).rejects.toMatchObject({ status: 400, param: 'metadata' });
    await expect(create({ input_file_id: 'file-nope' })).rejects.toMatchObject({ status: 400, param: 'input_file_id' });
    await expect(client.batches.retrieve('batch_nope')).rejects.toMatchObject({
      status: 404,
      error: { message: "No batch found with id 'batch_nope'.", param: 'batch_id', code: null },
    });
    const wrongKey = new OpenAI({ apiKey: 'sk-wrong-key-000000', baseURL: emu.url, maxRetries: 0 });
    const denied = await wrongKey.batches.list().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(denied).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect((denied as Error).message).not.toContain('sk-wrong-key-000000');
    const res = await fetch(`${emu.url}/nowhere`, { headers: { authorization: 'Bearer sk-emulator-test' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { message: 'Invalid URL (GET /v1/nowhere)', type: 'invalid_request_error', param: null, code: null } });
  });

  it('lists batches newest first, in pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await batchOf([line('a', String(i))])).id);
    const first = await client.batches.list({ limit: 2 });
    expect(first.data.map((b) => b.id)).toEqual([ids[4], ids[3]]);
    expect(first.has_more).toBe(true);
    const all: string[] = [];
    for await (const b of client.batches.list({ limit: 2 })) all.push(b.id);
    expect(all).toEqual([...ids].reverse());
    await expect(client.batches.list({ limit: 101 })).rejects.toMatchObject({ status: 400, param: 'limit' });
  });
});
