/**
 * The request-log tables: `switchyard.requests` (one row per client request)
 * and `switchyard.attempts` (one row per upstream call), the contract between
 * the serving side that writes them (src/request-log: the gateway, the batch
 * runner) and the analytics SQL that reads them (src/targets/sql). Both run
 * this DDL: the generated SQL file creates the tables, and so does the writer
 * when it finds them missing, so either can come first.
 *
 * Every statement is idempotent (IF NOT EXISTS); the schema itself is
 * created by the caller (`CREATE SCHEMA IF NOT EXISTS switchyard`).
 */

export const REQUEST_LOG_SCHEMA = 'switchyard';
export const REQUESTS_TABLE = 'switchyard.requests';
export const ATTEMPTS_TABLE = 'switchyard.attempts';

export const TABLES_SQL = `-- ---------------------------------------------------------------------------
-- Switchyard's own request log, written by its gateway. The columns follow
-- "LiteLLM_SpendLogs" where they mean the same thing (request_id,
-- "startTime", "endTime", model_group, prompt/completion/total tokens,
-- spend, status), so both sources map to request_log the same way.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS switchyard.requests (
    request_id TEXT NOT NULL PRIMARY KEY,
    tenant TEXT NOT NULL,
    requested_group TEXT NOT NULL,          -- the model group the client asked for
    model_group TEXT,                       -- the group that served it after fallbacks (last tried if none did); NULL if none was tried
    deployment TEXT,                        -- plan deployment id that served it (last tried if none did)
    provider TEXT,                          -- plan provider id of that deployment
    "startTime" TIMESTAMP(3) NOT NULL,      -- UTC, as in "LiteLLM_SpendLogs"
    "endTime" TIMESTAMP(3) NOT NULL,        -- UTC
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0,
    spend DOUBLE PRECISION NOT NULL DEFAULT 0.0,  -- USD
    status TEXT NOT NULL,                   -- 'success' or 'failure', as in "LiteLLM_SpendLogs"
    status_code INTEGER,                    -- HTTP status returned to the client
    attempts INTEGER NOT NULL DEFAULT 1     -- rows in switchyard.attempts
);
CREATE INDEX IF NOT EXISTS requests_start_time_idx ON switchyard.requests ("startTime");
CREATE INDEX IF NOT EXISTS requests_tenant_start_time_idx ON switchyard.requests (tenant, "startTime");

-- One row per call to a deployment, retries and fallbacks included, so the
-- fallback views can see which chains fire. No foreign key: the gateway may
-- write attempts before the request row.
CREATE TABLE IF NOT EXISTS switchyard.attempts (
    request_id TEXT NOT NULL,
    attempt INTEGER NOT NULL,               -- 1, 2, ... in call order across retries and fallbacks
    model_group TEXT NOT NULL,              -- the group this attempt was made for
    deployment TEXT NOT NULL,
    provider TEXT,
    outcome TEXT NOT NULL,                  -- 'success', or why it failed (e.g. 'error', 'timeout', 'rate_limited', 'breaker_open')
    status_code INTEGER,                    -- the provider's HTTP status, NULL when no response came
    latency_ms INTEGER,
    "startTime" TIMESTAMP(3) NOT NULL,      -- UTC
    CONSTRAINT attempts_pkey PRIMARY KEY (request_id, attempt)
);
CREATE INDEX IF NOT EXISTS attempts_start_time_idx ON switchyard.attempts ("startTime");
`;
