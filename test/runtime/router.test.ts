import { describe, expect, it } from 'vitest';
import { Breaker, CLOSED, HALF_OPEN, OPEN } from '../../src/runtime/breaker.ts';
import { manualClock, seededRandom } from '../../src/runtime/clock.ts';
import { dryRunTransport } from '../../src/runtime/dry-run.ts';
import { createRouter } from '../../src/runtime/router.ts';
import type { Transport, TransportResult } from '../../src/runtime/types.ts';
import { SlidingWindow } from '../../src/runtime/windows.ts';
import { BREAKER, deployment, group, plan } from './plans.ts';

/** Answers each deployment from a queue of results (the last one repeats). */
function queued(answers: Record<string, TransportResult[]>): Transport {
  return {
    call: async (d) => {
      const q = answers[d.id] ?? [{ ok: true, latencyMs: 10, usage: { inputTokens: 1, outputTokens: 1 } }];
      return q.length > 1 ? q.shift()! : q[0]!;
    },
  };
}
const ok: TransportResult = { ok: true, latencyMs: 10, usage: { inputTokens: 100, outputTokens: 50 } };
const s503: TransportResult = { ok: false, kind: 'http', status: 503, latencyMs: 5 };

describe('retries', () => {
  it('backs off exponentially up to maxMs, honouring Retry-After, through the injected clock', async () => {
    const p = plan(
      [deployment('a'), deployment('b')],
      [
        group('g', ['a', 'b'], {
          strategy: 'ordered',
          retries: { count: 3, backoff: { initialMs: 100, maxMs: 300, multiplier: 2 }, retryOn: [429, 503] },
          circuitBreaker: { ...BREAKER, minRequests: 100 },
        }),
      ],
    );
    const clock = manualClock(0);
    const router = createRouter(p, {
      clock,
      random: seededRandom(1),
      transport: queued({ a: [s503, { ok: false, kind: 'http', status: 429, retryAfterMs: 250, latencyMs: 1 }, s503, ok] }),
    });
    const r = await router.route({ group: 'g', estimatedInputTokens: 10 });
    expect(r.ok).toBe(true);
    expect(r.trace.map((a) => [a.try, a.outcome, a.backoffMs])).toEqual([
      [0, 'error', 100],
      [1, 'error', 250],
      [2, 'error', 300],
      [3, 'ok', 0],
    ]);
    expect(clock.now()).toBe(650);
  });

  it('moves on without waiting when Retry-After exceeds the longest backoff, and does not retry a 400', async () => {
    const p = plan(
      [deployment('a'), deployment('b'), deployment('c')],
      [group('g', ['a', 'b', 'c'], { strategy: 'ordered', circuitBreaker: { ...BREAKER, minRequests: 100 } })],
    );
    const router = createRouter(p, {
      clock: manualClock(0),
      random: seededRandom(1),
      transport: queued({
        a: [{ ok: false, kind: 'http', status: 429, retryAfterMs: 60_000, latencyMs: 1 }],
        b: [{ ok: false, kind: 'http', status: 400, latencyMs: 1 }],
      }),
    });
    const r = await router.route({ group: 'g', estimatedInputTokens: 10 });
    expect(r.trace.map((a) => `${a.deployment} ${a.outcome} ${a.reason}`)).toEqual([
      'a error http-429',
      'a skipped retry-after-too-long',
      'b error http-4xx',
      'c ok null',
    ]);
  });
});

describe('final transport results (a gateway whose answer already reached the client, or whose client left)', () => {
  const p = plan(
    [deployment('a'), deployment('b'), deployment('c')],
    [
      group('g', ['a', 'b'], { strategy: 'ordered', fallbacks: ['f'], circuitBreaker: { ...BREAKER, minRequests: 1, errorRateThreshold: 0 } }),
      group('f', ['c']),
    ],
  );

  it('a final failure ends the request: no retry, no next candidate, no fallback; it still counts against the breaker', async () => {
    const calls: string[] = [];
    const transport: Transport = {
      call: async (d, _r, opts) => {
        calls.push(`${d.id}@${opts.group}`);
        return d.id === 'a' ? { ok: false, kind: 'connection', latencyMs: 3, final: true } : ok;
      },
    };
    const router = createRouter(p, { clock: manualClock(), random: seededRandom(1), transport });
    const r = await router.route({ group: 'g', estimatedInputTokens: 10 });
    expect(r.ok).toBe(false);
    expect(r.trace.map((a) => `${a.deployment} ${a.outcome} ${a.reason}`)).toEqual(['a error connection']);
    expect(calls).toEqual(['a@g']);
    expect(router.inspect('a').breaker).toBe('open');
    // Without the flag the same failure is retried, then the next candidate answers.
    calls.length = 0;
    const plain = createRouter(p, {
      clock: manualClock(),
      random: seededRandom(1),
      transport: { call: async (d, _r, opts) => (calls.push(`${d.id}@${opts.group}`), d.id === 'a' ? { ok: false, kind: 'connection', latencyMs: 3 } : ok) },
    });
    expect((await plain.route({ group: 'g', estimatedInputTokens: 10 })).deployment).toBe('b');
    expect(calls).toEqual(['a@g', 'b@g']);
  });

  it('a cancelled call (the client went away) ends the request and does not count against the breaker', async () => {
    const router = createRouter(p, {
      clock: manualClock(),
      random: seededRandom(1),
      transport: { call: async () => ({ ok: false, kind: 'cancelled', latencyMs: 1, final: true }) },
    });
    const r = await router.route({ group: 'g', estimatedInputTokens: 10 });
    expect(r.trace.map((a) => `${a.deployment} ${a.outcome} ${a.reason}`)).toEqual(['a error cancelled']);
    expect(router.inspect('a').breaker).toBe('closed');
  });

  it('tells the transport which group each call is for (fallbacks included)', async () => {
    const groups: string[] = [];
    const router = createRouter(p, {
      clock: manualClock(),
      random: seededRandom(1),
      transport: { call: async (d, _r, opts) => (groups.push(`${d.id}@${opts.group}`), d.id === 'c' ? ok : s503) },
    });
    expect((await router.route({ group: 'g', estimatedInputTokens: 10 })).group).toBe('f');
    expect(groups.at(-1)).toBe('c@f');
  });
});

describe('fallbacks', () => {
  const p = plan(
    [deployment('small', { contextWindow: 8_000 }), deployment('big', { contextWindow: 100_000 }), deployment('other')],
    [group('g', ['small'], { fallbacks: ['f'], contextWindowFallbacks: ['long'] }), group('long', ['big'], { fallbacks: ['g'] }), group('f', ['other'])],
    { t: { id: 't', description: null, apiKeys: [], allowedGroups: ['g', 'f'], rpm: 2, tpm: null, monthlyBudgetUsd: null } },
  );

  it('walks context-window fallbacks first when the request is too long for the group', async () => {
    const router = createRouter(p, { clock: manualClock(), random: seededRandom(1), transport: dryRunTransport(['big']) });
    const r = await router.route({ group: 'g', estimatedInputTokens: 9_000, maxOutputTokens: 1_000 });
    expect(r.trace.map((a) => `${a.step} ${a.group} ${a.deployment} ${a.outcome} ${a.reason}`)).toEqual([
      'primary g small skipped context-too-small',
      'context-window-fallback long big error http-5xx',
      'context-window-fallback long big error http-5xx',
      // two failures out of two requests open its breaker (50%, minRequests 2): the last retry is refused
      'context-window-fallback long big skipped circuit-open',
      'fallback f other ok null',
    ]);
    // A short request never visits the context-window fallback.
    expect((await router.route({ group: 'g', estimatedInputTokens: 100 })).trace.map((a) => a.group)).toEqual(['g']);
  });

  it('enforces tenant groups and rpm', async () => {
    const router = createRouter(p, { clock: manualClock(), random: seededRandom(1), transport: dryRunTransport() });
    const long = await router.route({ group: 'g', tenant: 't', estimatedInputTokens: 50_000 });
    expect(long.group).toBe('f');
    expect(long.trace.find((a) => a.group === 'long')).toMatchObject({ deployment: null, reason: 'tenant-not-allowed' });
    expect((await router.route({ group: 'g', tenant: 't', estimatedInputTokens: 10 })).ok).toBe(true);
    const third = await router.route({ group: 'g', tenant: 't', estimatedInputTokens: 10 });
    expect(third).toMatchObject({ ok: false, trace: [{ reason: 'tenant-rpm', deployment: null }] });
    expect((await router.route({ group: 'nope', estimatedInputTokens: 10 })).trace[0]!.reason).toBe('unknown-group');
  });
});

describe('strategies', () => {
  const ds = [
    deployment('x', { pricing: { inputPer1M: 5, outputPer1M: 5 }, rpm: 10 }),
    deployment('y', { pricing: { inputPer1M: 1, outputPer1M: 9 }, rpm: 100 }),
    deployment('z', { pricing: { inputPer1M: 2, outputPer1M: 2 }, rpm: 10 }),
  ];
  const route = async (
    strategy: 'cost_based' | 'usage_based' | 'latency_based' | 'ordered',
    req = { estimatedInputTokens: 1_000, maxOutputTokens: 1_000 },
    n = 1,
  ) => {
    const router = createRouter(plan(ds, [group('g', ['x', 'y', 'z'], { strategy })]), {
      clock: manualClock(),
      random: seededRandom(1),
      transport: queued({ x: [{ ...ok, latencyMs: 30 }], y: [{ ...ok, latencyMs: 20 }], z: [{ ...ok, latencyMs: 40 }] }),
    });
    const picks: string[] = [];
    for (let i = 0; i < n; i++) picks.push((await router.route({ group: 'g', ...req })).deployment!);
    return picks;
  };
  it('cost_based picks the cheapest for the request', async () => {
    expect(await route('cost_based')).toEqual(['z']); // 1000*2 + 1000*2 beats y's 1000*1 + 1000*9
    expect(await route('cost_based', { estimatedInputTokens: 10_000, maxOutputTokens: 0 })).toEqual(['y']);
  });
  it('usage_based picks the most headroom, as a fraction of the limits', async () => {
    const picks = await route('usage_based', undefined, 5);
    expect(new Set(picks.slice(0, 3))).toEqual(new Set(['x', 'y', 'z'])); // all untouched: full headroom, ties by weight
    expect(picks.slice(3)).toEqual(['y', 'y']); // 1 of 100 used beats 1 of 10
  });
  it('latency_based measures every deployment first, then prefers the fastest', async () => {
    const picks = await route('latency_based', undefined, 5);
    expect(new Set(picks.slice(0, 3))).toEqual(new Set(['x', 'y', 'z']));
    expect(picks.slice(3)).toEqual(['y', 'y']);
  });
  it('ordered follows plan order', async () => {
    expect(await route('ordered', undefined, 2)).toEqual(['x', 'x']);
  });
});

describe('breaker and windows', () => {
  it('closed -> open -> half-open -> closed, and half-open -> open on a failure', () => {
    const cfg = { errorRateThreshold: 0.5, minRequests: 2, windowMs: 60_000, cooldownMs: 1_000, halfOpenProbes: 2 };
    const b = new Breaker(cfg);
    b.record(cfg, 0, true);
    expect(b.phase).toBe(CLOSED); // below minRequests
    b.record(cfg, 1, true);
    expect(b.phase).toBe(OPEN);
    expect(b.admit(cfg, 500)).toBe(false);
    expect(b.admit(cfg, 1_001)).toBe(true);
    expect(b.phase).toBe(HALF_OPEN);
    expect(b.admit(cfg, 1_002)).toBe(true);
    expect(b.admit(cfg, 1_003)).toBe(false); // two probes only
    b.record(cfg, 1_010, false);
    b.record(cfg, 1_011, false);
    expect(b.phase).toBe(CLOSED);
    b.record(cfg, 2_000, true);
    b.record(cfg, 2_001, true);
    expect(b.admit(cfg, 3_100) && b.phase).toBe(HALF_OPEN);
    b.record(cfg, 3_101, true);
    expect(b).toMatchObject({ phase: OPEN, openedAt: 3_101 });
  });

  it('a window counts at least everything in the last windowMs, and forgets what is older than a bucket more', () => {
    const w = new SlidingWindow(60_000);
    w.add(1_000, 5);
    w.add(30_000, 2);
    expect(w.sum(60_999)).toBe(7);
    expect(w.sum(64_000)).toBe(2);
    expect(w.sum(200_000)).toBe(0);
  });
});
