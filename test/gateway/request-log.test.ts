/**
 * The gateway's request log on a real PostgreSQL, read back through the
 * committed generated/sql/routing_analytics.sql: after a scripted load
 * (successes, retries and a fallback while OpenAI fails, a refused group, a
 * tenant over its rpm, an unknown key), the views return the counts, the
 * fallback chain and the statuses the load implies, and the spend and
 * baseline spend the views compute equal the gateway's own
 * switchyard_cost_usd_total and switchyard_baseline_cost_usd_total: the
 * cost-reduction SLO reads one figure from Prometheus and from the database.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/gateway/log.ts';
import { resolveServingSecrets } from '../../src/gateway/secrets.ts';
import { type ClosedSummary, startGateway } from '../../src/gateway/start.ts';
import { createRequestLog } from '../../src/request-log/index.ts';
import { memoryStore } from '../../src/runtime/stores/memory.ts';
import { createSecretResolver } from '../../src/secrets/resolve.ts';
import { type PostgresServer, startPostgres } from '../fixtures/postgres-server.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { REPO } from '../fixtures/workspace.ts';
import { ALL_SECRETS, compileOrThrow, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys, TENANT_KEYS, withTestGroups } from './harness.ts';
import { parseMetrics, type Scrape } from './metrics-text.ts';

let postgres: PostgresServer;
let standIns: Record<string, StandIn>;
let vault: VaultStandIn;
/** The x-request-id of each answer, by what the request was. */
const ids: Record<string, string[]> = {};
const statuses: number[] = [];
let scrape: Scrape;
let closed: ClosedSummary;
const logLines: string[] = [];

const rows = async <T = Record<string, unknown>>(sql: string): Promise<T[]> => (await postgres.client.query(sql)).rows as T[];
/** The sum of every series of a metric. */
const total = (name: string) => [...scrape].filter(([k]) => k.startsWith(`${name}{`)).reduce((n, [, v]) => n + v, 0);

beforeAll(async () => {
  postgres = await startPostgres();
  standIns = await startStandIns();
  vault = await startVaultWithKeys();
  const policy = await standInPolicy((id) => standIns[id]!.base);
  withTestGroups(policy);
  const plan = compileOrThrow(policy);
  const secrets = await resolveServingSecrets(plan, createSecretResolver({ env: { ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token } }));
  const gateway = await startGateway({
    plan,
    store: memoryStore(),
    secrets,
    requestLog: createRequestLog({ databaseUrl: postgres.url, flushIntervalMs: 20 }),
    log: createLogger((s) => logLines.push(s), ALL_SECRETS),
  });
  const url = `http://127.0.0.1:${(await gateway.listen(0, '127.0.0.1')).port}`;
  const ask = async (what: string, model: string, tenant: string | null) => {
    const r = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant === null ? 'sk-unknown-0000' : TENANT_KEYS[tenant]}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'What colour is a ripe banana?' }] }),
    });
    await r.text();
    statuses.push(r.status);
    (ids[what] ??= []).push(r.headers.get('x-request-id')!);
  };
  for (let i = 0; i < 3; i++) await ask('mini', 'chat-mini', 'support-assistant');
  // OpenAI answers 503: chat's only deployment is called, retried once, then chat-azure serves.
  standIns.openai!.fault = { status: 503 };
  for (let i = 0; i < 2; i++) await ask('fallback', 'chat', 'support-assistant');
  standIns.openai!.fault = null;
  await ask('forbidden', 'premium', 'support-assistant');
  // research-lab may send 3 requests a minute (withTestGroups): the 4th is refused.
  for (let i = 0; i < 4; i++) await ask('research', 'chat-mini', 'research-lab');
  await ask('unknown-key', 'chat-mini', null);
  scrape = parseMetrics(await (await fetch(`${url}/metrics`)).text());
  // The graceful shutdown writes what is queued, then the analytics SQL is applied over the rows.
  closed = await gateway.close(5_000);
  await postgres.client.query(readFileSync(join(REPO, 'generated/sql/routing_analytics.sql'), 'utf8'));
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
  await vault?.close();
  await postgres?.stop();
}, 60_000);

describe('the request log on PostgreSQL, through the analytics views', () => {
  it('the load answered as scripted', () => {
    expect(statuses).toEqual([200, 200, 200, 200, 200, 403, 200, 200, 200, 429, 401]);
  });

  it('one row per request that named a group it could be refused for, one per upstream call; nothing dropped', async () => {
    // 3 + 2 + 1 + 4 requests (the unknown key names no tenant: not logged); 3 + 2 * 3 + 0 + 3 calls.
    expect(closed.requestLog).toEqual({ queued: 0, written: 10 + 12, dropped: 0, failedWrites: 0, rejected: 0 });
    expect(
      await rows('SELECT (SELECT count(*)::int FROM switchyard.requests) AS requests, (SELECT count(*)::int FROM switchyard.attempts) AS attempts'),
    ).toEqual([{ requests: 10, attempts: 12 }]);
    expect(await rows(`SELECT request_id FROM switchyard.requests WHERE request_id = '${ids['unknown-key']![0]}'`)).toEqual([]);
    // The gateway's /metrics said the same before it stopped (the last rows possibly still queued then).
    expect(scrape.get('switchyard_request_log_written_total')! + scrape.get('switchyard_request_log_queued')!).toBe(22);
    expect(scrape.get('switchyard_request_log_dropped_total')).toBe(0);
  });

  it('statuses and attempts per request as the client saw them', async () => {
    const byId = new Map(
      (
        await rows<{ request_id: string; status: string; status_code: number; attempts: number; model_group: string | null }>(
          'SELECT request_id, status, status_code, attempts, model_group FROM switchyard.requests',
        )
      ).map((r) => [r.request_id, r]),
    );
    const shape = (what: string) => ids[what]!.map((id) => byId.get(id)).map((r) => r && [r.status, r.status_code, r.attempts, r.model_group]);
    expect(shape('mini')).toEqual(Array(3).fill(['success', 200, 1, 'chat-mini']));
    expect(shape('fallback')).toEqual(Array(2).fill(['success', 200, 3, 'chat-azure']));
    expect(shape('forbidden')).toEqual([['failure', 403, 0, null]]);
    expect(shape('research')).toEqual([...Array(3).fill(['success', 200, 1, 'chat-mini']), ['failure', 429, 0, null]]);
  });

  it('fallback_chains and fallback_patterns see the chain that fired, and the calls of each request in order', async () => {
    // Per final deployment (usage_based spreads chat-azure's traffic over its two), summed here.
    expect(
      await rows(`SELECT first_group, chain, final_group, sum(requests)::int AS requests, sum(succeeded)::int AS succeeded
        FROM switchyard.fallback_patterns GROUP BY first_group, chain, final_group`),
    ).toEqual([{ first_group: 'chat', chain: 'chat > chat-azure', final_group: 'chat-azure', requests: 2, succeeded: 2 }]);
    expect(await rows('SELECT requests::int, succeeded::int, success_rate::float FROM switchyard.fallback_success_daily')).toEqual([
      { requests: 2, succeeded: 2, success_rate: 1 },
    ]);
    const calls = await rows<{ attempt: number; deployment: string; outcome: string; status_code: number | null }>(
      `SELECT attempt, deployment, outcome, status_code FROM switchyard.attempts WHERE request_id = '${ids.fallback![0]}' ORDER BY attempt`,
    );
    expect(calls.map((c) => [c.attempt, c.deployment, c.outcome, c.status_code])).toEqual([
      [1, 'openai-gpt-4o', 'error', 503],
      [2, 'openai-gpt-4o', 'error', 503],
      [3, calls[2]!.deployment, 'success', 200],
    ]);
    expect(['azure-eastus-gpt-4o', 'azure-swedencentral-gpt-4o']).toContain(calls[2]!.deployment);
    // The gateway counted the same move, with the same outcome.
    expect(scrape.get('switchyard_fallbacks_total{group="chat",from_group="chat",to_group="chat-azure",outcome="success"}')).toBe(2);
  });

  it('spend and baseline spend in the views equal the gateway counters', async () => {
    const [tenants] = await rows<{ spend: number; requests: number }>(
      'SELECT sum(spend)::float AS spend, sum(requests)::int AS requests FROM switchyard.tenant_cost_daily',
    );
    expect(tenants!.requests).toBe(10);
    expect(tenants!.spend).toBeGreaterThan(0);
    expect(tenants!.spend).toBeCloseTo(total('switchyard_cost_usd_total'), 12);
    const [baseline] = await rows<{ baseline_deployment: string; spend: number; baseline_spend: number }>(
      'SELECT baseline_deployment, sum(spend)::float AS spend, sum(baseline_spend)::float AS baseline_spend FROM switchyard.cost_vs_baseline_daily GROUP BY baseline_deployment',
    );
    expect(baseline!.baseline_deployment).toBe('openai-gpt-4o');
    expect(baseline!.baseline_spend).toBeGreaterThan(baseline!.spend);
    expect(baseline!.baseline_spend).toBeCloseTo(total('switchyard_baseline_cost_usd_total'), 12);
  });

  it('no secret value in any row or log line', async () => {
    const dump = JSON.stringify([await rows('SELECT * FROM switchyard.requests'), await rows('SELECT * FROM switchyard.attempts'), logLines]);
    for (const secret of ALL_SECRETS) expect(dump).not.toContain(secret);
  });
});
