/**
 * A scripted gateway load for the request-log tests, on the reference plan
 * (generated/plan.json): the rows the gateway records for 1,200 requests
 * over two UTC days, with fallbacks, retries, failures, three tenants and
 * seven providers, every cost priced from the plan's deployment prices.
 *
 * Day 1 (2025-03-01) runs cycle DAY1 100 times, day 2 (2025-03-02) runs
 * cycle DAY2 50 times. T = 10,000 prompt + 1,000 completion tokens, priced
 * at: gpt-4o 0.035 USD (2.5 / 10 per 1M), Sonnet 0.045 (3 / 15), llama-8b on
 * pools a and b 0.0006 (0.05 / 0.1), on pool c 0.00048 (0.04 / 0.08),
 * gpt-4o-mini 0.0021 (0.15 / 0.6). Failed requests carry no tokens.
 * The expected view values in the tests are worked out by hand from this.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlan } from '../../src/plan/read.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import type { AttemptRow, RequestRow } from '../../src/request-log/types.ts';
import { REPO } from '../fixtures/workspace.ts';

const referencePlan = (): CompiledPlan => parsePlan(readFileSync(join(REPO, 'generated/plan.json'), 'utf8'));
export const ANALYTICS_SQL = () => readFileSync(join(REPO, 'generated/sql/routing_analytics.sql'), 'utf8');

const SUPPORT = 'support-assistant';
const LAB = 'research-lab';
const DOCS = 'document-pipeline';

/** [model group, deployment, outcome, provider HTTP status] */
type Call = [string, string, string, number | null];

interface Scenario {
  tenant: string;
  group: string;
  latencyMs: number;
  /** HTTP status returned to the client; 200 = success with T tokens. */
  status: number;
  calls: Call[];
}

const ok = (group: string, deployment: string): Call => [group, deployment, 'success', 200];
const err = (group: string, deployment: string, status: number): Call => [group, deployment, 'error', status];

const DAY1: Scenario[] = [
  /* 1 */ { tenant: SUPPORT, group: 'chat', latencyMs: 800, status: 200, calls: [ok('chat', 'openai-gpt-4o')] },
  /* 2 */ { tenant: SUPPORT, group: 'chat', latencyMs: 1000, status: 200, calls: [ok('chat', 'openai-gpt-4o')] },
  /* 3 */ {
    tenant: SUPPORT,
    group: 'chat',
    latencyMs: 1500,
    status: 200,
    calls: [err('chat', 'openai-gpt-4o', 503), ok('chat-azure', 'azure-eastus-gpt-4o')],
  },
  /* 4: a retry inside chat, a timeout and a retry on the other Azure region, then Anthropic */ {
    tenant: SUPPORT,
    group: 'chat',
    latencyMs: 1900,
    status: 200,
    calls: [
      err('chat', 'openai-gpt-4o', 503),
      err('chat', 'openai-gpt-4o', 503),
      ['chat-azure', 'azure-eastus-gpt-4o', 'timeout', null],
      err('chat-azure', 'azure-swedencentral-gpt-4o', 503),
      ok('chat-anthropic', 'anthropic-claude-sonnet'),
    ],
  },
  /* 5: the whole chain fails */ {
    tenant: SUPPORT,
    group: 'chat',
    latencyMs: 2500,
    status: 503,
    calls: [
      err('chat', 'openai-gpt-4o', 503),
      err('chat-azure', 'azure-eastus-gpt-4o', 503),
      err('chat-anthropic', 'anthropic-claude-sonnet', 529),
      err('chat-local', 'vllm-a-llama-8b', 500),
    ],
  },
  /* 6 */ { tenant: LAB, group: 'chat', latencyMs: 2400, status: 200, calls: [ok('chat', 'openai-gpt-4o')] },
  /* 7 */ {
    tenant: LAB,
    group: 'chat',
    latencyMs: 900,
    status: 200,
    calls: [['chat', 'openai-gpt-4o', 'rate_limited', 429], ok('chat-azure', 'azure-swedencentral-gpt-4o')],
  },
  /* 8: a client error is not retried */ { tenant: LAB, group: 'chat', latencyMs: 150, status: 400, calls: [err('chat', 'openai-gpt-4o', 400)] },
  /* 9 */ { tenant: DOCS, group: 'chat-local', latencyMs: 300, status: 200, calls: [ok('chat-local', 'vllm-a-llama-8b')] },
  /* 10 */ { tenant: DOCS, group: 'chat-local', latencyMs: 500, status: 200, calls: [ok('chat-local', 'vllm-c-llama-8b')] },
];

const DAY2: Scenario[] = [
  /* 11 */ { tenant: SUPPORT, group: 'chat', latencyMs: 700, status: 200, calls: [ok('chat', 'openai-gpt-4o')] },
  /* 12 */ {
    tenant: DOCS,
    group: 'chat-local',
    latencyMs: 250,
    status: 200,
    calls: [err('chat-local', 'vllm-b-llama-8b', 503), ok('chat-mini', 'openai-gpt-4o-mini')],
  },
  /* 13 */ {
    tenant: LAB,
    group: 'chat',
    latencyMs: 1100,
    status: 200,
    calls: [err('chat', 'openai-gpt-4o', 503), ok('chat-azure', 'azure-eastus-gpt-4o')],
  },
  /* 14: refused by the tenant's rate limit before any call */ { tenant: LAB, group: 'chat', latencyMs: 5, status: 429, calls: [] },
];

const DAY1_CYCLES = 100;
const DAY2_CYCLES = 50;
const PROMPT = 10_000;
const COMPLETION = 1_000;

export interface LoggedRequest {
  request: RequestRow;
  attempts: AttemptRow[];
}

/** The rows of one request as the gateway records them, spend priced with the plan's deployment prices. */
function requestRows(plan: CompiledPlan, id: string, start: number, s: Scenario): LoggedRequest {
  const attempts: AttemptRow[] = s.calls.map(([group, deployment, outcome, statusCode], i) => {
    const d = plan.deployments[deployment];
    if (d === undefined) throw new Error(`the reference plan has no deployment ${deployment}: update the load`);
    if (!plan.groups[group]?.deployments.includes(deployment)) throw new Error(`deployment ${deployment} is not in group ${group} of the reference plan`);
    return {
      requestId: id,
      attempt: i + 1,
      modelGroup: group,
      deployment,
      provider: d.provider,
      outcome,
      statusCode,
      latencyMs: 100,
      startTime: start + 100 * i,
    };
  });
  const last = attempts.at(-1);
  const served = s.status === 200 ? plan.deployments[last!.deployment]! : null;
  const spend = served === null ? 0 : (PROMPT * served.pricing.inputPer1M + COMPLETION * served.pricing.outputPer1M) / 1_000_000;
  return {
    request: {
      requestId: id,
      tenant: s.tenant,
      requestedGroup: s.group,
      modelGroup: last?.modelGroup ?? null,
      deployment: last?.deployment ?? null,
      provider: last?.provider ?? null,
      startTime: start,
      endTime: start + s.latencyMs,
      promptTokens: served === null ? 0 : PROMPT,
      completionTokens: served === null ? 0 : COMPLETION,
      spend,
      status: s.status === 200 ? 'success' : 'failure',
      statusCode: s.status,
      attempts: attempts.length,
    },
    attempts,
  };
}

/** Day 1 then day 2, one request every 8 s of the day, ids `d<day>-c<cycle>-s<scenario>`. */
export function scriptedLoad(plan: CompiledPlan = referencePlan()): LoggedRequest[] {
  const out: LoggedRequest[] = [];
  const days: [number, Scenario[], number, number][] = [
    [1, DAY1, DAY1_CYCLES, Date.UTC(2025, 2, 1)],
    [2, DAY2, DAY2_CYCLES, Date.UTC(2025, 2, 2)],
  ];
  for (const [day, cycle, cycles, midnight] of days) {
    let n = 0;
    const first = day === 1 ? 1 : DAY1.length + 1;
    for (let c = 0; c < cycles; c++)
      cycle.forEach((s, i) => out.push(requestRows(plan, `d${day}-c${String(c).padStart(3, '0')}-s${first + i}`, midnight + 8_000 * n++, s)));
  }
  return out;
}

export const rowsOf = (load: readonly LoggedRequest[]) => load.reduce((n, r) => n + 1 + r.attempts.length, 0);
