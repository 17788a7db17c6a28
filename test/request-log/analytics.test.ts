/**
 * The request log end to end, on a PostgreSQL server and on PGlite: the
 * scripted load (load.fixture.ts) goes through createRequestLog() as the
 * gateway records it, then the committed generated/sql/routing_analytics.sql
 * is applied and every analytics view must return the counts, costs and
 * fallback figures the load implies, worked out by hand below.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestLog, type RequestLogStats } from '../../src/request-log/index.ts';
import { type PostgresServer, startPostgres } from '../fixtures/postgres-server.ts';
import { pgliteEngine, type SqlEngine, serverEngine } from '../fixtures/sql-engine.ts';
import { ANALYTICS_SQL, type LoggedRequest, rowsOf, scriptedLoad } from './load.fixture.ts';

interface Written {
  db: SqlEngine;
  stats: RequestLogStats;
  cleanup(): Promise<void>;
}

/** Records the load through a writer in small batches, closes it, applies the analytics SQL. */
async function writeLoad(where: { databaseUrl: string } | { dataDir: string }, load: readonly LoggedRequest[]) {
  const log = createRequestLog({ ...where, batchSize: 300, flushIntervalMs: 20 });
  for (const r of load) log.record(r.request, r.attempts);
  await log.close(60_000);
  return log.stats();
}

function analyticsSuite(engine: string, setup: (load: readonly LoggedRequest[]) => Promise<Written>) {
  describe(`request log on ${engine}: the analytics views after a scripted load`, () => {
    const load = scriptedLoad();
    let w: Written;
    let db: SqlEngine;

    beforeAll(async () => {
      w = await setup(load);
      db = w.db;
      await db.exec(ANALYTICS_SQL());
    }, 120_000);

    afterAll(async () => {
      await w?.cleanup();
    }, 60_000);

    it('wrote every row once: 1,200 requests and 2,150 attempts, nothing dropped or refused', async () => {
      expect(rowsOf(load)).toBe(3_350);
      expect(w.stats).toEqual({ queued: 0, written: 3_350, dropped: 0, failedWrites: 0, rejected: 0 });
      expect(await db.rows(`SELECT (SELECT count(*) FROM switchyard.requests) AS requests, (SELECT count(*) FROM switchyard.attempts) AS attempts`)).toEqual([
        { requests: 1_200, attempts: 2_150 },
      ]);
    });

    it('keeps every column of a request and its attempts, times to the millisecond in UTC', async () => {
      expect(
        await db.rows(`SELECT request_id, tenant, requested_group, model_group, deployment, provider,
            to_char("startTime", 'YYYY-MM-DD HH24:MI:SS.MS') AS start, to_char("endTime", 'YYYY-MM-DD HH24:MI:SS.MS') AS "end",
            prompt_tokens, completion_tokens, total_tokens, spend, status, status_code, attempts
          FROM switchyard.requests WHERE request_id IN ('d1-c001-s4', 'd2-c049-s14') ORDER BY request_id`),
      ).toEqual([
        // cycle 1, scenario 4: the 14th request of the day, 13 * 8 s after midnight
        {
          request_id: 'd1-c001-s4',
          tenant: 'support-assistant',
          requested_group: 'chat',
          model_group: 'chat-anthropic',
          deployment: 'anthropic-claude-sonnet',
          provider: 'anthropic',
          start: '2025-03-01 00:01:44.000',
          end: '2025-03-01 00:01:45.900',
          prompt_tokens: 10_000,
          completion_tokens: 1_000,
          total_tokens: 11_000,
          spend: 0.045,
          status: 'success',
          status_code: 200,
          attempts: 5,
        },
        // the last request of day 2 (the 200th: 199 * 8 s), refused before any call
        {
          request_id: 'd2-c049-s14',
          tenant: 'research-lab',
          requested_group: 'chat',
          model_group: null,
          deployment: null,
          provider: null,
          start: '2025-03-02 00:26:32.000',
          end: '2025-03-02 00:26:32.005',
          prompt_tokens: 0,
          completion_tokens: 0,
          total_tokens: 0,
          spend: 0,
          status: 'failure',
          status_code: 429,
          attempts: 0,
        },
      ]);
      expect(
        await db.rows(`SELECT attempt, model_group, deployment, provider, outcome, status_code, latency_ms, to_char("startTime", 'HH24:MI:SS.MS') AS start
          FROM switchyard.attempts WHERE request_id = 'd1-c001-s4' ORDER BY attempt`),
      ).toEqual([
        {
          attempt: 1,
          model_group: 'chat',
          deployment: 'openai-gpt-4o',
          provider: 'openai',
          outcome: 'error',
          status_code: 503,
          latency_ms: 100,
          start: '00:01:44.000',
        },
        {
          attempt: 2,
          model_group: 'chat',
          deployment: 'openai-gpt-4o',
          provider: 'openai',
          outcome: 'error',
          status_code: 503,
          latency_ms: 100,
          start: '00:01:44.100',
        },
        {
          attempt: 3,
          model_group: 'chat-azure',
          deployment: 'azure-eastus-gpt-4o',
          provider: 'azure-eastus',
          outcome: 'timeout',
          status_code: null,
          latency_ms: 100,
          start: '00:01:44.200',
        },
        {
          attempt: 4,
          model_group: 'chat-azure',
          deployment: 'azure-swedencentral-gpt-4o',
          provider: 'azure-swedencentral',
          outcome: 'error',
          status_code: 503,
          latency_ms: 100,
          start: '00:01:44.300',
        },
        {
          attempt: 5,
          model_group: 'chat-anthropic',
          deployment: 'anthropic-claude-sonnet',
          provider: 'anthropic',
          outcome: 'success',
          status_code: 200,
          latency_ms: 100,
          start: '00:01:44.400',
        },
      ]);
    });

    it('cost per day, tenant, provider, group and deployment', async () => {
      const cost = (
        tenant: string,
        provider: string | null,
        group: string,
        deployment: string | null,
        model: string | null,
        requests: number,
        failed: number,
        tokensT: number,
        spend: number,
      ) => ({
        tenant,
        provider,
        model_group: group,
        deployment,
        model,
        requests,
        failed_requests: failed,
        prompt_tokens: tokensT * 10_000,
        completion_tokens: tokensT * 1_000,
        spend,
      });
      const q = (day: string) => `SELECT tenant, provider, model_group, deployment, model, requests, failed_requests, prompt_tokens, completion_tokens, spend
        FROM switchyard.cost_daily WHERE day = '${day}' ORDER BY tenant, provider NULLS FIRST, deployment`;
      expect(await db.rows(q('2025-03-01'))).toEqual([
        // scenarios 9 and 10, 100 each: 100 * 0.0006 and 100 * 0.00048
        cost('document-pipeline', 'vllm-pool-a', 'chat-local', 'vllm-a-llama-8b', 'llama-3.1-8b-instruct', 100, 0, 100, 0.06),
        cost('document-pipeline', 'vllm-pool-c', 'chat-local', 'vllm-c-llama-8b', 'llama-3.1-8b-instruct', 100, 0, 100, 0.048),
        // scenario 7 fell back to Sweden Central: 100 * 0.035
        cost('research-lab', 'azure-swedencentral', 'chat-azure', 'azure-swedencentral-gpt-4o', 'gpt-4o', 100, 0, 100, 3.5),
        // scenario 6 (100 * 0.035) and the failed 400s of scenario 8
        cost('research-lab', 'openai', 'chat', 'openai-gpt-4o', 'gpt-4o', 200, 100, 100, 3.5),
        cost('support-assistant', 'anthropic', 'chat-anthropic', 'anthropic-claude-sonnet', 'claude-3-5-sonnet-20241022', 100, 0, 100, 4.5),
        cost('support-assistant', 'azure-eastus', 'chat-azure', 'azure-eastus-gpt-4o', 'gpt-4o', 100, 0, 100, 3.5),
        // scenarios 1 and 2: 200 * 0.035
        cost('support-assistant', 'openai', 'chat', 'openai-gpt-4o', 'gpt-4o', 200, 0, 200, 7),
        // scenario 5 ran out of fallbacks; the last deployment tried was pool a's
        cost('support-assistant', 'vllm-pool-a', 'chat-local', 'vllm-a-llama-8b', 'llama-3.1-8b-instruct', 100, 100, 0, 0),
      ]);
      expect(await db.rows(q('2025-03-02'))).toEqual([
        // scenario 12 fell back from chat-local to chat-mini: 50 * 0.0021
        cost('document-pipeline', 'openai', 'chat-mini', 'openai-gpt-4o-mini', 'gpt-4o-mini', 50, 0, 50, 0.105),
        // scenario 14: refused before any call, so no provider; the group is the one asked for
        cost('research-lab', null, 'chat', null, null, 50, 50, 0, 0),
        cost('research-lab', 'azure-eastus', 'chat-azure', 'azure-eastus-gpt-4o', 'gpt-4o', 50, 0, 50, 1.75),
        cost('support-assistant', 'openai', 'chat', 'openai-gpt-4o', 'gpt-4o', 50, 0, 50, 1.75),
      ]);
      expect(await db.rows(`SELECT day, tenant, requests, failed_requests, spend FROM switchyard.tenant_cost_daily ORDER BY day, tenant`)).toEqual([
        { day: '2025-03-01', tenant: 'document-pipeline', requests: 200, failed_requests: 0, spend: 0.108 },
        { day: '2025-03-01', tenant: 'research-lab', requests: 300, failed_requests: 100, spend: 7 },
        { day: '2025-03-01', tenant: 'support-assistant', requests: 500, failed_requests: 100, spend: 15 },
        { day: '2025-03-02', tenant: 'document-pipeline', requests: 50, failed_requests: 0, spend: 0.105 },
        { day: '2025-03-02', tenant: 'research-lab', requests: 100, failed_requests: 50, spend: 1.75 },
        { day: '2025-03-02', tenant: 'support-assistant', requests: 50, failed_requests: 0, spend: 1.75 },
      ]);
    });

    it("provider distribution: each provider's share of the day's requests and spend", async () => {
      expect(await db.rows(`SELECT * FROM switchyard.provider_distribution_daily ORDER BY day, provider NULLS FIRST`)).toEqual([
        // Mar 1: 1,000 requests, 22.108 USD
        { day: '2025-03-01', provider: 'anthropic', requests: 100, request_share: 0.1, spend: 4.5, spend_share: 0.2035 },
        { day: '2025-03-01', provider: 'azure-eastus', requests: 100, request_share: 0.1, spend: 3.5, spend_share: 0.1583 },
        { day: '2025-03-01', provider: 'azure-swedencentral', requests: 100, request_share: 0.1, spend: 3.5, spend_share: 0.1583 },
        // scenarios 1, 2, 6, 8
        { day: '2025-03-01', provider: 'openai', requests: 400, request_share: 0.4, spend: 10.5, spend_share: 0.4749 },
        // scenarios 5 (failed) and 9
        { day: '2025-03-01', provider: 'vllm-pool-a', requests: 200, request_share: 0.2, spend: 0.06, spend_share: 0.0027 },
        { day: '2025-03-01', provider: 'vllm-pool-c', requests: 100, request_share: 0.1, spend: 0.048, spend_share: 0.0022 },
        // Mar 2: 200 requests, 3.605 USD
        { day: '2025-03-02', provider: null, requests: 50, request_share: 0.25, spend: 0, spend_share: 0 },
        { day: '2025-03-02', provider: 'azure-eastus', requests: 50, request_share: 0.25, spend: 1.75, spend_share: 0.4854 },
        // gpt-4o (scenario 11) and gpt-4o-mini (12)
        { day: '2025-03-02', provider: 'openai', requests: 100, request_share: 0.5, spend: 1.855, spend_share: 0.5146 },
      ]);
    });

    it('fallback chains, patterns and success: retries inside a group collapsed, refused requests absent', async () => {
      expect(
        await db.rows(`SELECT request_id, first_group, chain, final_group, final_deployment, attempts, fallbacks, succeeded
          FROM switchyard.fallback_chains WHERE request_id IN ('d1-c000-s1', 'd1-c000-s4', 'd1-c000-s5', 'd1-c000-s8', 'd2-c000-s12') ORDER BY request_id`),
      ).toEqual([
        {
          request_id: 'd1-c000-s1',
          first_group: 'chat',
          chain: 'chat',
          final_group: 'chat',
          final_deployment: 'openai-gpt-4o',
          attempts: 1,
          fallbacks: 0,
          succeeded: true,
        },
        {
          request_id: 'd1-c000-s4',
          first_group: 'chat',
          chain: 'chat > chat-azure > chat-anthropic',
          final_group: 'chat-anthropic',
          final_deployment: 'anthropic-claude-sonnet',
          attempts: 5,
          fallbacks: 2,
          succeeded: true,
        },
        {
          request_id: 'd1-c000-s5',
          first_group: 'chat',
          chain: 'chat > chat-azure > chat-anthropic > chat-local',
          final_group: 'chat-local',
          final_deployment: 'vllm-a-llama-8b',
          attempts: 4,
          fallbacks: 3,
          succeeded: false,
        },
        {
          request_id: 'd1-c000-s8',
          first_group: 'chat',
          chain: 'chat',
          final_group: 'chat',
          final_deployment: 'openai-gpt-4o',
          attempts: 1,
          fallbacks: 0,
          succeeded: false,
        },
        {
          request_id: 'd2-c000-s12',
          first_group: 'chat-local',
          chain: 'chat-local > chat-mini',
          final_group: 'chat-mini',
          final_deployment: 'openai-gpt-4o-mini',
          attempts: 2,
          fallbacks: 1,
          succeeded: true,
        },
      ]);
      // Every request with an attempt has a chain: 1,000 on day 1, 150 on day 2 (scenario 14 made no call).
      expect(await db.rows(`SELECT day, count(*) AS n FROM switchyard.fallback_chains GROUP BY day ORDER BY day`)).toEqual([
        { day: '2025-03-01', n: 1_000 },
        { day: '2025-03-02', n: 150 },
      ]);
      const pattern = (day: string, first: string, chain: string, group: string, deployment: string, requests: number, succeeded: number) => ({
        day,
        first_group: first,
        chain,
        final_group: group,
        final_deployment: deployment,
        requests,
        succeeded,
        success_rate: succeeded / requests,
      });
      expect(await db.rows(`SELECT * FROM switchyard.fallback_patterns ORDER BY day, chain, final_deployment`)).toEqual([
        pattern('2025-03-01', 'chat', 'chat > chat-azure', 'chat-azure', 'azure-eastus-gpt-4o', 100, 100),
        pattern('2025-03-01', 'chat', 'chat > chat-azure', 'chat-azure', 'azure-swedencentral-gpt-4o', 100, 100),
        pattern('2025-03-01', 'chat', 'chat > chat-azure > chat-anthropic', 'chat-anthropic', 'anthropic-claude-sonnet', 100, 100),
        pattern('2025-03-01', 'chat', 'chat > chat-azure > chat-anthropic > chat-local', 'chat-local', 'vllm-a-llama-8b', 100, 0),
        pattern('2025-03-02', 'chat', 'chat > chat-azure', 'chat-azure', 'azure-eastus-gpt-4o', 50, 50),
        pattern('2025-03-02', 'chat-local', 'chat-local > chat-mini', 'chat-mini', 'openai-gpt-4o-mini', 50, 50),
      ]);
      // Day 1: scenarios 3, 4, 5, 7 fell back (400), all but 5 succeeded (300); day 2: 12 and 13.
      expect(await db.rows(`SELECT * FROM switchyard.fallback_success_daily ORDER BY day`)).toEqual([
        { day: '2025-03-01', requests: 400, succeeded: 300, success_rate: 0.75, target_min: 0.95, meets_target: false },
        { day: '2025-03-02', requests: 100, succeeded: 100, success_rate: 1, target_min: 0.95, meets_target: true },
      ]);
    });

    it('latency percentiles of successful requests per serving group, interactive p95 against 2 s', async () => {
      const t = (p50: number, p95: number, p99: number) => ({ p50_ms: p50, p95_ms: p95, p99_ms: p99 });
      const interactive = (meets: boolean) => ({ workload: 'interactive', p95_target_ms: 2000, meets_target: meets });
      const costSensitive = { workload: 'cost_sensitive', p95_target_ms: null, meets_target: null };
      expect(await db.rows(`SELECT * FROM switchyard.latency_daily ORDER BY day, model_group`)).toEqual([
        // 100 each of 800, 1000, 2400 ms: p50 at rank 149.5 (both 1000), p95 at 284.05 and p99 at 296.01 (2400)
        { day: '2025-03-01', model_group: 'chat', requests: 300, ...t(1000, 2400, 2400), ...interactive(false) },
        { day: '2025-03-01', model_group: 'chat-anthropic', requests: 100, ...t(1900, 1900, 1900), ...interactive(true) },
        // 100 of 900 and 100 of 1500: p50 at rank 99.5 = 900 + 0.5 * 600
        { day: '2025-03-01', model_group: 'chat-azure', requests: 200, ...t(1200, 1500, 1500), ...interactive(true) },
        // 100 of 300 and 100 of 500
        { day: '2025-03-01', model_group: 'chat-local', requests: 200, ...t(400, 500, 500), ...costSensitive },
        { day: '2025-03-02', model_group: 'chat', requests: 50, ...t(700, 700, 700), ...interactive(true) },
        { day: '2025-03-02', model_group: 'chat-azure', requests: 50, ...t(1100, 1100, 1100), ...interactive(true) },
        { day: '2025-03-02', model_group: 'chat-mini', requests: 50, ...t(250, 250, 250), ...costSensitive },
      ]);
    });

    it('cost against the single-provider baseline (gpt-4o at 2.5 / 10 per 1M)', async () => {
      const target = { baseline_deployment: 'openai-gpt-4o', target_min_pct: 40, target_max_pct: 60, within_target: false };
      expect(await db.rows(`SELECT * FROM switchyard.cost_vs_baseline_daily ORDER BY day`)).toEqual([
        // 800 requests of T (scenarios 1-4, 6, 7, 9, 10): 28 USD at gpt-4o prices; 1 - 22.108 / 28 = 0.21043
        { day: '2025-03-01', requests: 1_000, spend: 22.108, baseline_spend: 28, reduction_pct: 21.04, ...target },
        // 150 of T: 5.25; 1 - 3.605 / 5.25 = 0.31333
        { day: '2025-03-02', requests: 200, spend: 3.605, baseline_spend: 5.25, reduction_pct: 31.33, ...target },
      ]);
    });

    it("budget burn: month-to-date spend against each tenant's monthly budget, projected over March's 31 days", async () => {
      const burn = (tenant: string, budget: number, spend: number, used: number, projected: number, projectedPct: number) => ({
        tenant,
        month: '2025-03-01',
        monthly_budget_usd: budget,
        spend_to_date: spend,
        used_pct: used,
        days_elapsed: 2,
        days_in_month: 31,
        projected_spend: projected,
        projected_pct: projectedPct,
        projected_over_budget: false,
      });
      expect(await db.rows(`SELECT * FROM switchyard.budget_burn('2025-03-02') ORDER BY tenant`)).toEqual([
        // 0.108 + 0.105 = 0.213 of 4,000; * 31 / 2 = 3.3015
        burn('document-pipeline', 4000, 0.213, 0.01, 3.3015, 0.08),
        // 7 + 1.75 = 8.75 of 8,000; * 31 / 2 = 135.625
        burn('research-lab', 8000, 8.75, 0.11, 135.625, 1.7),
        // 15 + 1.75 = 16.75 of 15,000; * 31 / 2 = 259.625
        burn('support-assistant', 15000, 16.75, 0.11, 259.625, 1.73),
      ]);
      // The view is the function for today (UTC): the load is from March 2025, so nothing this month.
      expect(
        await db.rows(
          `SELECT tenant, spend_to_date, (SELECT count(*) FROM switchyard.budget_burn((now() AT TIME ZONE 'UTC')::date) b WHERE b.tenant = v.tenant AND b.spend_to_date = v.spend_to_date) AS same FROM switchyard.tenant_budget_burn v ORDER BY tenant`,
        ),
      ).toEqual([
        { tenant: 'document-pipeline', spend_to_date: 0, same: 1 },
        { tenant: 'research-lab', spend_to_date: 0, same: 1 },
        { tenant: 'support-assistant', spend_to_date: 0, same: 1 },
      ]);
    });
  });
}

analyticsSuite('a PostgreSQL server', async (load) => {
  const pg: PostgresServer = await startPostgres();
  const stats = await writeLoad({ databaseUrl: pg.url }, load);
  return { db: serverEngine(pg), stats, cleanup: () => pg.stop() };
});

analyticsSuite('PGlite in a data directory', async (load) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-reqlog-'));
  const stats = await writeLoad({ dataDir: dir }, load);
  // The writer is closed: the directory is free for the test to open and read.
  const db = await pgliteEngine(join(dir, 'pgdata'));
  return {
    db,
    stats,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
