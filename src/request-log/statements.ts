/**
 * The SQL the writer runs: the tables created when missing, and one INSERT
 * statement per batch.
 *
 * A batch is one statement, so one round trip and one transaction: the
 * request rows go in through a data-modifying CTE, the attempt rows through
 * the outer INSERT. Rows travel as two JSON texts read by json_to_recordset:
 * JSON.stringify runs natively, where encoding two dozen column arrays
 * element by element in the pg driver cost the request thread about three
 * times more per row, and a PGlite batch crosses to its worker as two
 * strings. The statement text is
 * the same for every batch (two parameters, one plan for the server to
 * cache), and ON CONFLICT DO NOTHING on the primary keys makes a retried
 * batch — one whose commit the writer never heard about — insert nothing
 * twice.
 */
import { ATTEMPTS_TABLE, REQUEST_LOG_SCHEMA, REQUESTS_TABLE, TABLES_SQL } from '../observability/request-log-tables.ts';
import type { SqlConnection } from './connection.ts';
import type { Entry } from './queue.ts';
import type { AttemptRow, RequestRow } from './types.ts';

/** epoch milliseconds -> TIMESTAMP(3) in UTC, exactly (integer milliseconds times an interval; no time zone involved). */
const ts = (ms: string) => `TIMESTAMP 'epoch' + ${ms} * INTERVAL '1 millisecond'`;

/**
 * Each field a row carries to the database: its JSON key (the row's own
 * property), the type json_to_recordset reads it as, and the table column
 * it fills with the expression that fills it.
 */
interface Field<Row> {
  key: keyof Row & string;
  type: 'text' | 'bigint' | 'integer' | 'float8' | 'numeric';
  column: string;
  expr?: (v: string) => string;
}

const REQUEST_FIELDS: readonly Field<RequestRow>[] = [
  { key: 'requestId', type: 'text', column: 'request_id' },
  { key: 'tenant', type: 'text', column: 'tenant' },
  { key: 'requestedGroup', type: 'text', column: 'requested_group' },
  { key: 'modelGroup', type: 'text', column: 'model_group' },
  { key: 'deployment', type: 'text', column: 'deployment' },
  { key: 'provider', type: 'text', column: 'provider' },
  { key: 'startTime', type: 'bigint', column: '"startTime"', expr: ts },
  { key: 'endTime', type: 'bigint', column: '"endTime"', expr: ts },
  { key: 'promptTokens', type: 'integer', column: 'prompt_tokens' },
  { key: 'completionTokens', type: 'integer', column: 'completion_tokens' },
  { key: 'spend', type: 'float8', column: 'spend' },
  { key: 'status', type: 'text', column: 'status' },
  { key: 'statusCode', type: 'integer', column: 'status_code' },
  { key: 'attempts', type: 'integer', column: 'attempts' },
];

const ATTEMPT_FIELDS: readonly Field<AttemptRow>[] = [
  { key: 'requestId', type: 'text', column: 'request_id' },
  { key: 'attempt', type: 'integer', column: 'attempt' },
  { key: 'modelGroup', type: 'text', column: 'model_group' },
  { key: 'deployment', type: 'text', column: 'deployment' },
  { key: 'provider', type: 'text', column: 'provider' },
  { key: 'outcome', type: 'text', column: 'outcome' },
  { key: 'statusCode', type: 'integer', column: 'status_code' },
  // The column holds whole milliseconds; a measured latency has fractions.
  { key: 'latencyMs', type: 'numeric', column: 'latency_ms', expr: (v) => `round(${v})` },
  { key: 'startTime', type: 'bigint', column: '"startTime"', expr: ts },
];

function insertFrom<Row>(table: string, fields: readonly Field<Row>[], alias: string, param: number, extra: Record<string, string> = {}): string {
  const q = (f: Field<Row>) => `${alias}."${f.key}"`;
  const columns = [...fields.map((f) => f.column), ...Object.keys(extra)];
  const values = [...fields.map((f) => (f.expr ? f.expr(q(f)) : q(f))), ...Object.values(extra)];
  return `INSERT INTO ${table} (${columns.join(', ')})
SELECT ${values.join(', ')}
FROM json_to_recordset($${param}::json) AS ${alias}(${fields.map((f) => `"${f.key}" ${f.type}`).join(', ')})
ON CONFLICT DO NOTHING`;
}

export const INSERT_SQL = `WITH requests AS (
${insertFrom(REQUESTS_TABLE, REQUEST_FIELDS, 'r', 1, { total_tokens: 'r."promptTokens" + r."completionTokens"' }).replace(/^/gm, '  ')}
)
${insertFrom(ATTEMPTS_TABLE, ATTEMPT_FIELDS, 'a', 2)}`;

/**
 * A row as it is serialised: exactly the fields above, in a fresh object of
 * one shape. Copying keeps whatever else a caller's objects carry out of the
 * database connection, and one hidden class keeps JSON.stringify on V8's
 * fast path (several times faster than a key-list replacer, or than rows
 * built by object spreads; test/bench/request-log.bench.ts).
 */
export const requestJson = (r: RequestRow) => ({
  requestId: r.requestId,
  tenant: r.tenant,
  requestedGroup: r.requestedGroup,
  modelGroup: r.modelGroup,
  deployment: r.deployment,
  provider: r.provider,
  startTime: r.startTime,
  endTime: r.endTime,
  promptTokens: r.promptTokens,
  completionTokens: r.completionTokens,
  spend: r.spend,
  status: r.status,
  statusCode: r.statusCode,
  attempts: r.attempts,
});

export const attemptJson = (a: AttemptRow) => ({
  requestId: a.requestId,
  attempt: a.attempt,
  modelGroup: a.modelGroup,
  deployment: a.deployment,
  provider: a.provider,
  outcome: a.outcome,
  statusCode: a.statusCode,
  latencyMs: a.latencyMs,
  startTime: a.startTime,
});

/** The JSON keys each statement reads (tests hold requestJson and attemptJson to them). */
export const REQUEST_KEYS = REQUEST_FIELDS.map((f) => f.key);
export const ATTEMPT_KEYS = ATTEMPT_FIELDS.map((f) => f.key);

/** INSERT_SQL's two parameters for a batch (rows already checked by rows.ts): the request rows and the attempt rows as JSON. */
export function insertParams(batch: readonly Entry[]): [string, string] {
  const requests: ReturnType<typeof requestJson>[] = [];
  const attempts: ReturnType<typeof attemptJson>[] = [];
  for (const e of batch) {
    requests.push(requestJson(e.request));
    for (const a of e.attempts) attempts.push(attemptJson(a));
  }
  return [JSON.stringify(requests), JSON.stringify(attempts)];
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
