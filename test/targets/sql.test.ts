/**
 * The analytics SQL, run for real: on embedded PostgreSQL (PGlite) and on a
 * PostgreSQL server the harness spawns (test/fixtures/postgres-server.ts).
 * Both engines get the same steps and the same assertions:
 *
 * 1. apply the file to an empty database (no LiteLLM tables: the LiteLLM view is an empty stand-in);
 * 2. load LiteLLM's spend-log DDL (fixtures/litellm/spend_logs.sql, unmodified), apply the file twice;
 * 3. seed test/targets/sql-dataset.fixture.ts, apply the file once more (data survives);
 * 4. compare every view with numbers worked out by hand from the dataset.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS_SQL_PATH } from '../../src/targets/paths.ts';
import { analyticsViewNames, baselineDeployment, emitSql, renderAnalyticsSql } from '../../src/targets/sql.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { analyticsPlan } from './sql-plan.fixture.ts';
import { seedSql } from './sql-dataset.fixture.ts';
import { SHARED_FIXTURES } from '../fixtures/shared.ts';
import { ownServerEngine, pgliteEngine, type Row, type SqlEngine } from '../fixtures/sql-engine.ts';

const FIXTURES = process.env.SWITCHYARD_LITELLM_FIXTURES ?? join(SHARED_FIXTURES, 'litellm');
const spendLogDdl = () => readFileSync(join(FIXTURES, 'spend_logs.sql'), 'utf8');

describe('analytics SQL emitter', () => {
  const plan = analyticsPlan();

  it('emits one deterministic file with the plan hash and no timestamps', () => {
    const [a, ...rest] = emitSql(plan);
    expect(rest).toEqual([]);
    expect(a!.path).toBe(ANALYTICS_SQL_PATH);
    expect(a!.mediaType).toBe('application/sql');
    expect(emitSql(analyticsPlan())[0]!.content).toBe(a!.content);
    expect(a!.content).toContain(`-- plan ${plan.hash}\n`);
    expect(a!.content).not.toMatch(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/);
    expect(a!.content.endsWith('COMMIT;\n')).toBe(true);
  });

  it('inlines prices, budgets and SLO targets from the plan', () => {
    const sql = renderAnalyticsSql(plan);
    expect(sql).toContain("('openai-gpt-4o', 'openai', 'openai', 'gpt-4o', 2.5, 10)");
    expect(sql).toContain("('local-llama', 'vllm-a', 'vllm', 'llama-3.1-8b-instruct', 0.05, 0.1)");
    expect(sql).toContain("('support', 10)");
    expect(sql).toContain("('lab', NULL)");
    expect(sql).toContain('(reduction >= 0.4 AND reduction <= 0.6) AS within_target');
    expect(sql).toContain('40::numeric AS target_min_pct');
    const changed: CompiledPlan = { ...plan, tenants: { ...plan.tenants, support: { ...plan.tenants.support!, monthlyBudgetUsd: 12.5 } } };
    expect(renderAnalyticsSql(changed)).toContain("('support', 12.5)");
  });

  it('never creates LiteLLM tables and creates everything else idempotently', () => {
    const sql = renderAnalyticsSql(plan);
    expect(sql).not.toMatch(/CREATE TABLE[^;]*LiteLLM/);
    for (const stmt of sql.match(/^CREATE \w+( \w+)*/gm) ?? [])
      expect(
        [
          'CREATE SCHEMA IF NOT EXISTS',
          'CREATE TABLE IF NOT EXISTS',
          'CREATE INDEX IF NOT EXISTS',
          'CREATE OR REPLACE VIEW',
          'CREATE OR REPLACE FUNCTION',
        ].some((p) => stmt.startsWith(p)),
      ).toBe(true);
  });

  it('takes the primary interactive deployment as the baseline: the entry of the fallback chain, not a fallback target', () => {
    expect(baselineDeployment(plan)).toBe('openai-gpt-4o');
    const noInteractive: CompiledPlan = { ...plan, groups: { local: plan.groups.local! } };
    expect(baselineDeployment(noInteractive)).toBe('local-llama');
    expect(baselineDeployment({ ...plan, groups: {} })).toBe('anthropic-sonnet');
    expect(baselineDeployment({ ...plan, groups: {}, deployments: {} })).toBeNull();
  });
});

function analyticsSuite(engineName: string, start: () => Promise<SqlEngine>) {
  describe(`analytics SQL on ${engineName}`, () => {
    const sql = renderAnalyticsSql(analyticsPlan());
    let db: SqlEngine;
    let viewBeforeLitellm = '';
    let viewAfterLitellm = '';
    let countsBeforeReapply: Row[] = [];

    beforeAll(async () => {
      db = await start();
      await db.exec(sql);
      viewBeforeLitellm = String((await db.rows(`SELECT pg_get_viewdef('switchyard.litellm_request_log'::regclass) AS d`))[0]!.d);
      await db.exec(spendLogDdl());
      await db.exec(sql);
      await db.exec(sql);
      viewAfterLitellm = String((await db.rows(`SELECT pg_get_viewdef('switchyard.litellm_request_log'::regclass) AS d`))[0]!.d);
      await db.exec(seedSql());
      countsBeforeReapply = await db.rows(`SELECT source, count(*) AS n FROM switchyard.request_log GROUP BY source ORDER BY source`);
      await db.exec(sql);
    }, 60_000);

    afterAll(async () => {
      await db?.close();
    }, 60_000);

    it('loads without LiteLLM tables, then reads the spend log once LiteLLM has created it; re-applying keeps the data', async () => {
      expect(viewBeforeLitellm).not.toContain('LiteLLM_SpendLogs');
      expect(viewAfterLitellm).toContain('LiteLLM_SpendLogs');
      expect(countsBeforeReapply).toEqual([
        { source: 'litellm', n: 13 },
        { source: 'switchyard', n: 8 },
      ]);
      expect(await db.rows(`SELECT source, count(*) AS n FROM switchyard.request_log GROUP BY source ORDER BY source`)).toEqual(countsBeforeReapply);
      const views = await db.rows(`SELECT table_name AS v FROM information_schema.views WHERE table_schema = 'switchyard' ORDER BY 1`);
      expect(views.map((r) => r.v)).toEqual([...analyticsViewNames(analyticsPlan())].sort());
    });

    it('holds the plan: deployments with prices, groups with their declared chain, tenants with budgets', async () => {
      expect(await db.rows(`SELECT * FROM switchyard.plan_groups ORDER BY model_group`)).toEqual([
        { model_group: 'chat', workload: 'interactive', fallback_chain: 'chat > chat-azure > chat-anthropic > local' },
        { model_group: 'chat-anthropic', workload: 'interactive', fallback_chain: 'chat-anthropic > local' },
        { model_group: 'chat-azure', workload: 'interactive', fallback_chain: 'chat-azure > chat-anthropic > local' },
        { model_group: 'local', workload: 'cost_sensitive', fallback_chain: 'local' },
      ]);
      expect(
        await db.rows(`SELECT deployment, provider, input_per_1m, output_per_1m FROM switchyard.plan_deployments WHERE deployment = 'local-llama'`),
      ).toEqual([{ deployment: 'local-llama', provider: 'vllm-a', input_per_1m: 0.05, output_per_1m: 0.1 }]);
      expect(await db.rows(`SELECT * FROM switchyard.plan_tenants ORDER BY tenant`)).toEqual([
        { tenant: 'docs', monthly_budget_usd: 0.05 },
        { tenant: 'lab', monthly_budget_usd: null },
        { tenant: 'support', monthly_budget_usd: 10 },
      ]);
    });

    it('maps spend-log rows to plan deployments, providers and tenants (team id or team alias)', async () => {
      expect(
        await db.rows(
          `SELECT request_id, tenant, model_group, deployment, provider, model, latency_ms, succeeded FROM switchyard.request_log WHERE request_id IN ('l4', 'l11', 'l5') ORDER BY request_id`,
        ),
      ).toEqual([
        {
          request_id: 'l11',
          tenant: 'lab',
          model_group: 'chat',
          deployment: 'openai-gpt-4o',
          provider: 'openai',
          model: 'gpt-4o',
          latency_ms: 1100,
          succeeded: true,
        },
        {
          request_id: 'l4',
          tenant: 'docs',
          model_group: 'local',
          deployment: 'local-llama',
          provider: 'vllm-a',
          model: 'llama-3.1-8b-instruct',
          latency_ms: 500,
          succeeded: true,
        },
        {
          request_id: 'l5',
          tenant: 'support',
          model_group: 'chat',
          deployment: 'openai-gpt-4o',
          provider: 'openai',
          model: 'gpt-4o',
          latency_ms: 100,
          succeeded: false,
        },
      ]);
    });

    it('cost per tenant, provider, group and deployment per day', async () => {
      expect(
        await db.rows(`SELECT provider, model_group, deployment, model, requests, failed_requests, prompt_tokens, completion_tokens, spend
          FROM switchyard.cost_daily WHERE day = '2025-03-01' AND tenant = 'support' ORDER BY provider`),
      ).toEqual([
        {
          provider: 'anthropic',
          model_group: 'chat-anthropic',
          deployment: 'anthropic-sonnet',
          model: 'claude-3-5-sonnet',
          requests: 1,
          failed_requests: 0,
          prompt_tokens: 10000,
          completion_tokens: 1000,
          spend: 0.045,
        },
        {
          provider: 'azure',
          model_group: 'chat-azure',
          deployment: 'azure-gpt-4o',
          model: 'gpt-4o',
          requests: 2,
          failed_requests: 1,
          prompt_tokens: 10000,
          completion_tokens: 1000,
          spend: 0.035,
        },
        // s1, l1, l8, l9 at 0.035 and the failed l5
        {
          provider: 'openai',
          model_group: 'chat',
          deployment: 'openai-gpt-4o',
          model: 'gpt-4o',
          requests: 5,
          failed_requests: 1,
          prompt_tokens: 40000,
          completion_tokens: 4000,
          spend: 0.14,
        },
        // s5: every group of the chain failed, the last one tried was local
        {
          provider: 'vllm-a',
          model_group: 'local',
          deployment: 'local-llama',
          model: 'llama-3.1-8b-instruct',
          requests: 1,
          failed_requests: 1,
          prompt_tokens: 0,
          completion_tokens: 0,
          spend: 0,
        },
      ]);
      expect(await db.rows(`SELECT day, tenant, requests, failed_requests, spend FROM switchyard.tenant_cost_daily ORDER BY day, tenant`)).toEqual([
        { day: '2025-02-28', tenant: 'support', requests: 1, failed_requests: 0, spend: 0.035 },
        { day: '2025-03-01', tenant: 'docs', requests: 3, failed_requests: 0, spend: 0.0024 },
        { day: '2025-03-01', tenant: 'lab', requests: 2, failed_requests: 0, spend: 0.08 },
        { day: '2025-03-01', tenant: 'support', requests: 9, failed_requests: 3, spend: 0.22 },
        { day: '2025-03-02', tenant: 'docs', requests: 3, failed_requests: 0, spend: 0.0018 },
        { day: '2025-03-02', tenant: 'lab', requests: 1, failed_requests: 0, spend: 0.035 },
        { day: '2025-03-02', tenant: 'support', requests: 2, failed_requests: 0, spend: 0.07 },
      ]);
    });

    it("provider distribution: each provider's share of the day's requests and spend", async () => {
      expect(await db.rows(`SELECT * FROM switchyard.provider_distribution_daily ORDER BY day, provider`)).toEqual([
        { day: '2025-02-28', provider: 'openai', requests: 1, request_share: 1, spend: 0.035, spend_share: 1 },
        // Mar 1: 14 requests, 0.3024 USD
        { day: '2025-03-01', provider: 'anthropic', requests: 2, request_share: 0.1429, spend: 0.09, spend_share: 0.2976 },
        { day: '2025-03-01', provider: 'azure', requests: 2, request_share: 0.1429, spend: 0.035, spend_share: 0.1157 },
        { day: '2025-03-01', provider: 'openai', requests: 6, request_share: 0.4286, spend: 0.175, spend_share: 0.5787 },
        { day: '2025-03-01', provider: 'vllm-a', requests: 4, request_share: 0.2857, spend: 0.0024, spend_share: 0.0079 },
        // Mar 2: 6 requests, 0.1068 USD
        { day: '2025-03-02', provider: 'azure', requests: 1, request_share: 0.1667, spend: 0.035, spend_share: 0.3277 },
        { day: '2025-03-02', provider: 'openai', requests: 2, request_share: 0.3333, spend: 0.07, spend_share: 0.6554 },
        { day: '2025-03-02', provider: 'vllm-a', requests: 3, request_share: 0.5, spend: 0.0018, spend_share: 0.0169 },
      ]);
    });

    it('fallback patterns: the chains that fired, retries inside a group collapsed, and their success rate', async () => {
      expect(
        await db.rows(
          `SELECT request_id, chain, attempts, fallbacks, succeeded FROM switchyard.fallback_chains WHERE request_id IN ('s1', 's4', 's5') ORDER BY request_id`,
        ),
      ).toEqual([
        { request_id: 's1', chain: 'chat', attempts: 1, fallbacks: 0, succeeded: true },
        { request_id: 's4', chain: 'chat > chat-azure > chat-anthropic', attempts: 4, fallbacks: 2, succeeded: true },
        { request_id: 's5', chain: 'chat > chat-azure > chat-anthropic > local', attempts: 4, fallbacks: 3, succeeded: false },
      ]);
      expect(await db.rows(`SELECT * FROM switchyard.fallback_patterns ORDER BY day, chain`)).toEqual([
        {
          day: '2025-03-01',
          first_group: 'chat',
          chain: 'chat > chat-azure',
          final_group: 'chat-azure',
          final_deployment: 'azure-gpt-4o',
          requests: 2,
          succeeded: 1,
          success_rate: 0.5,
        },
        {
          day: '2025-03-01',
          first_group: 'chat',
          chain: 'chat > chat-azure > chat-anthropic',
          final_group: 'chat-anthropic',
          final_deployment: 'anthropic-sonnet',
          requests: 1,
          succeeded: 1,
          success_rate: 1,
        },
        {
          day: '2025-03-01',
          first_group: 'chat',
          chain: 'chat > chat-azure > chat-anthropic > local',
          final_group: 'local',
          final_deployment: 'local-llama',
          requests: 1,
          succeeded: 0,
          success_rate: 0,
        },
        {
          day: '2025-03-02',
          first_group: 'chat',
          chain: 'chat > chat-azure',
          final_group: 'chat-azure',
          final_deployment: 'azure-gpt-4o',
          requests: 1,
          succeeded: 1,
          success_rate: 1,
        },
      ]);
      expect(await db.rows(`SELECT * FROM switchyard.fallback_success_daily ORDER BY day`)).toEqual([
        { day: '2025-03-01', requests: 4, succeeded: 2, success_rate: 0.5, target_min: 0.95, meets_target: false },
        { day: '2025-03-02', requests: 1, succeeded: 1, success_rate: 1, target_min: 0.95, meets_target: true },
      ]);
    });

    it('latency percentiles per day and serving group (successful requests), interactive p95 against 2 s', async () => {
      const t = (p50: number, p95: number, p99: number) => ({ p50_ms: p50, p95_ms: p95, p99_ms: p99 });
      const interactive = (meets: boolean) => ({ workload: 'interactive', p95_target_ms: 2000, meets_target: meets });
      const costSensitive = { workload: 'cost_sensitive', p95_target_ms: null, meets_target: null };
      expect(await db.rows(`SELECT * FROM switchyard.latency_daily ORDER BY day, model_group`)).toEqual([
        { day: '2025-02-28', model_group: 'chat', requests: 1, ...t(1000, 1000, 1000), ...interactive(true) },
        // 600, 800, 1000, 1400, 2200: p95 at rank 4.8 = 1400 + 0.8 * 800, p99 at 4.96
        { day: '2025-03-01', model_group: 'chat', requests: 5, ...t(1000, 2040, 2168), ...interactive(false) },
        // 1200, 1900
        { day: '2025-03-01', model_group: 'chat-anthropic', requests: 2, ...t(1550, 1865, 1893), ...interactive(true) },
        { day: '2025-03-01', model_group: 'chat-azure', requests: 1, ...t(1500, 1500, 1500), ...interactive(true) },
        // 300, 400, 500
        { day: '2025-03-01', model_group: 'local', requests: 3, ...t(400, 490, 498), ...costSensitive },
        // 900, 1100
        { day: '2025-03-02', model_group: 'chat', requests: 2, ...t(1000, 1090, 1098), ...interactive(true) },
        { day: '2025-03-02', model_group: 'chat-azure', requests: 1, ...t(1100, 1100, 1100), ...interactive(true) },
        // 200, 250, 350
        { day: '2025-03-02', model_group: 'local', requests: 3, ...t(250, 340, 348), ...costSensitive },
      ]);
    });

    it('cost against the single-provider baseline (gpt-4o at 2.5/10), and against a baseline chosen by setting', async () => {
      const target = { target_min_pct: 40, target_max_pct: 60 };
      const q = `SELECT * FROM switchyard.cost_vs_baseline_daily ORDER BY day`;
      expect(await db.rows(q)).toEqual([
        {
          day: '2025-02-28',
          baseline_deployment: 'openai-gpt-4o',
          requests: 1,
          spend: 0.035,
          baseline_spend: 0.035,
          reduction_pct: 0,
          ...target,
          within_target: false,
        },
        // 12 T of tokens (l4 is 2 T): 12 * 0.035 = 0.42; 1 - 0.3024 / 0.42 = 0.28
        {
          day: '2025-03-01',
          baseline_deployment: 'openai-gpt-4o',
          requests: 14,
          spend: 0.3024,
          baseline_spend: 0.42,
          reduction_pct: 28,
          ...target,
          within_target: false,
        },
        // 6 T: 0.21; 1 - 0.1068 / 0.21 = 0.4914...
        {
          day: '2025-03-02',
          baseline_deployment: 'openai-gpt-4o',
          requests: 6,
          spend: 0.1068,
          baseline_spend: 0.21,
          reduction_pct: 49.14,
          ...target,
          within_target: true,
        },
      ]);
      await db.exec(`SET switchyard.baseline_deployment = 'anthropic-sonnet'`);
      try {
        // 12 T at Sonnet prices: 12 * 0.045 = 0.54; 1 - 0.3024 / 0.54 = 0.44
        expect(
          await db.rows(
            `SELECT baseline_deployment, baseline_spend, reduction_pct, within_target FROM switchyard.cost_vs_baseline_daily WHERE day = '2025-03-01'`,
          ),
        ).toEqual([{ baseline_deployment: 'anthropic-sonnet', baseline_spend: 0.54, reduction_pct: 44, within_target: true }]);
      } finally {
        await db.exec(`RESET switchyard.baseline_deployment`);
      }
      expect((await db.rows(q))[0]!.baseline_deployment).toBe('openai-gpt-4o');
    });

    it("budget burn: month-to-date spend against the plan's monthly budgets, projected to the month's end", async () => {
      expect(await db.rows(`SELECT * FROM switchyard.budget_burn('2025-03-02') ORDER BY tenant`)).toEqual([
        // 0.0024 + 0.0018 = 0.0042 of 0.05; * 31 / 2 = 0.0651
        {
          tenant: 'docs',
          month: '2025-03-01',
          monthly_budget_usd: 0.05,
          spend_to_date: 0.0042,
          used_pct: 8.4,
          days_elapsed: 2,
          days_in_month: 31,
          projected_spend: 0.0651,
          projected_pct: 130.2,
          projected_over_budget: true,
        },
        {
          tenant: 'lab',
          month: '2025-03-01',
          monthly_budget_usd: null,
          spend_to_date: 0.115,
          used_pct: null,
          days_elapsed: 2,
          days_in_month: 31,
          projected_spend: 1.7825,
          projected_pct: null,
          projected_over_budget: null,
        },
        // 0.22 + 0.07 (not February's 0.035) of 10; * 31 / 2 = 4.495
        {
          tenant: 'support',
          month: '2025-03-01',
          monthly_budget_usd: 10,
          spend_to_date: 0.29,
          used_pct: 2.9,
          days_elapsed: 2,
          days_in_month: 31,
          projected_spend: 4.495,
          projected_pct: 44.95,
          projected_over_budget: false,
        },
      ]);
      expect(
        await db.rows(`SELECT tenant, spend_to_date, used_pct, projected_spend FROM switchyard.budget_burn('2025-02-28') WHERE tenant = 'support'`),
      ).toEqual([{ tenant: 'support', spend_to_date: 0.035, used_pct: 0.35, projected_spend: 0.035 }]);
      const today = await db.rows(
        `SELECT tenant, days_elapsed = extract(day FROM (now() AT TIME ZONE 'UTC'))::int AS today FROM switchyard.tenant_budget_burn ORDER BY tenant`,
      );
      expect(today).toEqual([
        { tenant: 'docs', today: true },
        { tenant: 'lab', today: true },
        { tenant: 'support', today: true },
      ]);
    });
  });
}

analyticsSuite('PGlite (embedded)', () => pgliteEngine());
analyticsSuite('a PostgreSQL server', ownServerEngine);
