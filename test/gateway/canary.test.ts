/**
 * Canary: a stable hash of tenant and request id sends a share of requests
 * to a second plan; a canary whose provider fails is rolled back on its own
 * after enough samples while stable traffic never sees an error; a healthy
 * canary keeps running and can be promoted.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanaryJudge, canaryBucket, errorRateLimit, inCanary } from '../../src/gateway/canary.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { compileOrThrow, type GatewayHarness, standInPolicy, startHarness } from './harness.ts';

describe('the split and the judge', () => {
  it('the bucket is stable and the share matches the percent', () => {
    expect(canaryBucket('t', 'req-1')).toBe(canaryBucket('t', 'req-1'));
    expect(canaryBucket('t', 'req-1')).not.toBe(canaryBucket('u', 'req-1'));
    let n = 0;
    for (let i = 0; i < 20_000; i++) if (inCanary(canaryBucket('tenant', `id-${i}`), 10)) n++;
    expect(n / 20_000).toBeGreaterThan(0.09);
    expect(n / 20_000).toBeLessThan(0.11);
    expect(inCanary(0, 0)).toBe(false);
    expect(inCanary(9_999, 100)).toBe(true);
  });

  it('reads the error-rate limit from the plan SLOs and rolls back only past it, with enough samples', async () => {
    const plan = compileOrThrow(await standInPolicy(() => 'http://127.0.0.1:1/v1'));
    expect(errorRateLimit(plan)).toBe(0.01);
    const j = new CanaryJudge({ errorRateLimit: 0.1, minSamples: 10, window: 20 });
    for (let i = 0; i < 9; i++) j.record('canary', true, 10);
    expect(j.verdict()).toEqual({ action: 'continue' });
    j.record('canary', true, 10);
    expect(j.verdict()).toMatchObject({ action: 'rollback', reason: "canary error rate 1.000 over the SLO's 0.1 (stable 0.000), 10 samples" });
    const ok = new CanaryJudge({ errorRateLimit: 0.1, minSamples: 10, window: 20 });
    for (let i = 0; i < 20; i++) ok.record('canary', i === 0, 10);
    for (let i = 0; i < 20; i++) ok.record('stable', false, 10);
    expect(ok.verdict()).toEqual({ action: 'continue' });
    for (let i = 0; i < 20; i++) ok.record('canary', false, 50);
    expect(ok.verdict()).toMatchObject({ action: 'rollback', reason: 'canary p95 50 ms over 2x the stable 10 ms, 20 samples' });
  });
});

let h: GatewayHarness;
let broken: CompiledPlan;
let healthy: CompiledPlan;
const rolledBack: Array<{ version: string; reason: string }> = [];

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  h = await startHarness({ start: { onCanaryRollback: (c) => rolledBack.push(c) } });
  const port = await closedPort();
  const policy = await standInPolicy((id) => h.standIns[id]!.base);
  policy.providers.find((p) => p.id === 'openai')!.apiBase = `http://127.0.0.1:${port}/v1`;
  policy.modelGroups.find((g) => g.name === 'chat')!.fallbacks = [];
  broken = compileOrThrow(policy);
  const ok = await standInPolicy((id) => h.standIns[id]!.base);
  ok.tenants.find((t) => t.id === 'research-lab')!.rpm = 123;
  healthy = compileOrThrow(ok);
});
afterAll(() => h?.close());

const TENANT = 'support-assistant';
async function traffic(n: number): Promise<Array<{ arm: 'canary' | 'stable'; status: number; after: boolean; deployment: string | null }>> {
  const out: Array<{ arm: 'canary' | 'stable'; status: number; after: boolean; deployment: string | null }> = [];
  let next = 0;
  const worker = async () => {
    while (next++ < n) {
      const wasRunning = h.gateway.state.canary?.status === 'running';
      const r = await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
      const id = r.headers.get('x-request-id')!;
      const percent = h.gateway.state.canary?.percent ?? 0;
      out.push({
        arm: inCanary(canaryBucket(TENANT, id), percent) ? 'canary' : 'stable',
        status: r.status,
        after: !wasRunning,
        deployment: r.headers.get('x-switchyard-deployment'),
      });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return out;
}

describe('a canary in the gateway', () => {
  it('a failing canary is rolled back on its own; stable traffic never sees an error', async () => {
    await h.gateway.startCanary(broken, await h.secretsFor(broken), { version: 'v-broken', percent: 30, judge: { minSamples: 10, window: 50 } });
    const ready = (await h.get('/readyz')).json;
    expect(ready.canary).toMatchObject({ version: 'v-broken', hash: broken.hash, percent: 30, status: 'running', reason: null });
    const seen = await traffic(200);
    expect(h.gateway.state.canary!.status).toBe('rolled-back');
    // Stable answers were all 200; canary answers failed until the judge had its 10 samples (plus those already in flight).
    expect(seen.filter((s) => s.arm === 'stable').every((s) => s.status === 200)).toBe(true);
    const canaryFailures = seen.filter((s) => s.status !== 200);
    expect(canaryFailures.length).toBeGreaterThanOrEqual(10);
    expect(canaryFailures.length).toBeLessThanOrEqual(10 + 4);
    // Connection refused (502), then OpenAI's circuit open on the canary plan (503).
    expect(canaryFailures.every((s) => s.arm === 'canary' && (s.status === 502 || s.status === 503))).toBe(true);
    // Once rolled back, every request is on the stable plan.
    expect(seen.filter((s) => s.after).every((s) => s.status === 200)).toBe(true);
    expect(rolledBack).toEqual([
      {
        version: 'v-broken',
        hash: broken.hash,
        reason: expect.stringMatching(/^canary error rate 1\.000 over the SLO's 0\.01 \(stable 0\.000\), 1\d samples$/),
      },
    ]);
    // The canary's failures stayed the canary's: the stable plan's OpenAI breaker is closed and OpenAI answers its traffic.
    expect(h.gateway.state.gen.router.inspect('openai-gpt-4o').breaker).toBe('closed');
    expect(seen.filter((s) => s.arm === 'stable').every((s) => s.deployment === 'openai-gpt-4o')).toBe(true);
    const after = (await h.get('/readyz')).json;
    expect(after.plan.hash).toBe(h.plan.hash);
    expect(after.canary).toMatchObject({ version: 'v-broken', status: 'rolled-back' });
    expect(h.logLines.some((l) => l.includes('"msg":"canary rolled back"') && l.includes('v-broken'))).toBe(true);
    const metrics = (await h.get('/metrics')).text;
    expect(metrics).toContain('switchyard_canary_state{version="v-broken"} 2');
    // Counted while the canary ran: the failures that decided it (those still in flight at the rollback ended after it).
    const judged = Number(/switchyard_canary_requests_total\{arm="canary",outcome="error"\} (\d+)/.exec(metrics)![1]);
    expect(judged).toBeGreaterThanOrEqual(10);
    expect(judged).toBeLessThanOrEqual(canaryFailures.length);
  });

  it('a healthy canary keeps running and, promoted, becomes the stable plan', async () => {
    await h.gateway.startCanary(healthy, await h.secretsFor(healthy), {
      version: 'v-ok',
      percent: 50,
      judge: { minSamples: 10, window: 50, latencyRatio: 1_000 },
    });
    const seen = await traffic(60);
    expect(seen.every((s) => s.status === 200)).toBe(true);
    expect(seen.filter((s) => s.arm === 'canary').length).toBeGreaterThan(10);
    expect(h.gateway.state.canary!.status).toBe('running');
    expect(await h.gateway.promoteCanary()).toBe(true);
    expect((await h.get('/readyz')).json.plan.hash).toBe(healthy.hash);
    expect((await h.get('/readyz')).json.canary.status).toBe('promoted');
    expect(await h.gateway.promoteCanary()).toBe(false);
  });
});
