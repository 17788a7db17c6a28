/** Request-log rows, fallback steps and client errors from router traces (pure). */
import { describe, expect, it } from 'vitest';
import { TenantKeys } from '../../src/gateway/auth.ts';
import { routeFailure, secondsToNextMonth, triedSummary } from '../../src/gateway/outcome.ts';
import { attemptOutcome, fallbackSteps, requestRows } from '../../src/gateway/record.ts';
import { buildTables } from '../../src/runtime/tables.ts';
import type { Attempt, RouteResult } from '../../src/runtime/types.ts';
import { deployment, group, plan } from '../runtime/plans.ts';

const call = (g: string, d: string, outcome: 'ok' | 'error', reason: Attempt['reason'] = null, status: number | null = null, tryIndex = 0): Attempt => ({
  group: g,
  step: g === 'chat' ? 'primary' : 'fallback',
  deployment: d,
  try: tryIndex,
  outcome,
  reason,
  status,
  latencyMs: 5,
  backoffMs: 0,
});
const skip = (g: string, d: string | null, reason: Attempt['reason']): Attempt => ({
  ...call(g, d ?? '', 'ok'),
  deployment: d,
  outcome: 'skipped',
  reason,
  try: -1,
});

describe('fallback steps', () => {
  it('counts a move into each group whose deployments were considered, from the group before it', () => {
    const trace = [
      call('chat', 'openai', 'error', 'http-5xx', 503),
      call('chat', 'openai', 'error', 'http-5xx', 503, 1),
      skip('chat-azure', null, 'tenant-not-allowed'),
      skip('chat-anthropic', 'claude', 'circuit-open'),
      call('chat-local', 'vllm-a', 'ok'),
    ];
    expect(fallbackSteps(trace, 'chat-local')).toEqual([
      { from: 'chat', to: 'chat-anthropic', success: false },
      { from: 'chat-anthropic', to: 'chat-local', success: true },
    ]);
    // A fallback whose deployments all had open circuits failed, even without a call.
    expect(fallbackSteps([skip('chat-local', 'vllm-a', 'context-too-small'), skip('chat-mini', 'mini', 'circuit-open')], undefined)).toEqual([
      { from: 'chat-local', to: 'chat-mini', success: false },
    ]);
    expect(fallbackSteps([call('chat', 'a', 'error', 'timeout'), call('chat-azure', 'b', 'error', 'timeout')], undefined)).toEqual([
      { from: 'chat', to: 'chat-azure', success: false },
    ]);
    expect(fallbackSteps([call('chat', 'a', 'ok')], 'chat')).toEqual([]);
  });
});

describe('request-log rows', () => {
  it('one attempt row per call in call order, skips left out; the request row names the serving group and deployment', () => {
    const result: RouteResult = {
      ok: true,
      group: 'chat-azure',
      deployment: 'azure-a',
      trace: [
        call('chat', 'openai', 'error', 'http-429', 429),
        call('chat', 'openai', 'error', 'timeout', null, 1),
        skip('chat-azure', 'azure-b', 'circuit-open'),
        call('chat-azure', 'azure-a', 'ok'),
      ],
    };
    const rows = requestRows({
      requestId: 'r',
      tenant: 't',
      requestedGroup: 'chat',
      result,
      callStarts: [100, 200, 300],
      startTime: 90,
      endTime: 400,
      statusCode: 200,
      usage: { inputTokens: 10, outputTokens: 3 },
      spend: 0.5,
      providerOf: (d) => (d.startsWith('azure') ? 'azure' : 'openai'),
    });
    expect(rows.attempts.map((a) => [a.attempt, a.modelGroup, a.deployment, a.provider, a.outcome, a.statusCode, a.startTime])).toEqual([
      [1, 'chat', 'openai', 'openai', 'rate_limited', 429, 100],
      [2, 'chat', 'openai', 'openai', 'timeout', null, 200],
      [3, 'chat-azure', 'azure-a', 'azure', 'success', 200, 300],
    ]);
    expect(rows.request).toEqual({
      requestId: 'r',
      tenant: 't',
      requestedGroup: 'chat',
      modelGroup: 'chat-azure',
      deployment: 'azure-a',
      provider: 'azure',
      startTime: 90,
      endTime: 400,
      promptTokens: 10,
      completionTokens: 3,
      spend: 0.5,
      status: 'success',
      statusCode: 200,
      attempts: 3,
    });
  });

  it('a failed request names the last deployment called; one refused before routing has no attempts and no deployment', () => {
    const failed = requestRows({
      requestId: 'r',
      tenant: 't',
      requestedGroup: 'chat',
      result: { ok: false, trace: [call('chat', 'openai', 'error', 'connection'), call('chat-azure', 'azure-a', 'error', 'http-5xx', 500)] },
      callStarts: [1, 2],
      startTime: 0,
      endTime: 3,
      statusCode: 502,
      usage: null,
      spend: 0,
      providerOf: () => 'p',
    });
    expect(failed.request).toMatchObject({ modelGroup: 'chat-azure', deployment: 'azure-a', status: 'failure', statusCode: 502, promptTokens: 0, attempts: 2 });
    expect(failed.attempts.map((a) => a.outcome)).toEqual(['connection_error', 'error']);
    expect([attemptOutcome(call('c', 'd', 'error', 'cancelled')), attemptOutcome(call('c', 'd', 'error', 'http-4xx', 400))]).toEqual(['cancelled', 'error']);
    const refused = requestRows({
      requestId: 'q',
      tenant: 't',
      requestedGroup: 'chat',
      result: { ok: false, trace: [] },
      callStarts: [],
      startTime: 0,
      endTime: 1,
      statusCode: 403,
      usage: null,
      spend: 0,
      providerOf: () => null,
    });
    expect(refused.request).toMatchObject({ modelGroup: null, deployment: null, provider: null, attempts: 0 });
  });
});

describe('client errors for failed routes', () => {
  it('tenant limits are 429 with Retry-After; a spent budget waits for the next month', () => {
    expect(routeFailure({ ok: false, trace: [skip('chat', null, 'tenant-rpm')] }, 'chat', 't', 0)).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      type: 'requests',
      retryAfterS: 3,
    });
    expect(routeFailure({ ok: false, trace: [skip('chat', null, 'tenant-tpm')] }, 'chat', 't', 0)).toMatchObject({ status: 429, type: 'tokens' });
    const now = Date.UTC(2025, 0, 31, 23, 59, 0);
    expect(routeFailure({ ok: false, trace: [skip('chat', 'a', 'tenant-budget'), skip('f', 'b', 'tenant-budget')] }, 'chat', 't', now)).toMatchObject({
      status: 429,
      code: 'insufficient_quota',
      retryAfterS: 60,
    });
    expect(secondsToNextMonth(Date.UTC(2025, 11, 31, 23, 59, 59))).toBe(1);
  });

  it('nothing callable is 503; every call timed out is 504; other failures 502; all naming what was tried', () => {
    const open = routeFailure({ ok: false, trace: [skip('chat', 'openai', 'circuit-open'), skip('chat-azure', 'azure', 'deployment-rpm')] }, 'chat', 't', 0);
    expect(open).toMatchObject({ status: 503, code: 'no_deployment_available' });
    expect(open.message).toBe(
      'No deployment of model "chat" or its fallbacks could take the request: chat/openai (circuit-open), chat-azure/azure (deployment-rpm).',
    );
    const slow = routeFailure({ ok: false, trace: [call('chat', 'a', 'error', 'timeout'), call('chat', 'a', 'error', 'timeout', null, 1)] }, 'chat', 't', 0);
    expect(slow).toMatchObject({ status: 504, code: 'upstream_timeout' });
    expect(slow.message).toContain('chat/a (timeout, timeout)');
    const mixed = routeFailure({ ok: false, trace: [call('chat', 'a', 'error', 'timeout'), call('f', 'b', 'error', 'http-5xx', 500)] }, 'chat', 't', 0);
    expect(mixed).toMatchObject({ status: 502, code: 'upstream_failed' });
    expect(mixed.message).toBe('Every deployment tried for model "chat" failed: chat/a (timeout), f/b (http-5xx 500).');
    expect(routeFailure({ ok: false, trace: [skip('chat', 'a', 'context-too-small')] }, 'chat', 't', 0)).toMatchObject({
      status: 400,
      code: 'context_length_exceeded',
    });
  });

  it('lists at most a dozen candidates', () => {
    const trace = Array.from({ length: 15 }, (_, i) => skip('g', `d${i}`, 'circuit-open'));
    expect(triedSummary(trace)).toMatch(/g\/d11 \(circuit-open\) and 3 more$/);
  });
});

describe('tenant keys', () => {
  const tables = buildTables(
    plan([deployment('d')], [group('g', ['d'])], {
      a: { id: 'a', description: null, apiKeys: [], allowedGroups: ['g'], rpm: null, tpm: null, monthlyBudgetUsd: null },
      b: { id: 'b', description: null, apiKeys: [], allowedGroups: ['g'], rpm: null, tpm: null, monthlyBudgetUsd: null },
    }),
  );
  const [a, b] = tables.tenants;

  it('finds the tenant of a Bearer key and nothing else', () => {
    const keys = new TenantKeys([
      { tenant: a!, keys: ['key-a-1', 'key-a-2'] },
      { tenant: b!, keys: ['key-b'] },
    ]);
    expect(keys.authenticate('Bearer key-a-2')?.id).toBe('a');
    expect(keys.authenticate('bearer key-b')?.id).toBe('b');
    for (const h of [undefined, '', 'Bearer ', 'Bearer key-a', 'Basic key-b', 'key-b', 'Bearer key-b-', `Bearer ${'x'.repeat(10_000)}`])
      expect(keys.authenticate(h), String(h)).toBeNull();
  });

  it('refuses a key shared by two tenants, naming the tenants and not the key', () => {
    expect(
      () =>
        new TenantKeys([
          { tenant: a!, keys: ['same-key-value'] },
          { tenant: b!, keys: ['same-key-value'] },
        ]),
    ).toThrow(/^tenants a and b resolve to the same API key/);
    try {
      new TenantKeys([
        { tenant: a!, keys: ['same-key-value'] },
        { tenant: b!, keys: ['same-key-value'] },
      ]);
    } catch (e) {
      expect((e as Error).message).not.toContain('same-key-value');
    }
  });
});
