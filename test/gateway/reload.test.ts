/**
 * Hot reload from a publish target (`serve --bundle`): the gateway follows
 * the target's current version through publishes and rollbacks, requests in
 * flight finish on the plan they started with, breaker and usage state
 * carries over by deployment id, a bundle that fails to verify is skipped,
 * and ten reloads under a steady concurrent load fail no request.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BundleFollower, followBundle } from '../../src/gateway/follow-bundle.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { DirStore } from '../../src/publish/dir-store.ts';
import { rollbackBundle } from '../../src/publish/rollback.ts';
import { parseTarget, type Target } from '../../src/publish/target.ts';
import { tempDir } from '../publish/helpers.ts';
import { publishPlan, until } from './bundles.ts';
import { compileOrThrow, type GatewayHarness, standInPolicy, startHarness, withTestGroups } from './harness.ts';
import { parseMetrics, series } from './metrics-text.ts';

let h: GatewayHarness;
let target: Target;
let follower: BundleFollower;
let planA: CompiledPlan;
let planB: CompiledPlan;
let vA: string;
let vB: string;
const lines: string[] = [];

const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'What colour is a ripe banana?' }],
  ...extra,
});

beforeAll(async () => {
  h = await startHarness({ edit: withTestGroups });
  planA = h.plan;
  // Plan B: the same deployments, other limits (research-lab's rpm) and a removed group.
  const policy = await standInPolicy((id) => h.standIns[id]!.base);
  withTestGroups(policy);
  policy.tenants.find((t) => t.id === 'research-lab')!.rpm = 1_000;
  planB = compileOrThrow(policy);
  expect(planB.hash).not.toBe(planA.hash);
  target = parseTarget(tempDir('switchyard-reload-'));
  vA = await publishPlan(target, planA, Date.UTC(2026, 0, 1));
  follower = followBundle({
    target,
    version: vA,
    reload: h.gateway.reload,
    secretsFor: h.secretsFor,
    log: (l) => lines.push(JSON.stringify(l)),
    pollMs: 200,
  });
  vB = await publishPlan(target, planB, Date.UTC(2026, 0, 2));
  await until(() => follower.version() === vB, 'the publish of B to be served');
});
afterAll(async () => {
  await follower?.close();
  await h?.close();
});
beforeEach(() => {
  for (const s of Object.values(h.standIns)) s.reset();
});

const readyHash = async () => (await h.get('/readyz')).json.plan.hash as string;

async function switchTo(version: string, hash: string): Promise<void> {
  await rollbackBundle(target, version);
  await until(() => follower.version() === version, `version ${version} to be served`);
  expect(await readyHash()).toBe(hash);
}

describe('serve --bundle follows the publish target', () => {
  it('a publish is served, then a rollback; the log says which versions, hashes and how much state carried', async () => {
    expect(await readyHash()).toBe(planB.hash);
    const reloaded = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'plan reloaded');
    expect(reloaded).toHaveLength(1);
    expect(reloaded[0]).toMatchObject({ version: vB, previous: vA, hash: planB.hash, previousHash: planA.hash });
    expect(reloaded[0].carried).toEqual({ deployments: Object.keys(planA.deployments).length, tenants: Object.keys(planA.tenants).length });
    await switchTo(vA, planA.hash);
    // research-lab: 3 requests a minute on plan A (the harness's limit), so the fourth is refused.
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await h.post('/v1/chat/completions', chat('chat-mini'), { tenant: 'research-lab' })).status);
    expect(codes).toEqual([200, 200, 200, 429]);
    // On plan B its limit is 1000 a minute, and the usage window carried over (4 counted): it is served again.
    await switchTo(vB, planB.hash);
    expect((await h.post('/v1/chat/completions', chat('chat-mini'), { tenant: 'research-lab' })).status).toBe(200);
    await switchTo(vA, planA.hash);
    // Back on plan A, the window still holds this minute's requests: refused at once.
    expect((await h.post('/v1/chat/completions', chat('chat-mini'), { tenant: 'research-lab' })).status).toBe(429);
  });

  it('an open breaker stays open across a reload: the deployment is not called again', async () => {
    await switchTo(vA, planA.hash);
    h.standIns['vllm-pool-c']!.fault = { status: 500 };
    expect((await h.post('/v1/chat/completions', chat('a-flaky'))).status).toBe(502);
    expect((await h.post('/v1/chat/completions', chat('a-flaky'))).status).toBe(502);
    expect(h.standIns['vllm-pool-c']!.requests).toHaveLength(2);
    await switchTo(vB, planB.hash);
    h.standIns['vllm-pool-c']!.fault = null;
    const r = await h.post('/v1/chat/completions', chat('a-flaky'));
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe('no_deployment_available');
    expect(h.standIns['vllm-pool-c']!.requests).toHaveLength(2);
    expect(parseMetrics((await h.get('/metrics')).text).get(series('switchyard_circuit_breaker_state', { deployment: 'vllm-c-llama-8b' }))).toBe(1);
  });

  it('a stream in flight finishes on the plan it started with; the old plan is retired once it ends', async () => {
    await switchTo(vA, planA.hash);
    let release!: () => void;
    h.standIns.openai!.hold = new Promise((r) => (release = r));
    const pending = h.post('/v1/chat/completions', chat('chat', { stream: true }));
    await until(() => h.standIns.openai!.requests.length === 1, 'the stream to reach the provider');
    await switchTo(vB, planB.hash);
    // The stream holds plan A's generation: it is replaced but not closed.
    expect(h.gateway.retiring()).toBe(1);
    release();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await until(() => h.gateway.retiring() === 0, 'plan A to be retired');
    const row = h.requestLog.requests().at(-1)!;
    expect(row.statusCode).toBe(200);
    expect(row.requestedGroup).toBe('chat');
  });

  it('a bundle that fails its sha256 check is not served: the gateway keeps its plan and says why', async () => {
    const policy = await standInPolicy((id) => h.standIns[id]!.base);
    withTestGroups(policy);
    policy.tenants.find((t) => t.id === 'research-lab')!.rpm = 999;
    const planC = compileOrThrow(policy);
    const vC = await publishPlan(target, planC, Date.UTC(2026, 0, 3));
    await until(() => follower.version() === vC, 'C to be served');
    await switchTo(vA, planA.hash);
    // C's plan.json changed on disk after publishing: its sha256 no longer matches the manifest.
    const file = join(target.kind === 'dir' ? target.dir : '', 'versions', vC, 'files', 'plan.json');
    writeFileSync(file, `${JSON.stringify({ ...planC, name: 'tampered' })}\n`);
    const failuresBefore = follower.counts().failures;
    // rollback refuses a damaged version, so current is switched under it, as a hand edit or a bad sync would.
    await new DirStore(target as Extract<Target, { kind: 'dir' }>).setCurrent(vC);
    await until(() => follower.counts().failures === failuresBefore + 1, 'the tampered bundle to be refused');
    expect(follower.version()).toBe(vA);
    expect(await readyHash()).toBe(planA.hash);
    const failed = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'plan reload failed: keeping the plan served');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ version: vC, served: vA });
    expect(failed[0].error).toMatch(/plan\.json does not match the manifest/);
    expect((await h.post('/v1/chat/completions', chat('chat'))).status).toBe(200);
    // Refused once, not on every poll; the next change of current is followed again.
    await new Promise((r) => setTimeout(r, 500));
    expect(follower.counts().failures).toBe(failuresBefore + 1);
    await switchTo(vB, planB.hash);
  });

  it('ten reloads under concurrent load (streams and plain requests): no request fails', async () => {
    await switchTo(vA, planA.hash);
    h.standIns.openai!.eventDelayMs = 2;
    const statuses = new Map<number, number>();
    let broken = 0;
    let stop = false;
    const MAX_PER_WORKER = 400;
    async function worker(w: number): Promise<void> {
      for (let i = 0; i < MAX_PER_WORKER && !stop; i++) {
        const stream = (i + w) % 2 === 0;
        const r = await h.post('/v1/chat/completions', chat(w % 3 === 0 ? 'chat-mini' : 'chat', stream ? { stream: true } : {}));
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200 && stream && !r.text.trimEnd().endsWith('data: [DONE]')) broken++;
      }
    }
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    const reloadsBefore = follower.counts().reloads;
    try {
      for (let i = 0; i < 10; i++) {
        const [v, hash] = i % 2 === 0 ? [vB, planB.hash] : [vA, planA.hash];
        await switchTo(v, hash);
      }
    } finally {
      stop = true;
      await load;
      h.standIns.openai!.eventDelayMs = 0;
    }
    expect(follower.counts().reloads - reloadsBefore).toBe(10);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(50);
    expect(statuses).toEqual(new Map([[200, total]]));
    expect(broken).toBe(0);
    await until(() => h.gateway.retiring() === 0, 'every replaced plan to be retired');
  });
});
