/**
 * Canary: a stable hash of tenant and request id sends a share of requests
 * to a second plan. Rolled back on its own, each after its minimum samples
 * within the window while stable traffic never sees an error: a canary whose
 * provider fails (error rate; its breaker opens, the stable plan's does
 * not), one whose primary is slow past the stable plan's latency SLO, and
 * one that drops the fallback that saves requests (fallback success). A
 * healthy canary keeps running and can be promoted; both arms count against
 * one tenant rpm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryBucket, inCanary } from '../../src/gateway/canary.ts';
import type { Policy } from '../../src/model/policy.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { freePort } from '../fixtures/ports.ts';
import { type StandIn, startStandIn } from '../fixtures/upstream-standins.ts';
import { compileOrThrow, type GatewayHarness, OPENAI_KEY, standInPolicy, startHarness } from './harness.ts';

describe('the split', () => {
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
});

let h: GatewayHarness;
let broken: CompiledPlan;
let healthy: CompiledPlan;
const rolledBack: Array<{ version: string; reason: string }> = [];

beforeAll(async () => {
  h = await startHarness({ start: { onCanaryRollback: (c) => rolledBack.push(c) } });
  const port = await freePort();
  const policy = await standInPolicy((id) => h.standIns[id]!.base);
  policy.providers.find((p) => p.id === 'openai')!.apiBase = `http://127.0.0.1:${port}/v1`;
  policy.modelGroups.find((g) => g.name === 'chat')!.fallbacks = [];
  broken = compileOrThrow(policy);
  const ok = await standInPolicy((id) => h.standIns[id]!.base);
  ok.tenants.find((t) => t.id === 'research-lab')!.rpm = 123;
  healthy = compileOrThrow(ok);
});
let slowOpenai: StandIn | undefined;
afterAll(async () => {
  await h?.close();
  await slowOpenai?.close();
});

const TENANT = 'support-assistant';
interface Seen {
  arm: 'canary' | 'stable';
  model: string;
  status: number;
  code: string | null;
  /** Sent after the canary had ended. */
  after: boolean;
  deployment: string | null;
}
/** `n` requests from `workers` clients (4), of `model(i)` (chat); with `untilEnded`, none is sent once the canary has ended. */
async function traffic(n: number, o: { tenant?: string; model?: (i: number) => string; workers?: number; untilEnded?: boolean } = {}): Promise<Seen[]> {
  const tenant = o.tenant ?? TENANT;
  const out: Seen[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const wasRunning = h.gateway.state.canary?.status === 'running';
      if (o.untilEnded && !wasRunning) return;
      const model = o.model?.(next) ?? 'chat';
      next++;
      const r = await h.post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] }, { tenant });
      const id = r.headers.get('x-request-id')!;
      const percent = h.gateway.state.canary?.percent ?? 0;
      out.push({
        arm: inCanary(canaryBucket(tenant, id), percent) ? 'canary' : 'stable',
        model,
        status: r.status,
        code: r.json?.error?.code ?? null,
        after: !wasRunning,
        deployment: r.headers.get('x-switchyard-deployment'),
      });
    }
  };
  await Promise.all(Array.from({ length: o.workers ?? 4 }, worker));
  return out;
}

/** The reference policy at the stand-ins, changed by `edit`. */
async function planWith(edit: (p: Policy) => void): Promise<CompiledPlan> {
  const p = await standInPolicy((id) => h.standIns[id]!.base);
  edit(p);
  return compileOrThrow(p);
}
/** Sets the (single) objective of the reference SLO `id`. */
function objective(p: Policy, id: string, value: number): void {
  p.slos.targets.find((t) => t.id === id)!.objective[0]!.value = value;
}
const tenantOf = (p: Policy, id: string) => p.tenants.find((t) => t.id === id)!;

describe('a canary in the gateway', () => {
  it('a failing canary is rolled back on its own; stable traffic never sees an error', async () => {
    await h.gateway.startCanary(broken, await h.secretsFor(broken), { version: 'v-broken', percent: 30, judge: { minSamples: 10, windowMs: 60_000 } });
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
        reason: expect.stringMatching(
          /^error_rate past the SLO error-rate \(<= 0\.01\): canary 1\.000 over 1\d requests, stable 0\.000 over \d+, in the last 1m$/,
        ),
      },
    ]);
    // The canary's failures stayed the canary's: its OpenAI breaker opened, the stable plan's is closed and OpenAI answers its traffic.
    expect(h.gateway.state.canary!.gen.router.inspect('openai-gpt-4o').breaker).toBe('open');
    expect(h.gateway.state.gen.router.inspect('openai-gpt-4o').breaker).toBe('closed');
    // ...and the log says so: every breaker line names the plan whose router it comes from.
    const breakerLines = h.logLines.filter((l) => l.includes('"msg":"router breaker"')).map((l) => JSON.parse(l));
    expect(breakerLines.filter((l) => l.deployment === 'openai-gpt-4o' && l.to === 'open').map((l) => l.plan)).toEqual([broken.hash]);
    expect(breakerLines.every((l) => l.plan === broken.hash)).toBe(true);
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
      judge: { minSamples: 10 },
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
  it('counts both arms against one tenant rpm, across a reload of the stable plan: exactly the limit passes within the minute, the rest get 429', async () => {
    const stable = await planWith((p) => void (tenantOf(p, 'research-lab').rpm = 20));
    await h.gateway.reload(stable, await h.secretsFor(stable));
    const canary = await planWith((p) => {
      tenantOf(p, 'research-lab').rpm = 20;
      tenantOf(p, 'document-pipeline').rpm = 77;
    });
    await h.gateway.startCanary(canary, await h.secretsFor(canary), { version: 'v-rpm', percent: 50, judge: { minSamples: 10 } });
    const seen = await traffic(12, { tenant: 'research-lab', workers: 1 });
    // The stable plan is reloaded under the running canary: the canary follows the new stable state (carried by id).
    const reloaded = await planWith((p) => {
      tenantOf(p, 'research-lab').rpm = 20;
      tenantOf(p, 'research-lab').tpm = 300_000;
    });
    await h.gateway.reload(reloaded, await h.secretsFor(reloaded));
    seen.push(...(await traffic(38, { tenant: 'research-lab', workers: 1 })));
    // The first 20, whichever plan routed them, then only refusals: each arm saw the other's requests in the tenant's window.
    expect(seen.slice(0, 20).every((s) => s.status === 200)).toBe(true);
    expect(seen.slice(20).map((s) => `${s.status} ${s.code}`)).toEqual(Array(30).fill('429 rate_limit_exceeded'));
    const passed = seen.filter((s) => s.status === 200);
    expect(passed.filter((s) => s.arm === 'canary').length).toBeGreaterThan(0);
    expect(passed.filter((s) => s.arm === 'stable').length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.arm === 'canary' && s.status === 429).length).toBeGreaterThan(0);
    // Refusals by tenant limits are not the plan's failures: the canary runs on.
    expect(h.gateway.state.canary).toMatchObject({ version: 'v-rpm', status: 'running' });
    expect(h.gateway.abortCanary('test over')).toBe(true);
  });

  it("a canary whose primary is slow past the stable plan's latency SLO is rolled back on its own; stable traffic sees no error", async () => {
    const stable = await planWith((p) => objective(p, 'interactive-latency-p95', 250));
    await h.gateway.reload(stable, await h.secretsFor(stable));
    slowOpenai = await startStandIn('openai', OPENAI_KEY);
    slowOpenai.fault = { delayMs: 400 };
    const canary = await planWith((p) => void (p.providers.find((x) => x.id === 'openai')!.apiBase = slowOpenai!.base));
    await h.gateway.startCanary(canary, await h.secretsFor(canary), { version: 'v-slow', percent: 30, judge: { minSamples: 10, windowMs: 30_000 } });
    const seen = await traffic(300, { untilEnded: true });
    expect(h.gateway.state.canary).toMatchObject({ version: 'v-slow', status: 'rolled-back' });
    // Slow is not failed: every answer, on either arm, succeeded.
    expect(seen.every((s) => s.status === 200)).toBe(true);
    expect(seen.filter((s) => s.arm === 'canary' && !s.after).length).toBeGreaterThanOrEqual(10);
    const reason = rolledBack.find((r) => r.version === 'v-slow')!.reason;
    const m =
      /^interactive_latency_p95_ms past the SLO interactive-latency-p95 \(< 250\): canary (\d+) ms over (\d+) interactive requests, stable (\d+) ms over (\d+), in the last 30s$/.exec(
        reason,
      );
    expect(m, reason).not.toBeNull();
    const [canaryMs, canaryN, stableMs] = [Number(m![1]), Number(m![2]), Number(m![3])];
    // The stand-in waits 400 ms before it answers; the judge decided on its tenth canary answer (or one that was in flight with it).
    expect(canaryMs).toBeGreaterThanOrEqual(400);
    expect(canaryN).toBeGreaterThanOrEqual(10);
    expect(canaryN).toBeLessThanOrEqual(10 + 3);
    expect(stableMs).toBeLessThan(canaryMs);
    expect(slowOpenai.requests.length).toBeGreaterThanOrEqual(10);
  });

  it('a canary that drops the fallback that saves requests is rolled back on fallback success; stable traffic sees no error', async () => {
    // A stable plan with room for errors (50%) that still insists its fallbacks work (95%, the reference objective).
    const stable = await planWith((p) => objective(p, 'error-rate', 0.5));
    await h.gateway.reload(stable, await h.secretsFor(stable));
    // chat's OpenAI fails for both plans: the stable plan falls back to Azure; the canary was left only Anthropic, which fails too.
    const canary = await planWith((p) => {
      objective(p, 'error-rate', 0.5);
      p.modelGroups.find((g) => g.name === 'chat')!.fallbacks = ['chat-anthropic'];
    });
    h.standIns.openai!.fault = { status: 500 };
    h.standIns.anthropic!.fault = { status: 500 };
    try {
      await h.gateway.startCanary(canary, await h.secretsFor(canary), { version: 'v-no-azure', percent: 50, judge: { minSamples: 10 } });
      // One request in ten asks for chat (it needs a fallback); the others ask for chat-azure, which its own group serves.
      const seen = await traffic(2_000, { model: (i) => (i % 10 === 0 ? 'chat' : 'chat-azure'), untilEnded: true });
      expect(h.gateway.state.canary).toMatchObject({ version: 'v-no-azure', status: 'rolled-back' });
      const stableArm = seen.filter((s) => s.arm === 'stable' || s.after);
      expect(stableArm.every((s) => s.status === 200)).toBe(true);
      expect(stableArm.filter((s) => s.model === 'chat').every((s) => s.deployment?.startsWith('azure-'))).toBe(true);
      const canaryChat = seen.filter((s) => s.arm === 'canary' && !s.after && s.model === 'chat');
      expect(canaryChat.length).toBeGreaterThanOrEqual(10);
      // OpenAI and Anthropic failed (502) until their breakers on the canary plan opened (503).
      expect(canaryChat.every((s) => s.status === 502 || s.status === 503)).toBe(true);
      expect(seen.filter((s) => s.arm === 'canary' && s.model === 'chat-azure').every((s) => s.status === 200)).toBe(true);
      expect(rolledBack.find((r) => r.version === 'v-no-azure')!.reason).toMatch(
        /^fallback_success_rate past the SLO fallback-success-rate \(>= 0\.95\): canary 0\.000 over 1\d requests that needed a fallback, stable (1\.000|none) over \d+, in the last 1m$/,
      );
    } finally {
      h.standIns.openai!.fault = null;
      h.standIns.anthropic!.fault = null;
    }
  });
});
