/**
 * `switchyard serve --bundle DIR --canary-version V --canary-percent N` as a
 * real process: the canary version takes its share of requests, fails
 * (its OpenAI is unreachable and it has no fallback), is rolled back on its
 * own, and the rollback is recorded in the bundle directory with the reason;
 * stable requests never see an error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryBucket, inCanary } from '../../src/gateway/canary.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { readCanaryRecord, writeCanaryRecord } from '../../src/publish/canary.ts';
import { readCurrentBundle } from '../../src/publish/read.ts';
import { rollbackBundle } from '../../src/publish/rollback.ts';
import { parseTarget, type Target } from '../../src/publish/target.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { cli } from '../fixtures/cli.ts';
import { freePort } from '../fixtures/ports.ts';
import { tempDir } from '../publish/helpers.ts';
import { planFiles, publishPlan, until } from './bundles.ts';
import { compileOrThrow, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys, TENANT_KEYS } from './harness.ts';
import { type Served, serveProcess, stopServe } from './serve-process.ts';

let standIns: Record<string, StandIn>;
let vault: VaultStandIn;
let target: Target;
let stable: CompiledPlan;
let broken: CompiledPlan;
let healthy: CompiledPlan;
let newer: CompiledPlan;
let served: Served | undefined;

beforeAll(async () => {
  standIns = await startStandIns();
  vault = await startVaultWithKeys();
  const port = await freePort();
  stable = compileOrThrow(await standInPolicy((id) => standIns[id]!.base));
  const policy = await standInPolicy((id) => standIns[id]!.base);
  policy.providers.find((p) => p.id === 'openai')!.apiBase = `http://127.0.0.1:${port}/v1`;
  policy.modelGroups.find((g) => g.name === 'chat')!.fallbacks = [];
  broken = compileOrThrow(policy);
  const ok = await standInPolicy((id) => standIns[id]!.base);
  ok.tenants.find((t) => t.id === 'research-lab')!.rpm = 321;
  healthy = compileOrThrow(ok);
  ok.tenants.find((t) => t.id === 'research-lab')!.rpm = 654;
  newer = compileOrThrow(ok);
  target = parseTarget(tempDir('switchyard-canary-'));
}, 60_000);
afterAll(async () => {
  if (served) await stopServe(served);
  await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
  await vault?.close();
});

describe('serve --canary-version', () => {
  it('rolls a failing canary back on its own and records why in the bundle directory; stable requests all succeed', async () => {
    const vStable = await publishPlan(target, stable, Date.UTC(2026, 0, 1));
    const vCanary = await publishPlan(target, broken, Date.UTC(2026, 0, 2));
    await rollbackBundle(target, vStable);
    served = await serveProcess(
      [
        '--bundle',
        target.display,
        '--canary-version',
        vCanary,
        '--canary-percent',
        '25',
        '--canary-window',
        '30s',
        '--canary-min-samples',
        '15',
        '--memory',
        '--no-request-log',
      ],
      { ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token },
    );
    expect(served.stderr()).toContain(`"canary":"${vCanary}","canaryPercent":25`);
    expect(await readCanaryRecord(target)).toMatchObject({ version: vCanary, percent: 25, status: 'running', reason: null });
    const seen: Array<{ canary: boolean; status: number }> = [];
    for (let i = 0; i < 300 && !served.stderr().includes('"msg":"canary rolled back"'); i++) {
      const r = await fetch(`${served.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TENANT_KEYS['support-assistant']}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await r.text();
      seen.push({ canary: inCanary(canaryBucket('support-assistant', r.headers.get('x-request-id')!), 25), status: r.status });
    }
    expect(served.stderr()).toContain('"msg":"canary rolled back"');
    expect(seen.filter((s) => !s.canary).every((s) => s.status === 200)).toBe(true);
    // The judge needed its 15 canary answers (--canary-min-samples) before it decided.
    const failed = seen.filter((s) => s.status !== 200);
    expect(failed.length).toBe(15);
    expect(failed.every((s) => s.canary)).toBe(true);
    let record = await readCanaryRecord(target);
    for (let i = 0; i < 100 && record?.status !== 'rolled-back'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      record = await readCanaryRecord(target);
    }
    expect(record).toMatchObject({ version: vCanary, percent: 25, status: 'rolled-back' });
    expect(record!.reason).toMatch(
      /^error_rate past the SLO error-rate \(<= 0\.01\): canary 1\.000 over 15 requests, stable 0\.000 over \d+, in the last 30s$/,
    );
    const ready = (await (await fetch(`${served.url}/readyz`)).json()) as { plan: { hash: string }; canary: { status: string } };
    expect(ready.plan.hash).toBe(stable.hash);
    expect(ready.canary.status).toBe('rolled-back');
    expect(await stopServe(served)).toBe(0);
    served = undefined;
  }, 60_000);

  it('follows the canary record: a canary started through the target, aborted and promoted with switchyard canary', async () => {
    const dir = parseTarget(tempDir('switchyard-canary-cli-'));
    const vStable = await publishPlan(dir, stable, Date.UTC(2026, 1, 1));
    const vOk = await publishPlan(dir, healthy, Date.UTC(2026, 1, 2));
    await rollbackBundle(dir, vStable);
    served = await serveProcess(['--bundle', dir.display, '--memory', '--no-request-log'], {
      ...PROVIDER_ENV,
      VAULT_ADDR: vault.addr,
      VAULT_TOKEN: vault.token,
    });
    const ready = async () =>
      (await (await fetch(`${served!.url}/readyz`)).json()) as { plan: { hash: string }; canary?: { version: string; status: string; percent: number } };
    let last: Awaited<ReturnType<typeof ready>> | null = null;
    const poll = setInterval(() => void ready().then((r) => (last = r)), 30);
    try {
      // publish --canary of a new plan: added beside current, not made current; the gateway starts the canary within its poll.
      const gen = tempDir('switchyard-canary-gen-');
      for (const [p, bytes] of planFiles(newer)) writeFileSync(join(gen, p), bytes);
      const published = await cli('publish', '--to', dir.display, '--from', gen, '--no-recompile', '--commit', 'abc123', '--canary', '10');
      expect(published.code).toBe(0);
      const vNew = /^published (\S+) to /.exec(published.stdout)![1]!;
      expect(published.stdout.split('\n')[1]).toBe(
        `canary: ${vNew} on 10% of requests (current stays ${vStable}); switchyard canary promote|abort --target ${dir.display}`,
      );
      expect((await readCurrentBundle(dir)).version).toBe(vStable);
      await until(() => last?.canary?.status === 'running', 'the canary to start');
      expect(last!.canary).toMatchObject({ version: vNew, percent: 10 });
      expect(last!.plan.hash).toBe(stable.hash);
      const status = await cli('canary', 'status', '--target', dir.display);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^canary ${vNew} on 10% of requests: running, since \\d{4}-`));
      const aborted = await cli('canary', 'abort', '--target', dir.display);
      expect(aborted.code).toBe(0);
      expect(aborted.stdout).toMatch(new RegExp(`^canary ${vNew} on 10% of requests: aborted \\(aborted with switchyard canary abort\\), since `));
      await until(() => last?.canary?.status === 'aborted', 'the canary to stop');
      expect(await cli('canary', 'abort', '--target', dir.display)).toMatchObject({
        code: 1,
        stderr: `switchyard: the canary ${vNew} on ${dir.display} is not running (aborted): nothing to abort\n`,
      });
      await writeCanaryRecord(dir, { version: vOk, percent: 10, status: 'running', reason: null, at: '2026-02-03T00:01:00.000Z' });
      await until(() => last?.canary?.status === 'running', 'the canary to start again');
      const promoted = await cli('canary', 'promote', '--target', dir.display);
      expect(promoted.code).toBe(0);
      await until(() => last?.plan.hash === healthy.hash && last?.canary?.status === 'promoted', 'the canary to be promoted');
      expect(await readCanaryRecord(dir)).toMatchObject({ version: vOk, status: 'promoted' });
    } finally {
      clearInterval(poll);
    }
    expect(await stopServe(served)).toBe(0);
    served = undefined;
  }, 60_000);
});
