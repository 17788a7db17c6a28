/**
 * The two request sources and the one view the analytics read:
 *
 * - LiteLLM's `"LiteLLM_SpendLogs"` (one row per proxy request; LiteLLM owns
 *   the table, so the file never creates it);
 * - Switchyard's own `switchyard.requests` and `switchyard.attempts`, written
 *   by Switchyard's gateway (their DDL is the request-log contract in
 *   src/observability/request-log-tables.ts, which the gateway's writer runs too).
 *
 * Both are mapped to the columns of `switchyard.request_log`. The column list
 * is declared once and every expression is cast to its type, so the real
 * LiteLLM view, its empty stand-in and the Switchyard view always agree and
 * CREATE OR REPLACE VIEW never meets a changed column.
 */
import type { SqlColumn } from './plan-data.ts';

const REQUEST_LOG_COLUMNS: readonly (SqlColumn & { doc: string })[] = [
  { name: 'source', type: 'text', doc: "'litellm' or 'switchyard': the router that served the request" },
  { name: 'request_id', type: 'text', doc: 'the request id' },
  { name: 'tenant', type: 'text', doc: 'the tenant the request is billed to' },
  { name: 'requested_group', type: 'text', doc: 'the model group the client asked for (NULL for LiteLLM, whose spend log keeps only the serving group)' },
  { name: 'model_group', type: 'text', doc: 'the model group that served the request (after fallbacks), as LiteLLM logs it' },
  { name: 'deployment', type: 'text', doc: 'the plan deployment that served (or last tried) the request' },
  { name: 'provider', type: 'text', doc: "the plan provider of that deployment (LiteLLM's custom_llm_provider when the deployment is not in the plan)" },
  { name: 'model', type: 'text', doc: "the deployment's model" },
  { name: 'started_at', type: 'timestamp(3)', doc: 'start time, UTC (as LiteLLM stores it)' },
  { name: 'ended_at', type: 'timestamp(3)', doc: 'end time, UTC' },
  { name: 'day', type: 'date', doc: 'UTC day of started_at' },
  { name: 'latency_ms', type: 'numeric', doc: 'end-to-end latency, milliseconds' },
  { name: 'prompt_tokens', type: 'bigint', doc: 'prompt tokens' },
  { name: 'completion_tokens', type: 'bigint', doc: 'completion tokens' },
  { name: 'spend', type: 'numeric', doc: 'cost in USD (numeric, so sums are exact)' },
  { name: 'succeeded', type: 'boolean', doc: 'the request got an answer' },
];

function selectList(exprs: Record<string, string>): string {
  return REQUEST_LOG_COLUMNS.map((c) => {
    const e = exprs[c.name];
    if (e === undefined) throw new Error(`no expression for request_log column ${c.name}`);
    return `  (${e})::${c.type} AS ${c.name}`;
  }).join(',\n');
}

const latency = (start: string, end: string) => `round(extract(epoch FROM (${end} - ${start}))::numeric * 1000, 3)`;

/** LiteLLM's spend log in request_log columns. */
function litellmSelect(): string {
  // model_info.id is `<group>/<deployment>` in the generated LiteLLM config (targets/litellm.ts).
  const exprs: Record<string, string> = {
    source: "'litellm'",
    request_id: 's."request_id"',
    tenant: `COALESCE(t.tenant, NULLIF(s."metadata"->>'user_api_key_team_alias', ''), NULLIF(s."team_id", ''))`,
    requested_group: 'NULL',
    model_group: `COALESCE(NULLIF(s."model_group", ''), k.id_group)`,
    deployment: 'k.deployment',
    provider: `COALESCE(d.provider, NULLIF(s."custom_llm_provider", ''))`,
    model: `COALESCE(d.model, NULLIF(s."model", ''))`,
    started_at: 's."startTime"',
    ended_at: 's."endTime"',
    day: 's."startTime"::date',
    latency_ms: latency('s."startTime"', 's."endTime"'),
    prompt_tokens: 's."prompt_tokens"',
    completion_tokens: 's."completion_tokens"',
    spend: 's."spend"',
    // LiteLLM versions before the status column logged successes only.
    succeeded: `COALESCE(NULLIF(s."status", ''), 'success') = 'success'`,
  };
  return [
    'SELECT',
    selectList(exprs),
    'FROM "LiteLLM_SpendLogs" s',
    'CROSS JOIN LATERAL (SELECT',
    `    CASE WHEN strpos(s."model_id", '/') > 0 THEN split_part(s."model_id", '/', 1) END AS id_group,`,
    `    CASE WHEN strpos(s."model_id", '/') > 0 THEN substr(s."model_id", strpos(s."model_id", '/') + 1) ELSE NULLIF(s."model_id", '') END AS deployment`,
    ') k',
    'LEFT JOIN switchyard.plan_deployments d ON d.deployment = k.deployment',
    'LEFT JOIN switchyard.plan_tenants t ON t.tenant = s."team_id"',
  ].join('\n');
}

/** The same columns, no rows: used when the database has no LiteLLM spend log (Switchyard's gateway alone). */
function emptySelect(): string {
  return `SELECT\n${REQUEST_LOG_COLUMNS.map((c) => `  NULL::${c.type} AS ${c.name}`).join(',\n')}\nWHERE false`;
}

function switchyardSelect(): string {
  const exprs: Record<string, string> = {
    source: "'switchyard'",
    request_id: 'r.request_id',
    tenant: 'r.tenant',
    requested_group: 'r.requested_group',
    model_group: 'COALESCE(r.model_group, r.requested_group)',
    deployment: 'r.deployment',
    provider: 'COALESCE(r.provider, d.provider)',
    model: 'd.model',
    started_at: 'r."startTime"',
    ended_at: 'r."endTime"',
    day: 'r."startTime"::date',
    latency_ms: latency('r."startTime"', 'r."endTime"'),
    prompt_tokens: 'r.prompt_tokens',
    completion_tokens: 'r.completion_tokens',
    spend: 'r.spend',
    succeeded: "r.status = 'success'",
  };
  return ['SELECT', selectList(exprs), 'FROM switchyard.requests r', 'LEFT JOIN switchyard.plan_deployments d ON d.deployment = r.deployment'].join('\n');
}

export function requestLogSql(): string {
  const columnDoc = REQUEST_LOG_COLUMNS.map((c) => `--   ${c.name.padEnd(17)} ${c.doc}`).join('\n');
  return `-- ---------------------------------------------------------------------------
-- request_log: both sources in one shape; every analytics view reads it.
-- A request is logged by the router that served it, so the union does not
-- count a request twice; filter on source to see one router.
${columnDoc}
-- ---------------------------------------------------------------------------

-- LiteLLM's spend log. The tenant is the LiteLLM team: team_id when it is a
-- plan tenant id (create teams with team_id = tenant id), else the team
-- alias, else team_id. model_id is "<group>/<deployment>" in the generated
-- LiteLLM config, which gives the deployment and so the plan provider.
-- Without a "LiteLLM_SpendLogs" table (Switchyard's gateway only) the view
-- is empty; apply this file again after LiteLLM has created its tables.
DO $switchyard$
BEGIN
  IF to_regclass('"LiteLLM_SpendLogs"') IS NOT NULL THEN
    EXECUTE $view$
CREATE OR REPLACE VIEW switchyard.litellm_request_log AS
${litellmSelect()}
$view$;
  ELSE
    EXECUTE $view$
CREATE OR REPLACE VIEW switchyard.litellm_request_log AS
${emptySelect()}
$view$;
  END IF;
END
$switchyard$;

CREATE OR REPLACE VIEW switchyard.switchyard_request_log AS
${switchyardSelect()};

CREATE OR REPLACE VIEW switchyard.request_log AS
SELECT ${REQUEST_LOG_COLUMNS.map((c) => c.name).join(', ')}
FROM switchyard.litellm_request_log
UNION ALL
SELECT ${REQUEST_LOG_COLUMNS.map((c) => c.name).join(', ')}
FROM switchyard.switchyard_request_log;
`;
}
