/**
 * The official OpenAI SDK (openai npm package) against the gateway: the
 * README's "Run the gateway" example runs as written and prints what the
 * README says; the gateway's errors become the SDK's usual exception
 * classes, and a stream broken after its first byte raises in the SDK.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../fixtures/workspace.ts';
import { type GatewayHarness, startHarness, TENANT_KEYS, withTestGroups } from './harness.ts';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startHarness({ edit: withTestGroups });
});
afterAll(() => h?.close());

/** The README's code blocks of one section, by language tag (`` ``` `` alone is ''). */
function readmeBlocks(section: string): { lang: string; code: string }[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${section}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  const text = readme.slice(start, end < 0 ? undefined : end);
  return [...text.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

const client = (tenant = 'support-assistant') => new OpenAI({ baseURL: `${h.url}/v1`, apiKey: TENANT_KEYS[tenant]!, maxRetries: 0 });

describe('the OpenAI SDK', () => {
  it("runs the README's example as written and prints what the README shows", async () => {
    const blocks = readmeBlocks('Run the gateway');
    const i = blocks.findIndex((b) => b.lang === 'js');
    expect(i).toBeGreaterThanOrEqual(0);
    const expected = blocks[i + 1]!.code;
    // Inside the checkout, so `import OpenAI from 'openai'` resolves as it would in a user's project.
    const file = join(REPO, `test/gateway/.readme-example-${process.pid}.mjs`);
    writeFileSync(file, blocks[i]!.code);
    try {
      // Asynchronously: the gateway it calls runs in this process.
      const child = spawn(process.execPath, [file], { env: { ...process.env, SWITCHYARD_URL: `${h.url}/v1`, KEY: TENANT_KEYS['support-assistant'] } });
      const r = { stdout: '', stderr: '', status: null as number | null };
      child.stdout.on('data', (d) => (r.stdout += d));
      child.stderr.on('data', (d) => (r.stderr += d));
      r.status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(expected);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('lists the tenant’s models', async () => {
    const ids: string[] = [];
    for await (const m of client('document-pipeline').models.list()) ids.push(m.id);
    expect(ids).toEqual(['chat-local', 'chat-mini']);
  });

  it('maps the gateway’s errors to the SDK’s exception classes', async () => {
    const ask = (c: OpenAI, model: string) => c.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
    await expect(ask(new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'wrong', maxRetries: 0 }), 'chat')).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    await expect(ask(client('document-pipeline'), 'chat')).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect(ask(client(), 'no-such-group')).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(ask(client(), 'no-such-group')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client().chat.completions.create({ model: 'chat' } as never)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const limited = client('research-lab');
    for (let i = 0; i < 3; i++) await ask(limited, 'chat');
    const err = await ask(limited, 'chat').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe('3');
    h.standIns['vllm-pool-c']!.fault = { status: 500 };
    await expect(ask(client(), 'a-flaky')).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    h.standIns['vllm-pool-c']!.fault = null;
  });

  it('raises when a stream breaks after its first chunk, having delivered that chunk', async () => {
    h.standIns.openai!.fault = { breakAfterEvents: 2 };
    const seen: string[] = [];
    const run = async () => {
      const stream = await client().chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Say hello.' }], stream: true });
      for await (const chunk of stream) seen.push(chunk.choices[0]?.delta?.content ?? '');
    };
    await expect(run()).rejects.toThrow(/the provider connection failed mid-stream/);
    expect(seen).toEqual(['', 'Hello']);
    h.standIns.openai!.fault = null;
  });
});
