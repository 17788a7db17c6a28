/**
 * Two routers in two processes on one real redis-server, with the system
 * clock and background syncs every 20 ms (as two gateway replicas run):
 * they share a breaker and a tenant's rpm, exactly once both have synced;
 * then Redis is killed mid-run and restarted, and both recover. Waits are on
 * sync counts (events), never on elapsed time.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisServerMissing, startRedisServer, type RedisServer, redisInspector } from '../fixtures/redis-server.ts';
import { REPO } from '../fixtures/workspace.ts';
import { deployment, group, plan } from './plans.ts';
import { REQUEST_USD, requestsIn } from './shared-state.ts';

const missing = redisServerMissing();

/** main = [a, b] ordered; acme may send 20 requests a minute. */
const PLAN = plan([deployment('a'), deployment('b')], [group('main', ['a', 'b'], { strategy: 'ordered' })], {
  acme: { id: 'acme', description: null, apiKeys: [], allowedGroups: ['main'], rpm: 20, tpm: null, monthlyBudgetUsd: null },
});
const REQUEST = { group: 'main', tenant: 'acme', estimatedInputTokens: 1_000, maxOutputTokens: 200 };

interface Reply {
  ok?: number;
  reasons?: string[];
  first?: Array<{ deployment: string | null; outcome: string; reason?: string }>;
  metrics?: { syncs: number; degraded: boolean; degradedCount: number; recoveredCount: number; events: string[] };
  deployment?: { breaker: string; openedAt: number };
  tenant?: { requests: number; spendUsd: number };
}

class RouterProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  constructor(planFile: string, url: string, down: string[]) {
    this.child = spawn(process.execPath, [join(REPO, 'test/fixtures/router-process.mjs'), planFile, url, 'proc:', '20', ...down], { stdio: 'pipe' });
    this.child.stderr.on('data', (d) => process.stderr.write(d));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }
  async send(cmd: object): Promise<Reply> {
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`router process exited (code ${this.child.exitCode})`);
    return JSON.parse(next.value) as Reply;
  }
  route = (n: number) => this.send({ op: 'route', n, request: REQUEST });
  /** Returns once two more background syncs completed: one that started after this call pushed and pulled everything before it. */
  synced = () => this.send({ op: 'syncs', k: 2 });
  inspect = () => this.send({ op: 'inspect', deployment: 'a', tenant: 'acme' });
  kill(): void {
    this.child.kill('SIGKILL');
  }
}

describe.skipIf(missing !== null)('Redis store shared by two router processes', () => {
  let server: RedisServer;
  let inspector: Redis;
  let dir: string;
  const procs: RouterProcess[] = [];
  beforeAll(async () => {
    server = await startRedisServer();
    inspector = redisInspector(server.url);
    dir = mkdtempSync(join(tmpdir(), 'switchyard-router-procs-'));
  });
  afterAll(async () => {
    for (const p of procs) p.kill();
    inspector?.disconnect();
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('share a breaker and a tenant limit, and survive Redis being killed and restarted', async () => {
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(PLAN));
    // a fails in the first process only: the second must still skip it once the breaker is shared.
    const p1 = new RouterProcess(planFile, server.url, ['a']);
    const p2 = new RouterProcess(planFile, server.url, []);
    procs.push(p1, p2);
    const settle = async () => {
      for (const p of [p1, p2, p1]) await p.synced();
    };

    const first = await p1.route(1);
    expect(first.first!.map((a) => `${a.deployment}:${a.outcome}`)).toEqual(['a:error', 'a:error', 'a:skipped', 'b:ok']);
    const opened = (await p1.inspect()).deployment!;
    expect(opened.breaker).toBe('open');
    await settle();
    const second = await p2.route(1);
    expect(second.first![0]).toMatchObject({ deployment: 'a', outcome: 'skipped', reason: 'circuit-open' });
    expect((await p2.inspect()).deployment).toMatchObject({ breaker: 'open', openedAt: opened.openedAt });

    // 2 used; the first takes 10, then the second gets exactly the 8 left.
    expect((await p1.route(10)).ok).toBe(10);
    await settle();
    const rest = await p2.route(10);
    expect(rest.ok).toBe(8);
    expect(rest.reasons).toEqual(['tenant-rpm', 'tenant-rpm']);
    await settle();
    for (const p of [p1, p2]) {
      expect((await p.inspect()).tenant!.requests).toBe(20);
      expect((await p.route(1)).ok).toBe(0);
    }
    const acme = await inspector.hgetall('proc:{router}:t:acme');
    expect(requestsIn(acme)).toBe(20);
    expect(Number(acme.u)).toBeCloseTo(20 * REQUEST_USD, 12);

    // Redis dies mid-run: both keep routing on their mirrors (the limit still binds locally), then recover.
    await server.stop('SIGKILL');
    for (const p of [p1, p2]) await p.send({ op: 'until', field: 'degraded', value: true });
    expect((await p1.route(1)).ok).toBe(0);
    await server.start();
    for (const p of [p1, p2]) {
      const m = (await p.send({ op: 'until', field: 'recoveredCount', value: 1 })).metrics!;
      expect(m).toMatchObject({ degraded: false, degradedCount: 1, recoveredCount: 1 });
      expect(m.events).toEqual(expect.arrayContaining(['degraded', 'recovered']));
    }
    // Redis came back empty (no persistence): once both have synced, both see that state, and the limit has room again.
    await settle();
    for (const p of [p1, p2]) expect((await p.inspect()).tenant!.requests).toBe(0);
    expect((await p2.route(3)).ok).toBe(3);
    await settle();
    expect((await p1.inspect()).tenant!.requests).toBe(3);
    expect(requestsIn(await inspector.hgetall('proc:{router}:t:acme'))).toBe(3);

    for (const p of [p1, p2]) expect((await p.send({ op: 'close' })).metrics!.degraded).toBe(false);
  });
});
