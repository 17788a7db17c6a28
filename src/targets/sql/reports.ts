/**
 * The analytics views over switchyard.request_log and switchyard.attempts.
 * Money stays numeric and unrounded (exact sums); shares and rates are
 * fractions rounded to 4 places, percentages to 2, latencies to 0.1 ms.
 * Targets come from the plan's SLOs and are inlined as literals.
 */
import type { CompiledPlan } from '../../plan/types.ts';
import { boundLiteral, objective } from './plan-data.ts';

export interface ReportView {
  name: string;
  comment: string;
  sql: string;
}

export function reportViews(plan: CompiledPlan): ReportView[] {
  const fallbackTarget = objective(plan, 'fallback_success_rate');
  const latencyTarget = objective(plan, 'interactive_latency_p95_ms');
  const costTarget = objective(plan, 'cost_reduction_vs_baseline');
  return [
    {
      name: 'cost_daily',
      comment: 'Cost per day, tenant, provider, model group, deployment and model.',
      sql: `SELECT day, tenant, provider, model_group, deployment, model,
  count(*) AS requests,
  count(*) FILTER (WHERE NOT succeeded) AS failed_requests,
  sum(prompt_tokens)::bigint AS prompt_tokens,
  sum(completion_tokens)::bigint AS completion_tokens,
  sum(spend) AS spend
FROM switchyard.request_log
GROUP BY day, tenant, provider, model_group, deployment, model`,
    },
    {
      name: 'tenant_cost_daily',
      comment: 'Cost attributed to each tenant per day.',
      sql: `SELECT day, tenant,
  count(*) AS requests,
  count(*) FILTER (WHERE NOT succeeded) AS failed_requests,
  sum(prompt_tokens)::bigint AS prompt_tokens,
  sum(completion_tokens)::bigint AS completion_tokens,
  sum(spend) AS spend
FROM switchyard.request_log
GROUP BY day, tenant`,
    },
    {
      name: 'provider_distribution_daily',
      comment: "Each provider's share of the day's requests (failures included) and of its spend.",
      sql: `SELECT day, provider, requests,
  round(requests::numeric / sum(requests) OVER (PARTITION BY day), 4) AS request_share,
  spend,
  round(spend / NULLIF(sum(spend) OVER (PARTITION BY day), 0), 4) AS spend_share
FROM (
  SELECT day, provider, count(*) AS requests, sum(spend) AS spend
  FROM switchyard.request_log
  GROUP BY day, provider
) p`,
    },
    {
      name: 'fallback_chains',
      comment: 'One row per request of switchyard.attempts: the groups it went through and how it ended.',
      // Retries inside one group are not fallbacks: a group enters the chain when it differs from the previous attempt's.
      sql: `SELECT request_id,
  min("startTime")::date AS day,
  (array_agg(model_group ORDER BY attempt))[1] AS first_group,
  string_agg(model_group, ' > ' ORDER BY attempt) FILTER (WHERE previous_group IS DISTINCT FROM model_group) AS chain,
  (array_agg(model_group ORDER BY attempt DESC))[1] AS final_group,
  (array_agg(deployment ORDER BY attempt DESC))[1] AS final_deployment,
  count(*) AS attempts,
  count(*) FILTER (WHERE previous_group IS DISTINCT FROM model_group) - 1 AS fallbacks,
  (array_agg(outcome ORDER BY attempt DESC))[1] = 'success' AS succeeded
FROM (
  SELECT a.*, lag(a.model_group) OVER (PARTITION BY a.request_id ORDER BY a.attempt) AS previous_group
  FROM switchyard.attempts a
) a
GROUP BY request_id`,
    },
    {
      name: 'fallback_patterns',
      comment: 'Fallback chains that fired (first group -> final group/deployment) per day, with how often they ended in success.',
      sql: `SELECT day, first_group, chain, final_group, final_deployment,
  count(*) AS requests,
  count(*) FILTER (WHERE succeeded) AS succeeded,
  round((count(*) FILTER (WHERE succeeded))::numeric / count(*), 4) AS success_rate
FROM switchyard.fallback_chains
WHERE fallbacks > 0
GROUP BY day, first_group, chain, final_group, final_deployment`,
    },
    {
      name: 'fallback_success_daily',
      comment: `Per day, the share of requests that fell back and still succeeded, against the plan's fallback_success_rate objective${targetsNote(fallbackTarget.targets)}.`,
      sql: `SELECT day, requests, succeeded,
  round(succeeded::numeric / requests, 4) AS success_rate,
  ${boundLiteral(fallbackTarget.min)} AS target_min,
  ${fallbackTarget.predicate('succeeded::numeric / requests')} AS meets_target
FROM (
  SELECT day, count(*) AS requests, count(*) FILTER (WHERE succeeded) AS succeeded
  FROM switchyard.fallback_chains
  WHERE fallbacks > 0
  GROUP BY day
) f`,
    },
    {
      name: 'latency_daily',
      comment: `End-to-end latency percentiles of successful requests per day and serving model group; interactive groups against the plan's interactive_latency_p95_ms objective${targetsNote(latencyTarget.targets)}.`,
      sql: `SELECT day, model_group, workload, requests,
  round(p50::numeric, 1) AS p50_ms,
  round(p95::numeric, 1) AS p95_ms,
  round(p99::numeric, 1) AS p99_ms,
  CASE WHEN workload = 'interactive' THEN ${boundLiteral(latencyTarget.max)} END AS p95_target_ms,
  CASE WHEN workload = 'interactive' THEN ${latencyTarget.predicate('p95')} END AS meets_target
FROM (
  SELECT l.day, l.model_group, g.workload, count(*) AS requests,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY l.latency_ms::float8) AS p50,
    percentile_cont(0.95) WITHIN GROUP (ORDER BY l.latency_ms::float8) AS p95,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY l.latency_ms::float8) AS p99
  FROM switchyard.request_log l
  LEFT JOIN switchyard.plan_groups g ON g.model_group = l.model_group
  WHERE l.succeeded
  GROUP BY l.day, l.model_group, g.workload
) p`,
    },
    {
      name: 'cost_vs_baseline_daily',
      comment: `Spend per day against the same tokens priced at the baseline deployment (switchyard.cost_baseline), with the reduction against the plan's cost_reduction_vs_baseline objective${targetsNote(costTarget.targets)}.`,
      sql: `SELECT day, baseline_deployment, requests, spend, baseline_spend,
  round(100 * reduction, 2) AS reduction_pct,
  ${boundLiteral(costTarget.min, 100)} AS target_min_pct,
  ${boundLiteral(costTarget.max, 100)} AS target_max_pct,
  ${costTarget.predicate('reduction')} AS within_target
FROM (
  SELECT day, baseline_deployment, requests, spend, baseline_spend,
    1 - spend / NULLIF(baseline_spend, 0) AS reduction
  FROM (
    SELECT l.day, b.deployment AS baseline_deployment, count(*) AS requests,
      sum(l.spend) AS spend,
      sum(l.prompt_tokens * b.input_per_1m + l.completion_tokens * b.output_per_1m) * 0.000001 AS baseline_spend
    FROM switchyard.request_log l
    LEFT JOIN switchyard.cost_baseline b ON true
    GROUP BY l.day, b.deployment
  ) d
) r`,
    },
  ];
}

function targetsNote(ids: string[]): string {
  return ids.length === 0 ? ' (none in the plan: the target columns are NULL)' : ` (SLO ${ids.join(', ')})`;
}

/**
 * Budget burn needs "today"; a function of the day keeps the numbers
 * reproducible (tests, reports of a past month), and the view calls it for
 * the current UTC day.
 */
export const BUDGET_SQL = `-- Month-to-date spend per plan tenant against its monthlyBudgetUsd, for the
-- month of as_of (days 1..as_of inclusive, UTC), projected linearly to the
-- month's end: spend_to_date / days_elapsed * days_in_month.
CREATE OR REPLACE FUNCTION switchyard.budget_burn(as_of date)
RETURNS TABLE (
    tenant text,
    month date,
    monthly_budget_usd numeric,
    spend_to_date numeric,
    used_pct numeric,
    days_elapsed integer,
    days_in_month integer,
    projected_spend numeric,
    projected_pct numeric,
    projected_over_budget boolean
)
LANGUAGE sql STABLE
AS $fn$
  SELECT t.tenant,
    m.month_start,
    t.monthly_budget_usd,
    m.spend,
    round(100 * m.spend / NULLIF(t.monthly_budget_usd, 0), 2),
    m.days_elapsed,
    m.days_in_month,
    round(m.spend * m.days_in_month / m.days_elapsed, 4),
    round(100 * m.spend * m.days_in_month / m.days_elapsed / NULLIF(t.monthly_budget_usd, 0), 2),
    m.spend * m.days_in_month / m.days_elapsed > t.monthly_budget_usd
  FROM switchyard.plan_tenants t
  CROSS JOIN LATERAL (
    SELECT date_trunc('month', as_of)::date AS month_start,
      extract(day FROM as_of)::integer AS days_elapsed,
      extract(day FROM date_trunc('month', as_of) + interval '1 month' - interval '1 day')::integer AS days_in_month,
      COALESCE((
        SELECT sum(l.spend) FROM switchyard.request_log l
        WHERE l.tenant = t.tenant AND l.day >= date_trunc('month', as_of)::date AND l.day <= as_of
      ), 0) AS spend
  ) m
$fn$;

CREATE OR REPLACE VIEW switchyard.tenant_budget_burn AS
SELECT * FROM switchyard.budget_burn((now() AT TIME ZONE 'UTC')::date);
COMMENT ON VIEW switchyard.tenant_budget_burn IS 'Budget burn per plan tenant for the current UTC month: switchyard.budget_burn(today).';
`;
