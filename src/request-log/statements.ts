/**
 * The SQL the writer runs: the tables created when missing, and one INSERT
 * statement per batch.
 *
 * A batch is one statement, so one round trip and one transaction: the
 * request rows go in through a data-modifying CTE, the attempt rows through
 * the outer INSERT, each from `unnest` of column arrays. The statement text
 * is the same for every batch size (23 parameters, no 65,535-parameter
 * limit, one plan for the server to cache), and ON CONFLICT DO NOTHING on the
 * primary keys makes a retried batch — one whose commit the writer never
 * heard about — insert nothing twice.
 */
import { ATTEMPTS_TABLE, REQUEST_LOG_SCHEMA, REQUESTS_TABLE, TABLES_SQL } from '../observability/request-log-tables.ts';
import type { SqlConnection } from './connection.ts';
import type { Entry } from './queue.ts';
import type { AttemptRow, RequestRow } from './types.ts';

/** One input column of a batch: its name in the unnest alias, its array type, and how a row fills it. */
interface Input<Row> {
  name: string;
  type: 'text' | 'bigint' | 'integer' | 'float8';
  get: (row: Row) => unknown;
}

const REQUEST_INPUTS: readonly Input<RequestRow>[] = [
  { name: 'request_id', type: 'text', get: (r) => r.requestId },
  { name: 'tenant', type: 'text', get: (r) => r.tenant },
  { name: 'requested_group', type: 'text', get: (r) => r.requestedGroup },
  { name: 'model_group', type: 'text', get: (r) => r.modelGroup },
  { name: 'deployment', type: 'text', get: (r) => r.deployment },
  { name: 'provider', type: 'text', get: (r) => r.provider },
  { name: 'start_ms', type: 'bigint', get: (r) => r.startTime },
  { name: 'end_ms', type: 'bigint', get: (r) => r.endTime },
  { name: 'prompt_tokens', type: 'integer', get: (r) => r.promptTokens },
  { name: 'completion_tokens', type: 'integer', get: (r) => r.completionTokens },
  { name: 'spend', type: 'float8', get: (r) => r.spend },
  { name: 'status', type: 'text', get: (r) => r.status },
  { name: 'status_code', type: 'integer', get: (r) => r.statusCode },
  { name: 'attempts', type: 'integer', get: (r) => r.attempts },
];

const ATTEMPT_INPUTS: readonly Input<AttemptRow>[] = [
  { name: 'request_id', type: 'text', get: (a) => a.requestId },
  { name: 'attempt', type: 'integer', get: (a) => a.attempt },
  { name: 'model_group', type: 'text', get: (a) => a.modelGroup },
  { name: 'deployment', type: 'text', get: (a) => a.deployment },
  { name: 'provider', type: 'text', get: (a) => a.provider },
  { name: 'outcome', type: 'text', get: (a) => a.outcome },
  { name: 'status_code', type: 'integer', get: (a) => a.statusCode },
  // The column is whole milliseconds.
  { name: 'latency_ms', type: 'integer', get: (a) => (a.latencyMs === null ? null : Math.round(a.latencyMs)) },
  { name: 'start_ms', type: 'bigint', get: (a) => a.startTime },
];

/** epoch milliseconds -> TIMESTAMP(3) in UTC, exactly (integer milliseconds times an interval; no time zone involved). */
const ts = (ms: string) => `TIMESTAMP 'epoch' + ${ms} * INTERVAL '1 millisecond'`;

/** Each table column and the expression over the unnest alias that fills it. */
const REQUEST_COLUMNS: Record<string, string> = {
  request_id: 'r.request_id',
  tenant: 'r.tenant',
  requested_group: 'r.requested_group',
  model_group: 'r.model_group',
  deployment: 'r.deployment',
  provider: 'r.provider',
  '"startTime"': ts('r.start_ms'),
  '"endTime"': ts('r.end_ms'),
  prompt_tokens: 'r.prompt_tokens',
  completion_tokens: 'r.completion_tokens',
  total_tokens: 'r.prompt_tokens + r.completion_tokens',
  spend: 'r.spend',
  status: 'r.status',
  status_code: 'r.status_code',
  attempts: 'r.attempts',
};

const ATTEMPT_COLUMNS: Record<string, string> = {
  request_id: 'a.request_id',
  attempt: 'a.attempt',
  model_group: 'a.model_group',
  deployment: 'a.deployment',
  provider: 'a.provider',
  outcome: 'a.outcome',
  status_code: 'a.status_code',
  latency_ms: 'a.latency_ms',
  '"startTime"': ts('a.start_ms'),
};

function insertFrom(table: string, columns: Record<string, string>, alias: string, inputs: readonly Input<never>[], firstParam: number): string {
  const arrays = inputs.map((c, i) => `$${firstParam + i}::${c.type}[]`).join(', ');
  return `INSERT INTO ${table} (${Object.keys(columns).join(', ')})
SELECT ${Object.values(columns).join(', ')}
FROM unnest(${arrays}) AS ${alias}(${inputs.map((c) => c.name).join(', ')})
ON CONFLICT DO NOTHING`;
}

export const INSERT_SQL = `WITH requests AS (
${insertFrom(REQUESTS_TABLE, REQUEST_COLUMNS, 'r', REQUEST_INPUTS, 1).replace(/^/gm, '  ')}
)
${insertFrom(ATTEMPTS_TABLE, ATTEMPT_COLUMNS, 'a', ATTEMPT_INPUTS, REQUEST_INPUTS.length + 1)}`;

/** The column arrays of INSERT_SQL for a batch (rows already checked by rows.ts). */
export function insertParams(batch: readonly Entry[]): unknown[][] {
  const requests = REQUEST_INPUTS.map((): unknown[] => []);
  const attempts = ATTEMPT_INPUTS.map((): unknown[] => []);
  for (const e of batch) {
    for (let i = 0; i < REQUEST_INPUTS.length; i++) requests[i]!.push(REQUEST_INPUTS[i]!.get(e.request));
    for (const a of e.attempts) for (let i = 0; i < ATTEMPT_INPUTS.length; i++) attempts[i]!.push(ATTEMPT_INPUTS[i]!.get(a));
  }
  return [...requests, ...attempts];
}

/**
 * Creates the schema and tables unless both tables exist. Checking first
 * lets the writer run as a role that may only INSERT (tables created by
 * whoever applied generated/sql); the advisory lock keeps two gateways
 * starting at once from racing on CREATE TABLE IF NOT EXISTS, which is not
 * safe under concurrency in PostgreSQL.
 */
export async function ensureTables(conn: SqlConnection): Promise<void> {
  const [row] = await conn.query<{ ready: boolean }>(
    `SELECT to_regclass('${REQUESTS_TABLE}') IS NOT NULL AND to_regclass('${ATTEMPTS_TABLE}') IS NOT NULL AS ready`,
  );
  if (row?.ready === true) return;
  await conn.exec(`BEGIN;
SELECT pg_advisory_xact_lock(hashtext('${REQUESTS_TABLE}'));
CREATE SCHEMA IF NOT EXISTS ${REQUEST_LOG_SCHEMA};
${TABLES_SQL}
COMMIT;`);
}
