import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { planHash } from '../../src/plan/hash.ts';
import { cli } from '../fixtures/cli.ts';
import { realWorldPolicy } from '../fixtures/real-world-policy.ts';
import { deployment, group, plan } from '../runtime/plans.ts';

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-explain-'));
  const p = plan(
    [deployment('primary-a'), deployment('primary-b'), deployment('small', { contextWindow: 4_000 }), deployment('backup')],
    [
      group('chat', ['primary-a', 'primary-b'], {
        strategy: 'ordered',
        fallbacks: ['local', 'hosted'],
        retries: { count: 1, backoff: { initialMs: 100, maxMs: 1_000, multiplier: 2 }, retryOn: [503] },
      }),
      group('local', ['small']),
      group('hosted', ['backup']),
    ],
    { web: { id: 'web', description: null, apiKeys: [], allowedGroups: ['chat', 'hosted'], rpm: null, tpm: null, monthlyBudgetUsd: null } },
  );
  p.hash = planHash(p);
  file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(p));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchyard explain', () => {
  it('prints each candidate, retry, skip reason and fallback step', async () => {
    const r = await cli('explain', '--plan', file, '--model', 'chat', '--tokens', '5000', '--down', 'primary-a,primary-b');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('routing chat (ordered): 5000 input + 0 output tokens');
    expect(r.stdout).toContain('down (answer 503): primary-a, primary-b');
    expect(r.stdout).toMatch(/group chat\n {2}call +primary-a +http-5xx 503 +backoff 100 ms\n {2}retry 1 +primary-a +http-5xx 503\n {2}call +primary-b/);
    expect(r.stdout).toMatch(/fallback local\n {2}skip +small +context-too-small\nfallback hosted\n {2}call +backup +ok/);
    expect(r.stdout).toContain('result: backup in hosted (fallback) (5 calls, 200 ms of backoff)');
  });

  it('applies the tenant and answers --json', async () => {
    const r = await cli('explain', '--plan', file, '--model', 'chat', '--tenant', 'web', '--down', 'primary-a', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, group: 'chat', deployment: 'primary-b', request: { tenant: 'web', estimatedInputTokens: 1000 } });
    expect(out.trace.map((a: { deployment: string; outcome: string }) => `${a.deployment} ${a.outcome}`)).toEqual([
      'primary-a error',
      'primary-a error',
      'primary-b ok',
    ]);
  });

  it('exits 1 when nothing can serve the request', async () => {
    const r = await cli('explain', '--plan', file, '--model', 'local', '--tokens', '9000');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('result: not routable (0 calls)');
  });

  it('rejects unknown groups, tenants and deployments, and unreadable plans, with one line and exit 2', async () => {
    for (const [args, msg] of [
      [['--model', 'nope'], /unknown model group "nope".*groups: chat, hosted, local/],
      [['--model', 'chat', '--tenant', 'x'], /unknown tenant "x"/],
      [['--model', 'chat', '--down', 'ghost'], /--down: unknown deployment "ghost"/],
      [['--model', 'chat', '--tokens', 'lots'], /--tokens must be a whole number/],
    ] as const) {
      const r = await cli('explain', '--plan', file, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    const missing = await cli('explain', '--plan', join(dir, 'none.json'), '--model', 'chat');
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toMatch(/cannot read plan .*none\.json: ENOENT/);
  });

  it('explains the reference plan', async () => {
    const r = await cli('explain', '--model', 'chat', '--down', 'openai-gpt-4o');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/group chat\n {2}call +openai-gpt-4o +http-5xx 503/);
    expect(r.stdout).toMatch(/^result: \S+ in \S+ \(fallback\)/m);
  });
});

describe('explain with pass-through deployments', () => {
  it('routes as the gateway does, without them, and says so', async () => {
    const compiled = compilePolicy(Policy.parse(realWorldPolicy())).plan!;
    const f = join(dir, 'real-world.json');
    writeFileSync(f, JSON.stringify(compiled));
    const r = await cli('explain', '--plan', f, '-m', 'gemini-1.5-pro', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, group: 'openai/gpt-4o-mini' });
    expect(out.unserved).toMatch(/^group "gemini-1\.5-pro" cannot be served by Switchyard/);
    expect(JSON.stringify(out.trace)).not.toContain('vertex-gemini');
    const text = await cli('explain', '--plan', f, '-m', 'claude-3.5-sonnet@bedrock');
    expect(text.stdout).toContain('note: group "claude-3.5-sonnet@bedrock" is served from openai-gpt-4o-mini only');
    expect(text.stdout).toContain('result: openai-gpt-4o-mini in claude-3.5-sonnet@bedrock');
  });
});
