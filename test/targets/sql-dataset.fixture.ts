/**
 * The seeded requests for the analytics SQL tests, as INSERT statements that
 * run unchanged on PGlite and PostgreSQL. Three UTC days (Feb 28, Mar 1,
 * Mar 2 2025), tenants support / docs / lab, both sources:
 *
 * - LiteLLM spend-log rows (l*): model_id `<group>/<deployment>` as the
 *   generated LiteLLM config sets it; tenant = team_id, or the team alias
 *   (l4); a failure (l5); a row without status (l11, older LiteLLM).
 * - Switchyard requests (s*) with their attempts: plain successes, a retry
 *   inside a group (s4), chains that fire and succeed (s2, s4, s7), a chain
 *   that runs out (s5) and one that stops at a 400 (s8).
 *
 * T = 10,000 prompt + 1,000 completion tokens: 0.035 USD on gpt-4o
 * (2.5/10 per 1M), 0.045 on Sonnet (3/15), 0.0006 on local llama (0.05/0.1).
 */

export interface SeedRequest {
  id: string;
  source: 'litellm' | 'switchyard';
  start: string;
  latencyMs: number;
  tenant: string;
  /** LiteLLM only: a team_id that is not a tenant id, with the tenant as team alias. */
  teamAlias?: boolean;
  requestedGroup?: string;
  group: string;
  deployment: string;
  provider: string;
  prompt: number;
  completion: number;
  spend: number;
  status: 'success' | 'failure' | null;
}

const T = { prompt: 10_000, completion: 1_000 };
const NONE = { prompt: 0, completion: 0, spend: 0 };
const gpt = { group: 'chat', deployment: 'openai-gpt-4o', provider: 'openai', ...T, spend: 0.035 };
const azure = { group: 'chat-azure', deployment: 'azure-gpt-4o', provider: 'azure', ...T, spend: 0.035 };
const sonnet = { group: 'chat-anthropic', deployment: 'anthropic-sonnet', provider: 'anthropic', ...T, spend: 0.045 };
const local = { group: 'local', deployment: 'local-llama', provider: 'vllm-a', ...T, spend: 0.0006 };
const ok = 'success' as const;

const REQUESTS: SeedRequest[] = [
  { id: 'l12', source: 'litellm', start: '2025-02-28 23:59:58.000', latencyMs: 1000, tenant: 'support', ...gpt, status: ok },

  { id: 's1', source: 'switchyard', start: '2025-03-01 10:00:00.000', latencyMs: 800, tenant: 'support', requestedGroup: 'chat', ...gpt, status: ok },
  { id: 's2', source: 'switchyard', start: '2025-03-01 10:05:00.000', latencyMs: 1500, tenant: 'support', requestedGroup: 'chat', ...azure, status: ok },
  { id: 's3', source: 'switchyard', start: '2025-03-01 11:00:00.000', latencyMs: 400, tenant: 'docs', requestedGroup: 'local', ...local, status: ok },
  { id: 's4', source: 'switchyard', start: '2025-03-01 12:00:00.000', latencyMs: 1900, tenant: 'support', requestedGroup: 'chat', ...sonnet, status: ok },
  {
    id: 's5',
    source: 'switchyard',
    start: '2025-03-01 13:00:00.000',
    latencyMs: 2500,
    tenant: 'support',
    requestedGroup: 'chat',
    ...local,
    ...NONE,
    status: 'failure',
  },
  {
    id: 's8',
    source: 'switchyard',
    start: '2025-03-01 13:30:00.000',
    latencyMs: 700,
    tenant: 'support',
    requestedGroup: 'chat',
    ...azure,
    ...NONE,
    status: 'failure',
  },
  { id: 'l1', source: 'litellm', start: '2025-03-01 10:10:00.000', latencyMs: 1000, tenant: 'support', ...gpt, status: ok },
  { id: 'l2', source: 'litellm', start: '2025-03-01 11:10:00.000', latencyMs: 300, tenant: 'docs', ...local, status: ok },
  { id: 'l3', source: 'litellm', start: '2025-03-01 14:00:00.000', latencyMs: 1200, tenant: 'lab', ...sonnet, status: ok },
  {
    id: 'l4',
    source: 'litellm',
    start: '2025-03-01 15:00:00.000',
    latencyMs: 500,
    tenant: 'docs',
    teamAlias: true,
    ...local,
    prompt: 20_000,
    completion: 2_000,
    spend: 0.0012,
    status: ok,
  },
  { id: 'l5', source: 'litellm', start: '2025-03-01 16:00:00.000', latencyMs: 100, tenant: 'support', ...gpt, ...NONE, status: 'failure' },
  { id: 'l8', source: 'litellm', start: '2025-03-01 17:00:00.000', latencyMs: 600, tenant: 'support', ...gpt, status: ok },
  { id: 'l9', source: 'litellm', start: '2025-03-01 18:00:00.000', latencyMs: 1400, tenant: 'support', ...gpt, status: ok },
  { id: 'l10', source: 'litellm', start: '2025-03-01 19:00:00.000', latencyMs: 2200, tenant: 'lab', ...gpt, status: ok },

  { id: 's6', source: 'switchyard', start: '2025-03-02 09:00:00.000', latencyMs: 350, tenant: 'docs', requestedGroup: 'local', ...local, status: ok },
  { id: 's7', source: 'switchyard', start: '2025-03-02 09:30:00.000', latencyMs: 1100, tenant: 'support', requestedGroup: 'chat', ...azure, status: ok },
  { id: 'l6', source: 'litellm', start: '2025-03-02 10:00:00.000', latencyMs: 900, tenant: 'support', ...gpt, status: ok },
  { id: 'l7', source: 'litellm', start: '2025-03-02 11:00:00.000', latencyMs: 250, tenant: 'docs', ...local, status: ok },
  { id: 'l11', source: 'litellm', start: '2025-03-02 12:00:00.000', latencyMs: 1100, tenant: 'lab', ...gpt, status: null },
  { id: 'l13', source: 'litellm', start: '2025-03-02 13:00:00.000', latencyMs: 200, tenant: 'docs', ...local, status: ok },
];

/** [request, attempt, group, deployment, provider, outcome, status code] */
type SeedAttempt = [string, number, string, string, string, string, number | null];

const ATTEMPTS: SeedAttempt[] = [
  ['s1', 1, 'chat', 'openai-gpt-4o', 'openai', 'success', 200],
  ['s2', 1, 'chat', 'openai-gpt-4o', 'openai', 'error', 503],
  ['s2', 2, 'chat-azure', 'azure-gpt-4o', 'azure', 'success', 200],
  ['s3', 1, 'local', 'local-llama', 'vllm-a', 'success', 200],
  ['s4', 1, 'chat', 'openai-gpt-4o', 'openai', 'error', 503],
  ['s4', 2, 'chat', 'openai-gpt-4o', 'openai', 'error', 503],
  ['s4', 3, 'chat-azure', 'azure-gpt-4o', 'azure', 'timeout', null],
  ['s4', 4, 'chat-anthropic', 'anthropic-sonnet', 'anthropic', 'success', 200],
  ['s5', 1, 'chat', 'openai-gpt-4o', 'openai', 'error', 503],
  ['s5', 2, 'chat-azure', 'azure-gpt-4o', 'azure', 'error', 503],
  ['s5', 3, 'chat-anthropic', 'anthropic-sonnet', 'anthropic', 'error', 529],
  ['s5', 4, 'local', 'local-llama', 'vllm-a', 'error', 500],
  ['s8', 1, 'chat', 'openai-gpt-4o', 'openai', 'error', 503],
  ['s8', 2, 'chat-azure', 'azure-gpt-4o', 'azure', 'error', 400],
  ['s6', 1, 'local', 'local-llama', 'vllm-a', 'success', 200],
  ['s7', 1, 'chat', 'openai-gpt-4o', 'openai', 'rate_limited', 429],
  ['s7', 2, 'chat-azure', 'azure-gpt-4o', 'azure', 'success', 200],
];

const q = (s: string | null) => (s === null ? 'NULL' : `'${s.replaceAll("'", "''")}'`);
const end = (r: SeedRequest) => `TIMESTAMP ${q(r.start)} + interval '1 millisecond' * ${r.latencyMs}`;

function litellmInsert(r: SeedRequest): string {
  const team = r.teamAlias === true ? 'team-7f3a' : r.tenant;
  const metadata = r.teamAlias === true ? JSON.stringify({ user_api_key_team_alias: r.tenant }) : '{}';
  return `INSERT INTO "LiteLLM_SpendLogs" ("request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens", "completion_tokens", "startTime", "endTime", "model", "model_id", "model_group", "custom_llm_provider", "metadata", "team_id", "status")
VALUES (${q(r.id)}, 'acompletion', 'hashed-key', ${r.spend}, ${r.prompt + r.completion}, ${r.prompt}, ${r.completion}, TIMESTAMP ${q(r.start)}, ${end(r)}, ${q(r.deployment)}, ${q(`${r.group}/${r.deployment}`)}, ${q(r.group)}, ${q(r.provider === 'vllm-a' ? 'hosted_vllm' : r.provider)}, ${q(metadata)}::jsonb, ${q(team)}, ${q(r.status)});`;
}

function switchyardInsert(r: SeedRequest): string {
  const attempts = ATTEMPTS.filter((a) => a[0] === r.id).length;
  return `INSERT INTO switchyard.requests (request_id, tenant, requested_group, model_group, deployment, provider, "startTime", "endTime", prompt_tokens, completion_tokens, total_tokens, spend, status, status_code, attempts)
VALUES (${q(r.id)}, ${q(r.tenant)}, ${q(r.requestedGroup ?? r.group)}, ${q(r.group)}, ${q(r.deployment)}, ${q(r.provider)}, TIMESTAMP ${q(r.start)}, ${end(r)}, ${r.prompt}, ${r.completion}, ${r.prompt + r.completion}, ${r.spend}, ${q(r.status)}, ${r.status === 'success' ? 200 : 503}, ${attempts});`;
}

function attemptInsert([id, n, group, deployment, provider, outcome, code]: SeedAttempt): string {
  const r = REQUESTS.find((x) => x.id === id)!;
  return `INSERT INTO switchyard.attempts (request_id, attempt, model_group, deployment, provider, outcome, status_code, latency_ms, "startTime")
VALUES (${q(id)}, ${n}, ${q(group)}, ${q(deployment)}, ${q(provider)}, ${q(outcome)}, ${code ?? 'NULL'}, 100, TIMESTAMP ${q(r.start)} + interval '100 milliseconds' * ${n - 1});`;
}

export function seedSql(): string {
  return [...REQUESTS.map((r) => (r.source === 'litellm' ? litellmInsert(r) : switchyardInsert(r))), ...ATTEMPTS.map(attemptInsert)].join('\n');
}
