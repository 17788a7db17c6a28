import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_FILE, readManifest } from '../../../src/batch/prepare/manifest.ts';
import { prepare } from '../../../src/batch/prepare/prepare.ts';
import { stableStringify } from '../../../src/plan/canonical-json.ts';
import { REPO } from '../../fixtures/workspace.ts';
import { filesUnder, jsonl, planWith, readJsonl, referencePlan, type TempDir, tempDir } from '../fixtures.ts';

let t: TempDir;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

const chat = (content: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content }], ...extra });

describe('batch prepare', () => {
  it('builds one Batch API line per request with stable custom_ids, the profile model and endpoint', async () => {
    const input = t.write(
      'in.jsonl',
      jsonl([
        chat('first', { max_tokens: 50 }),
        [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'second' },
        ],
        '',
        { custom_id: 'theirs', method: 'POST', url: '/v1/chat/completions', body: chat('fourth', { model: 'gpt-4o-mini' }) },
      ]),
    );
    const plan = await referencePlan();
    const r = await prepare({ plan, profile: 'content-analysis', input, out: t.path('out') });
    expect(r.manifest.requests).toBe(3);
    expect(r.manifest.rejected).toBe(0);
    expect(r.manifest.parts).toEqual([
      { file: 'part-0001.jsonl', requests: 3, bytes: statSync(t.path('out/part-0001.jsonl')).size, firstId: 'line-1', lastId: 'line-4' },
    ]);
    expect(readJsonl(t.path('out/part-0001.jsonl'))).toEqual([
      {
        custom_id: 'line-1',
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'first' }], max_tokens: 50 },
      },
      {
        custom_id: 'line-2',
        method: 'POST',
        url: '/v1/chat/completions',
        body: {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: 'second' },
          ],
        },
      },
      { custom_id: 'line-4', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'fourth' }] } },
    ]);
    // The same input prepared again gives the same bytes.
    const again = await prepare({ plan, profile: 'content-analysis', input, out: t.path('again') });
    expect(filesUnder(t.path('again'))).toEqual(filesUnder(t.path('out')));
    expect(again.manifest).toEqual(r.manifest);
  });

  it('reports bad lines by number and reason, never by content, and skips them into rejects.jsonl', async () => {
    const secret = 'jane@example.com';
    const lines = [
      chat('ok'),
      `{"messages": [{"role": "user", "content": "${secret}"}`,
      chat('other model', { model: 'gpt-4o' }),
      { messages: [] },
      chat('streamed', { stream: true }),
      42,
      chat('ok too'),
    ];
    const input = t.write('in.jsonl', Buffer.concat([Buffer.from(jsonl(lines)), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a])]));
    const r = await prepare({ plan: await referencePlan(), profile: 'content-analysis', input, out: t.path('out') });
    expect(r.manifest.requests).toBe(2);
    expect(r.manifest.rejected).toBe(6);
    const rejects = readJsonl(t.path('out/rejects.jsonl'));
    expect(rejects).toEqual([
      { line: 2, reason: expect.stringMatching(/^is not valid JSON \(at character \d+\)$/) },
      { line: 3, reason: 'asks for another model than the profile\'s "gpt-4o-mini" (a batch runs one model)' },
      { line: 4, reason: 'needs "messages": a non-empty list of messages, each with a role' },
      { line: 5, reason: 'asks for a stream, which the Batch API does not run' },
      { line: 6, reason: 'is not a JSON object or list' },
      { line: 8, reason: 'is not valid UTF-8' },
    ]);
    expect(r.rejects.map((x) => x.source)).toEqual(rejects.map((x) => ({ line: x.line })));
    expect(readFileSync(t.path('out/rejects.jsonl'), 'utf8')).not.toContain(secret);
    expect(readJsonl(t.path('out/part-0001.jsonl')).map((l) => l.custom_id)).toEqual(['line-1', 'line-7']);
  });

  it('takes a line already in the Batch API format only for the profile endpoint', async () => {
    const line = (url: string) => ({ custom_id: 'theirs', method: 'POST', url, body: chat('x') });
    const input = t.write('in.jsonl', jsonl([line('/v1/chat/completions'), line('/v1/embeddings'), { custom_id: 'no-url', body: chat('y') }]));
    await prepare({ plan: await referencePlan(), profile: 'content-analysis', input, out: t.path('out') });
    expect(readJsonl(t.path('out/part-0001.jsonl')).map((l) => [l.custom_id, l.url])).toEqual([
      ['line-1', '/v1/chat/completions'],
      ['line-3', '/v1/chat/completions'],
    ]);
    expect(readJsonl(t.path('out/rejects.jsonl'))).toEqual([
      { line: 2, reason: 'asks for another endpoint than the profile\'s "/v1/chat/completions" (a batch runs one endpoint)' },
    ]);
  });

  it('--strict stops at the first bad line with its location and leaves nothing behind', async () => {
    const input = t.write('in.jsonl', jsonl([chat('ok'), '{broken', chat('never read')]));
    await expect(prepare({ plan: await referencePlan(), profile: 'content-analysis', input, out: t.path('out'), strict: true })).rejects.toThrow(
      `${input}:2: line is not valid JSON (at character 2) (--strict: nothing was written)`,
    );
    expect(readdirSync(t.dir)).toEqual(['in.jsonl']);
  });

  it('splits at the profile request count and byte size, whichever comes first', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => chat(`request ${i} ${'x'.repeat(i * 65)}`));
    const input = t.write('in.jsonl', jsonl(rows));
    const plan = await planWith('research', (p) => {
      p.maxRequestsPerFile = 10;
      p.maxFileBytes = 1_500;
    });
    const r = await prepare({ plan, profile: 'research', input, out: t.path('out') });
    const parts = r.manifest.parts;
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) {
      const lines = readJsonl(t.path('out', p.file));
      expect(lines.length).toBe(p.requests);
      expect(p.requests).toBeLessThanOrEqual(10);
      expect(statSync(t.path('out', p.file)).size).toBe(p.bytes);
      expect(p.bytes).toBeLessThanOrEqual(1_500);
      expect(p.firstId).toBe(lines[0]!.custom_id);
      expect(p.lastId).toBe(lines[lines.length - 1]!.custom_id);
    }
    const ids = parts.flatMap((p) => readJsonl(t.path('out', p.file)).map((l) => l.custom_id));
    const rejected = readJsonl<{ line: number }>(t.path('out/rejects.jsonl')).map((x) => `line-${x.line}`);
    expect([...ids, ...rejected].sort()).toEqual(rows.map((_, i) => `line-${i + 1}`).sort());
    // Lines too large for a whole file are the only rejects.
    expect(rejected.length).toBeGreaterThan(0);
    for (const x of readJsonl<{ reason: string }>(t.path('out/rejects.jsonl')))
      expect(x.reason).toMatch(/more than (the profile's file limit of 1500|the 1499 one request may take)$/);
  });

  it('redacts before writing and keeps the placeholder map only where the profile allows re-identification', async () => {
    const rows = [chat('Mail jane@example.com or call +1 (555) 123-4567.'), chat('nothing here'), chat('card 4111 1111 1111 1111')];
    const input = t.write('in.jsonl', jsonl(rows));
    const kept = await prepare({ plan: await referencePlan(), profile: 'document-extraction', input, out: t.path('kept') });
    const part = readFileSync(t.path('kept/part-0001.jsonl'), 'utf8');
    for (const value of ['jane@example.com', '555', '4111']) expect(part).not.toContain(value);
    expect(readJsonl(t.path('kept/part-0001.jsonl'))[0]!.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Mail [EMAIL_1] or call [PHONE_1].' }],
    });
    expect(kept.manifest.redactions).toEqual({ email: 1, payment_card: 1, phone: 1 });
    expect(kept.manifest.reidentify).toBe(true);
    expect(readJsonl(t.path('kept/reidentify/part-0001.jsonl'))).toEqual([
      { custom_id: 'line-1', values: { '[EMAIL_1]': 'jane@example.com', '[PHONE_1]': '+1 (555) 123-4567' } },
      { custom_id: 'line-3', values: { '[CARD_1]': '4111 1111 1111 1111' } },
    ]);
    expect(statSync(t.path('kept/reidentify/part-0001.jsonl')).mode & 0o777).toBe(0o600);
    expect(statSync(t.path('kept/reidentify')).mode & 0o777).toBe(0o700);

    const notKept = await prepare({ plan: await referencePlan(), profile: 'invoice-processing', input, out: t.path('not-kept') });
    expect(notKept.manifest.reidentify).toBe(false);
    expect(existsSync(t.path('not-kept/reidentify'))).toBe(false);
    expect(JSON.stringify(filesUnder(t.path('not-kept')))).not.toContain('jane@example.com');
  });

  it('estimates the cost at the batch rate and at the synchronous price of the same model', async () => {
    const input = t.write('in.jsonl', jsonl([chat('a'.repeat(400), { max_tokens: 100 }), chat('b'.repeat(400), { max_completion_tokens: 300 }), chat('c')]));
    const r = await prepare({ plan: await referencePlan(), profile: 'research', input, out: t.path('out') });
    const lines = readJsonl(t.path('out/part-0001.jsonl'));
    const chars = lines.reduce((n, l) => n + JSON.stringify(l.body).length, 0);
    const inputTokens = Math.ceil(chars / 4);
    expect(r.manifest.estimate).toEqual({
      inputTokens,
      outputTokens: 400,
      uncappedRequests: 1,
      batchUsd: (inputTokens * 1.25 + 400 * 5) / 1e6,
      synchronousUsd: (inputTokens * 2.5 + 400 * 10) / 1e6,
      savedUsd: (inputTokens * 2.5 + 400 * 10) / 1e6 - (inputTokens * 1.25 + 400 * 5) / 1e6,
    });
  });

  it('makes one request per text file of a directory, in path order, skipping hidden files and links', async () => {
    mkdirSync(t.path('docs/sub'), { recursive: true });
    mkdirSync(t.path('docs/.git'));
    t.write('docs/b.txt', 'second document');
    t.write('docs/a.txt', '\uFEFFfirst document');
    t.write('docs/sub/c.md', 'third: write to jane@example.com');
    t.write('docs/.hidden', 'hidden');
    t.write('docs/.git/config', 'hidden too');
    t.write('docs/empty.txt', '  \n');
    t.write('docs/binary.bin', Buffer.from([0xff, 0xfe, 0x00]));
    symlinkSync(t.path('docs/a.txt'), t.path('docs/link.txt'));
    const r = await prepare({ plan: await referencePlan(), profile: 'document-extraction', input: t.path('docs'), out: t.path('out') });
    expect(r.manifest.files).toEqual(['a.txt', 'b.txt', 'binary.bin', 'empty.txt', 'sub/c.md']);
    expect(readJsonl(t.path('out/part-0001.jsonl')).map((l) => [l.custom_id, (l.body as { messages: { content: string }[] }).messages[0]!.content])).toEqual([
      ['file-1', 'first document'],
      ['file-2', 'second document'],
      ['file-5', 'third: write to [EMAIL_1]'],
    ]);
    expect(readJsonl(t.path('out/rejects.jsonl'))).toEqual([
      { file: 'binary.bin', reason: 'is not valid UTF-8 text' },
      { file: 'empty.txt', reason: 'is empty' },
    ]);
  });

  it('killed (SIGKILL) while writing, leaves the earlier preparation as it was; the rerun clears what the killed one left', async () => {
    const plan = await referencePlan();
    const planFile = t.write('plan.json', stableStringify(plan));
    const small = t.write('small.jsonl', jsonl([chat('one'), chat('two')]));
    await prepare({ plan, profile: 'research', input: small, out: t.path('out') });
    const before = filesUnder(t.path('out'));
    // Large enough that the in-process prepare is still writing its first part when it is seen.
    const rows = 40_000;
    const big = t.write('big.jsonl', jsonl(Array.from({ length: rows }, (_, i) => chat(`request ${i} ${'w'.repeat(1_000)}`))));
    const args = ['batch', 'prepare', '--profile', 'research', '--input', big, '--out', t.path('out'), '--plan', planFile, '--force', '--workers', '0'];
    const child = spawn(process.execPath, [join(REPO, 'bin/switchyard.mjs'), ...args], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let finished = false;
    void exited.then(() => (finished = true));
    // Kill it once its staging directory beside the output holds a part file with something in it.
    for (;;) {
      const staging = readdirSync(t.dir).find((n) => /^out\.tmp-\d+-[0-9a-f]{8}$/.test(n));
      const part = staging && t.path(staging, 'part-0001.jsonl');
      if (part && existsSync(part) && statSync(part).size > 0) break;
      expect(finished, 'prepare finished before it could be killed').toBe(false);
      await new Promise((r) => setTimeout(r, 2));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(filesUnder(t.path('out'))).toEqual(before);
    expect(readdirSync(t.dir).filter((n) => n.startsWith('out.tmp-'))).toHaveLength(1);
    // The rerun removes the killed run's staging directory and replaces the preparation whole.
    const r = await prepare({ plan, profile: 'research', input: big, out: t.path('out'), force: true, workers: 0 });
    expect(r.manifest.requests).toBe(rows);
    expect(readdirSync(t.dir).sort()).toEqual(['big.jsonl', 'out', 'plan.json', 'small.jsonl']);
  }, 120_000);

  it('refuses to overwrite a prepared directory without --force, and a foreign one at all', async () => {
    const input = t.write('in.jsonl', jsonl([chat('one')]));
    const plan = await referencePlan();
    await prepare({ plan, profile: 'content-analysis', input, out: t.path('out') });
    await expect(prepare({ plan, profile: 'content-analysis', input, out: t.path('out') })).rejects.toThrow('already holds a prepared batch; pass --force');
    writeFileSync(input, jsonl([chat('one'), chat('two')]));
    const r = await prepare({ plan, profile: 'content-analysis', input, out: t.path('out'), force: true });
    expect(r.manifest.requests).toBe(2);
    expect(readdirSync(t.dir).sort()).toEqual(['in.jsonl', 'out']);
    mkdirSync(t.path('foreign'));
    t.write('foreign/notes.txt', 'mine');
    await expect(prepare({ plan, profile: 'content-analysis', input, out: t.path('foreign'), force: true })).rejects.toThrow('holds no prepared batch');
    expect(readFileSync(t.path('foreign/notes.txt'), 'utf8')).toBe('mine');
  });

  it('fails without writing when nothing can be prepared, on an unknown profile and an unreadable input', async () => {
    const plan = await referencePlan();
    const bad = t.write('bad.jsonl', jsonl(['nope', '[1,']));
    await expect(prepare({ plan, profile: 'content-analysis', input: bad, out: t.path('out') })).rejects.toThrow(
      /no request could be prepared from .*bad\.jsonl: all 2 records were rejected \(first: line 1 is not valid JSON/,
    );
    await expect(prepare({ plan, profile: 'nope', input: bad, out: t.path('out') })).rejects.toThrow(
      'plan reference has no batch profile "nope"; known: content-analysis, document-extraction, invoice-processing, research',
    );
    await expect(prepare({ plan, profile: 'research', input: t.path('missing.jsonl'), out: t.path('out') })).rejects.toThrow('cannot read --input');
    const unreadable = t.write('locked.jsonl', jsonl([chat('x')]));
    chmodSync(unreadable, 0o000);
    if (process.getuid?.() !== 0) await expect(prepare({ plan, profile: 'research', input: unreadable, out: t.path('out') })).rejects.toThrow();
    expect(readdirSync(t.dir).sort()).toEqual(['bad.jsonl', 'locked.jsonl']);
  });

  it('a line longer than one request may be is rejected without being held, across read chunks', async () => {
    const big = `{"messages":[{"role":"user","content":"${'y'.repeat(3_000_000)}"}]}`;
    const input = t.write('in.jsonl', `${JSON.stringify(chat('before'))}\n${big}\n${JSON.stringify(chat('after'))}\r\n`);
    const plan = await planWith('research', (p) => void (p.maxFileBytes = 2_000_000));
    const r = await prepare({ plan, profile: 'research', input, out: t.path('out') });
    expect(readJsonl(t.path('out/rejects.jsonl'))).toEqual([{ line: 2, reason: `is ${big.length} bytes, more than the 1999999 one request may take` }]);
    expect(readJsonl(t.path('out/part-0001.jsonl')).map((l) => l.custom_id)).toEqual(['line-1', 'line-3']);
    expect(r.manifest.requests).toBe(2);
  });

  it('--strict with worker threads stops at the first bad line, however many regions are in flight', async () => {
    const rows: unknown[] = Array.from({ length: 20_000 }, (_, i) => chat(`request ${i} ${'z'.repeat(200)}`));
    rows[12_345] = '{"messages": oops}';
    const input = t.write('in.jsonl', jsonl(rows));
    const rejected = new Promise((resolve) => process.once('unhandledRejection', resolve));
    await expect(prepare({ plan: await referencePlan(), profile: 'research', input, out: t.path('out'), strict: true, workers: 2 })).rejects.toThrow(
      `${input}:12346: line is not valid JSON (--strict: nothing was written)`,
    );
    expect(readdirSync(t.dir)).toEqual(['in.jsonl']);
    // Results still in flight when the workers stopped are dropped quietly.
    expect(await Promise.race([rejected, new Promise((r) => setTimeout(() => r('none'), 500))])).toBe('none');
  });

  it('worker threads give the same bytes as the in-process path', async () => {
    const rows = Array.from({ length: 3_000 }, (_, i) =>
      chat(`request ${i}: reach me at user${i}@example.com or 555-010-${String(i % 10_000).padStart(4, '0')}`),
    );
    rows.splice(1_500, 0, 'broken' as never);
    const input = t.write('in.jsonl', jsonl(rows));
    const plan = await planWith('document-extraction', (p) => void (p.maxRequestsPerFile = 700));
    const a = await prepare({ plan, profile: 'document-extraction', input, out: t.path('a'), workers: 0 });
    const b = await prepare({ plan, profile: 'document-extraction', input, out: t.path('b'), workers: 2 });
    expect(a.workers).toBe(0);
    expect(b.workers).toBe(2);
    expect(filesUnder(t.path('b'))).toEqual(filesUnder(t.path('a')));
    expect(a.manifest.parts).toHaveLength(5);
    expect(a.manifest.redactions).toEqual({ email: 3_000, phone: 3_000 });
    expect((await readManifest(t.path('a'))).requests).toBe(3_000);
    expect(JSON.parse(readFileSync(t.path('a', MANIFEST_FILE), 'utf8')).rejected).toBe(1);
  });
});
