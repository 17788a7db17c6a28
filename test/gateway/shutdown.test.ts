/**
 * Graceful shutdown of a real `switchyard serve` process: on SIGTERM it
 * stops accepting connections, lets the requests in flight finish (a stream
 * included), writes the request log's queue to a real PostgreSQL and exits
 * 0; requests that outlive --shutdown-timeout are cut and counted.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planJsonTarget } from '../../src/targets/plan-json.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { type PostgresServer, startPostgres } from '../fixtures/postgres-server.ts';
import { type Served, serveProcess } from './serve-process.ts';
import { ALL_SECRETS, compileOrThrow, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys, TENANT_KEYS } from './harness.ts';

let dir: string;
let postgres: PostgresServer;
let standIns: Record<string, StandIn>;
let vault: VaultStandIn;
let planFile: string;

beforeAll(async () => {
  standIns = await startStandIns();
  vault = await startVaultWithKeys();
  postgres = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'switchyard-serve-'));
  planFile = join(dir, 'plan.json');
  writeFileSync(planFile, planJsonTarget.emit(compileOrThrow(await standInPolicy((id) => standIns[id]!.base)))[0]!.content);
}, 60_000);
afterAll(async () => {
  await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
  await vault?.close();
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const DB_PASSWORD = 'db-password-5e8f1a2b';

const serve = (...args: string[]): Promise<Served> =>
  serveProcess(['--plan', planFile, '--memory', ...args], { ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token });

/** A request whose answer is collected as it arrives; resolves with status and body. */
function call(url: string, body: Record<string, unknown>): { firstByte: Promise<void>; done: Promise<{ status: number; text: string; requestId: string }> } {
  let first!: () => void;
  const firstByte = new Promise<void>((r) => (first = r));
  const done = new Promise<{ status: number; text: string; requestId: string }>((resolve, reject) => {
    const u = new URL(`${url}/v1/chat/completions`);
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${TENANT_KEYS['support-assistant']}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
          first();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, requestId: String(res.headers['x-request-id']) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ messages: [{ role: 'user', content: 'Say hello.' }], ...body }));
  });
  return { firstByte, done };
}

const refused = (url: string) =>
  fetch(`${url}/healthz`).then(
    () => false,
    (e: Error & { cause?: { code?: string } }) => e.cause?.code === 'ECONNREFUSED',
  );

describe('SIGTERM', () => {
  it('stops accepting, finishes the stream and the request in flight, writes the request log to PostgreSQL, exits 0', async () => {
    // The server trusts loopback, so the password is never checked: it is there to be kept out of every line.
    const databaseUrl = postgres.url.replace(`//${postgres.user}@`, `//${postgres.user}:${DB_PASSWORD}@`);
    const s = await serve('--shutdown-timeout', '20s', '--database-url', databaseUrl);
    standIns.openai!.eventDelayMs = 150;
    standIns['vllm-pool-a']!.fault = { delayMs: 800 };
    standIns['vllm-pool-b']!.fault = { delayMs: 800 };
    standIns['vllm-pool-c']!.fault = { delayMs: 800 };
    try {
      const stream = call(s.url, { model: 'chat', stream: true });
      await stream.firstByte;
      const slow = call(s.url, { model: 'chat-local' });
      await new Promise((r) => setTimeout(r, 100));
      s.child.kill('SIGTERM');
      for (let i = 0; i < 50 && !(await refused(s.url)); i++) await new Promise((r) => setTimeout(r, 20));
      expect(await refused(s.url)).toBe(true);
      const [st, sl] = await Promise.all([stream.done, slow.done]);
      expect(st.status).toBe(200);
      expect(st.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
      expect(st.text.split('\n\n').filter(Boolean)).toHaveLength(6);
      expect(sl.status).toBe(200);
      expect(await s.exit).toBe(0);
      const lines = s
        .stderr()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, any>);
      const shutting = lines.find((l) => l.msg === 'shutting down')!;
      expect(shutting).toMatchObject({ signal: 'SIGTERM', inFlight: 2, timeoutMs: 20_000 });
      expect(lines.find((l) => l.msg === 'listening')).toMatchObject({ requestLog: `PostgreSQL postgres://127.0.0.1:${postgres.port}/postgres` });
      // Two requests, one attempt each: four rows written, none dropped...
      expect(lines.at(-1)).toMatchObject({ msg: 'stopped', unfinished: 0, requestLog: { written: 4, dropped: 0, queued: 0, rejected: 0 } });
      // ...and they are in the database the analytics SQL reads.
      const requests = await postgres.client.query('SELECT request_id, requested_group, status, attempts FROM switchyard.requests ORDER BY requested_group');
      expect(requests.rows).toEqual([
        { request_id: st.requestId, requested_group: 'chat', status: 'success', attempts: 1 },
        { request_id: sl.requestId, requested_group: 'chat-local', status: 'success', attempts: 1 },
      ]);
      const attempts = await postgres.client.query('SELECT request_id, attempt, outcome FROM switchyard.attempts ORDER BY request_id');
      expect(attempts.rows).toEqual([st.requestId, sl.requestId].sort().map((id) => ({ request_id: id, attempt: 1, outcome: 'success' })));
      for (const secret of [...ALL_SECRETS, DB_PASSWORD]) expect(s.stderr()).not.toContain(secret);
    } finally {
      standIns.openai!.eventDelayMs = 0;
      for (const p of ['vllm-pool-a', 'vllm-pool-b', 'vllm-pool-c']) standIns[p]!.fault = null;
      s.child.kill('SIGKILL');
    }
  });

  it('cuts requests that outlive --shutdown-timeout and says how many', async () => {
    const s = await serve('--shutdown-timeout', '300ms', '--no-request-log');
    standIns.openai!.fault = { hang: true };
    standIns.openai!.requests.length = 0;
    try {
      const hanging = call(s.url, { model: 'chat-mini' });
      hanging.done.catch(() => {});
      for (let i = 0; i < 100 && standIns.openai!.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const t0 = Date.now();
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(s.stderr()).toMatch(/"msg":"stopped","unfinished":1,/);
    } finally {
      standIns.openai!.fault = null;
      s.child.kill('SIGKILL');
    }
  });
});
