/**
 * A database that goes away never fails a request: a gateway writing its
 * request log to a real PostgreSQL keeps answering while the server is
 * killed, queues rows up to its bound and counts the rest as dropped (in
 * /metrics), logs that writing stopped, and writes the queue once the server
 * is back. Waits are on /metrics values (events), never on elapsed time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/gateway/log.ts';
import { resolveServingSecrets } from '../../src/gateway/secrets.ts';
import { type RunningGateway, startGateway } from '../../src/gateway/start.ts';
import { createRequestLog } from '../../src/request-log/index.ts';
import { memoryStore } from '../../src/runtime/stores/memory.ts';
import { createSecretResolver } from '../../src/secrets/resolve.ts';
import { type PostgresServer, startPostgres } from '../fixtures/postgres-server.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { ALL_SECRETS, compileOrThrow, QUICK_RETRY_LOG, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys, TENANT_KEYS } from './harness.ts';
import { parseMetrics } from './metrics-text.ts';

let postgres: PostgresServer;
let standIns: Record<string, StandIn>;
let vault: VaultStandIn;
let gateway: RunningGateway;
let url: string;
const logLines: string[] = [];
/** Rows the request log holds at most while the database is away: three requests and their attempts. */
const MAX_QUEUE = 6;

const ask = async (): Promise<number> => {
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TENANT_KEYS['support-assistant']}` },
    body: JSON.stringify({ model: 'chat-mini', messages: [{ role: 'user', content: 'What colour is a ripe banana?' }] }),
  });
  await r.text();
  return r.status;
};

/** The request log's numbers as /metrics exports them. */
async function logMetrics(): Promise<{ queued: number; written: number; dropped: number; failures: number }> {
  const m = parseMetrics(await (await fetch(`${url}/metrics`)).text());
  return {
    queued: m.get('switchyard_request_log_queued')!,
    written: m.get('switchyard_request_log_written_total')!,
    dropped: m.get('switchyard_request_log_dropped_total')!,
    failures: m.get('switchyard_request_log_write_failures_total')!,
  };
}

async function until(what: string, ok: (m: Awaited<ReturnType<typeof logMetrics>>) => boolean): Promise<void> {
  for (let i = 0; i < 1_200; i++) {
    if (ok(await logMetrics())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the request log never reached: ${what} (${JSON.stringify(await logMetrics())})`);
}

beforeAll(async () => {
  postgres = await startPostgres({ durableCommits: true });
  standIns = await startStandIns();
  vault = await startVaultWithKeys();
  const plan = compileOrThrow(await standInPolicy((id) => standIns[id]!.base));
  const secrets = await resolveServingSecrets(plan, createSecretResolver({ env: { ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token } }));
  const log = createLogger((s) => logLines.push(s), ALL_SECRETS);
  gateway = await startGateway({
    plan,
    store: memoryStore(),
    secrets,
    requestLog: createRequestLog({
      databaseUrl: postgres.url,
      maxQueue: MAX_QUEUE,
      ...QUICK_RETRY_LOG,
      onEvent: (e) => log({ ...e, msg: `request log ${e.kind}` }),
    }),
    log,
  });
  url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
}, 120_000);

afterAll(async () => {
  await gateway?.close(1_000);
  await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
  await vault?.close();
  await postgres?.stop();
}, 60_000);

describe('the gateway while its database is away', () => {
  it('answers, queues up to the bound, counts the rest as dropped, and writes the queue when the database is back', async () => {
    expect([await ask(), await ask()]).toEqual([200, 200]);
    await until('the first two requests written', (m) => m.written === 4);

    await postgres.kill();
    // Five requests while the server is gone: every one answered; three fit the queue, two are dropped (two rows each).
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await ask());
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    await until('a failed write', (m) => m.failures >= 1);
    expect(await logMetrics()).toMatchObject({ queued: MAX_QUEUE, written: 4, dropped: 4 });

    await postgres.restart();
    await until('the queue written', (m) => m.queued === 0 && m.written === 4 + MAX_QUEUE);
    expect((await logMetrics()).dropped).toBe(4);
    const rows = await postgres.client.query<{ requests: number; attempts: number }>(
      'SELECT (SELECT count(*)::int FROM switchyard.requests) AS requests, (SELECT count(*)::int FROM switchyard.attempts) AS attempts',
    );
    expect(rows.rows).toEqual([{ requests: 5, attempts: 5 }]);

    const events = logLines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg);
    expect(events.filter((m) => m.startsWith('request log'))).toEqual(['request log down', 'request log up']);
    for (const secret of ALL_SECRETS) expect(logLines.join('\n')).not.toContain(secret);
  }, 120_000);
});
