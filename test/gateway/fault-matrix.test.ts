/**
 * The fault matrix: each fault we can simulate on one machine, injected into
 * the local provider stand-ins (or the state store, the request log's
 * database, or the plan) while a bounded concurrent load runs, and what
 * every client saw. A row holds when every request ended within its guard
 * with a success or a well-formed OpenAI error — none hung, none answered
 * twice (one request-log row per request id), none lost — and, where one
 * provider is down, at least 95% of requests succeeded through a fallback.
 * The table is printed:
 *
 *   fault | requests | successes | well-formed errors | hung | p95 ms
 *
 * Each row starts a fresh gateway, so breakers opened by one fault do not
 * hide the next.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { withTimeout } from '../../src/request-log/connection.ts';
import { createRequestLog, type RequestLog, type RequestLogEvent } from '../../src/request-log/index.ts';
import { createRedisStore } from '../../src/runtime/stores/redis.ts';
import type { RouterStore } from '../../src/runtime/stores/store.ts';
import { freePort } from '../fixtures/ports.ts';
import { startPostgres } from '../fixtures/postgres-server.ts';
import { type RedisServer, redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import type { Fault } from '../fixtures/upstream-standins.ts';
import { compileOrThrow, type GatewayHarness, QUICK_RETRY_LOG, standInPolicy, startHarness, TENANT_KEYS } from './harness.ts';

const REQUESTS = 40;
const CONCURRENCY = 8;
/** A client that has no answer after this long counts the request as hung (the gateway's budgets are far shorter). */
const HANG_GUARD_MS = 10_000;

interface Row {
  fault: string;
  requests: number;
  successes: number;
  errors: number;
  hung: number;
  malformed: number;
  duplicates: number;
  p95: number;
  /** By the order the requests were sent (null: no answer). */
  requestIds: Array<string | null>;
}
const table: Row[] = [];

type Outcome = 'success' | 'error' | 'hung' | 'malformed';

const isErrorShape = (e: any) =>
  e !== null &&
  typeof e === 'object' &&
  Object.keys(e).sort().join() === 'code,message,param,type' &&
  typeof e.message === 'string' &&
  typeof e.type === 'string';

/** What one answer was: a success, a well-formed error (a status with OpenAI's envelope, or a stream ended by an error event), or neither. */
function classify(status: number, text: string, stream: boolean): Exclude<Outcome, 'hung'> {
  if (stream && status === 200) {
    const events = text
      .split('\n\n')
      .filter((e) => e.startsWith('data: '))
      .map((e) => e.slice(6));
    if (events.at(-1) !== '[DONE]') return 'malformed';
    const errors = events.filter((e) => e.includes('"error"'));
    if (errors.length === 0) return 'success';
    return errors.length === 1 && isErrorShape(JSON.parse(errors[0]!).error) ? 'error' : 'malformed';
  }
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    return 'malformed';
  }
  if (status === 200) return Array.isArray(json.choices) && json.error === undefined ? 'success' : 'malformed';
  return status >= 400 && isErrorShape(json.error) ? 'error' : 'malformed';
}

async function one(h: GatewayHarness, group: string, stream: boolean): Promise<{ outcome: Outcome; ms: number; requestId: string | null }> {
  const t0 = performance.now();
  try {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TENANT_KEYS['support-assistant']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: group, messages: [{ role: 'user', content: 'What colour is a ripe banana?' }], ...(stream ? { stream: true } : {}) }),
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    });
    const text = await res.text();
    return { outcome: classify(res.status, text, stream), ms: performance.now() - t0, requestId: res.headers.get('x-request-id') };
  } catch (e) {
    return { outcome: (e as Error).name === 'TimeoutError' ? 'hung' : 'malformed', ms: performance.now() - t0, requestId: null };
  }
}

/**
 * REQUESTS requests, CONCURRENCY at a time; `during` runs once the load has
 * started; `before(i)` runs before request i (numbered in the order sent) is
 * sent, and may hold it back until a fault has happened.
 */
async function load(
  h: GatewayHarness,
  fault: string,
  o: { group?: string; stream?: boolean; during?: () => Promise<void>; before?: (i: number) => Promise<void> | undefined },
): Promise<Row> {
  const results: Awaited<ReturnType<typeof one>>[] = [];
  const requestIds: Array<string | null> = [];
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      await o.before?.(i);
      const r = await one(h, o.group ?? 'chat', o.stream ?? false);
      results.push(r);
      requestIds[i] = r.requestId;
    }
  };
  const workers = Array.from({ length: CONCURRENCY }, worker);
  await o.during?.();
  await Promise.all(workers);
  // Answered twice: more than one request-log row for one request id (the log records each answer once).
  const ids = results.map((r) => r.requestId).filter((id): id is string => id !== null);
  const rows = new Map<string, number>();
  for (const r of h.requestLog.requests()) rows.set(r.requestId, (rows.get(r.requestId) ?? 0) + 1);
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const count = (k: Outcome) => results.filter((r) => r.outcome === k).length;
  const row: Row = {
    fault,
    requests: results.length,
    successes: count('success'),
    errors: count('error'),
    hung: count('hung'),
    malformed: count('malformed'),
    duplicates: ids.filter((id) => (rows.get(id) ?? 0) > 1).length + (new Set(ids).size === ids.length ? 0 : 1),
    p95: Math.round(ms[Math.max(0, Math.ceil(ms.length * 0.95) - 1)] ?? 0),
    requestIds,
  };
  table.push(row);
  return row;
}

/** Every request ended, well-formed, once; with one provider down, ≥95% succeeded. */
function holds(row: Row, o: { fallback?: boolean; allSucceed?: boolean } = {}): void {
  expect(row.requests).toBe(REQUESTS);
  expect(row.hung).toBe(0);
  expect(row.malformed).toBe(0);
  expect(row.duplicates).toBe(0);
  expect(row.successes + row.errors).toBe(REQUESTS);
  if (o.fallback) expect(row.successes / row.requests).toBeGreaterThanOrEqual(0.95);
  if (o.allSucceed) expect(row.successes).toBe(REQUESTS);
}

async function withGateway<T>(fn: (h: GatewayHarness) => Promise<T>, o: Parameters<typeof startHarness>[0] = {}): Promise<T> {
  const h = await startHarness(o);
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

afterAll(() => {
  const head = ['fault', 'requests', 'successes', 'well-formed errors', 'hung', 'p95 ms'];
  const lines = table.map((r) => [r.fault, r.requests, r.successes, r.errors, r.hung, r.p95].map(String));
  const width = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join(' | ');
  console.log(['', fmt(head), width.map((w) => '-'.repeat(w)).join('-|-'), ...lines.map(fmt)].join('\n'));
});

/**
 * A request log as seen from outside at each record(): which requests it
 * took and which it dropped, with the queue length before and after. The
 * queue grows only in record(), so the largest length seen after one is the
 * most it ever held.
 */
function watched(log: RequestLog) {
  const accepted: string[] = [];
  const dropped: Array<{ requestId: string; rows: number; queuedBefore: number }> = [];
  const queuedAfter: number[] = [];
  const wrapped: RequestLog = {
    record(request, attempts) {
      const before = log.stats();
      log.record(request, attempts);
      const after = log.stats();
      if (after.dropped === before.dropped) accepted.push(request.requestId);
      else dropped.push({ requestId: request.requestId, rows: after.dropped - before.dropped, queuedBefore: before.queued });
      queuedAfter.push(after.queued);
    },
    flush: (timeoutMs) => log.flush(timeoutMs),
    close: (timeoutMs) => log.close(timeoutMs),
    stats: () => log.stats(),
  };
  /** Resolves once `n` requests have been recorded (throws after `limitMs`, naming how many were). */
  const recorded = async (n: number, limitMs: number): Promise<void> => {
    const end = Date.now() + limitMs;
    while (queuedAfter.length < n) {
      if (Date.now() > end) throw new Error(`only ${queuedAfter.length} of ${n} requests reached the request log`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { log: wrapped, accepted, dropped, queuedAfter, recorded };
}

/** OpenAI is the primary of "chat"; Azure, Anthropic and vLLM are its fallbacks. */
const OPENAI_DOWN: Array<[string, Fault, boolean]> = [
  ['5xx (OpenAI 500)', { status: 500 }, false],
  ['429 + Retry-After (OpenAI)', { status: 429, retryAfterS: 1 }, false],
  ['timeout (OpenAI silent 1.5 s)', { delayMs: 1_500 }, false],
  ['reset mid-body (OpenAI)', { resetMidBody: true }, false],
  ['malformed JSON (OpenAI 200)', { malformedJson: true }, false],
  ['200 with an error body (OpenAI)', { errorBody200: true }, false],
  ['slow first token (OpenAI stream)', { stallAfterEvents: 0 }, true],
];

describe('fault matrix', () => {
  it.each(OPENAI_DOWN)('%s: the fallback answers', async (fault, f, stream) => {
    await withGateway(async (h) => {
      h.standIns.openai!.fault = f;
      holds(await load(h, fault, { stream }), { fallback: true });
      expect(h.standIns.openai!.requests.length).toBeGreaterThan(0);
    });
  });

  it('connection refused (OpenAI apiBase on a closed port): the fallback answers', async () => {
    const port = await freePort();
    await withGateway(async (h) => holds(await load(h, 'connection refused (OpenAI)', {}), { fallback: true }), {
      edit: (p) => {
        p.providers.find((x) => x.id === 'openai')!.apiBase = `http://127.0.0.1:${port}/v1`;
      },
    });
  });

  it.each([
    ['truncated stream (OpenAI breaks after 2 events)', { breakAfterEvents: 2 } as Fault],
    ['stalled stream (OpenAI stops after 2 events)', { stallAfterEvents: 2 } as Fault],
  ])('%s: a stream already begun ends with one error event and [DONE]; once the breaker opens, the fallback answers', async (fault, f) => {
    await withGateway(async (h) => {
      h.standIns.openai!.fault = f;
      const row = await load(h, fault, { stream: true });
      holds(row);
      // The first byte had reached the client: those requests cannot be retried and end in an error event.
      expect(row.errors).toBeGreaterThan(0);
      expect(row.errors).toBeLessThanOrEqual(h.standIns.openai!.requests.length);
    });
  });

  it('reload during streams: every stream finishes on its plan', async () => {
    await withGateway(async (h) => {
      h.standIns.openai!.eventDelayMs = 30;
      const policy = await standInPolicy((id) => h.standIns[id]!.base);
      policy.tenants.find((t) => t.id === 'research-lab')!.rpm = 99;
      const next: CompiledPlan = compileOrThrow(policy);
      const row = await load(h, 'reload during streams', {
        stream: true,
        during: async () => {
          for (let i = 0; i < 3; i++) {
            await new Promise((r) => setTimeout(r, 100));
            await h.gateway.reload(i % 2 === 0 ? next : h.plan, await h.secretsFor(next));
          }
        },
      });
      holds(row, { allSucceed: true });
    });
  });

  const noRedis = redisServerMissing();
  it.skipIf(noRedis !== null)(
    'Redis killed and restarted mid-load: routing goes on on local state, the store recovers',
    async () => {
      const redis: RedisServer = await startRedisServer();
      let store: RouterStore | null = null;
      try {
        store = await createRedisStore({ url: redis.url, keyPrefix: 'matrix:' });
        await withGateway(
          async (h) => {
            h.standIns.openai!.eventDelayMs = 5;
            const row = await load(h, 'Redis killed and restarted', {
              during: async () => {
                await new Promise((r) => setTimeout(r, 50));
                await redis.stop('SIGKILL');
                await new Promise((r) => setTimeout(r, 300));
                await redis.start();
              },
            });
            holds(row, { allSucceed: true });
            const end = Date.now() + 10_000;
            let ready: any = null;
            while (Date.now() < end) {
              ready = (await h.get('/readyz')).json;
              if (ready.store.up) break;
              await new Promise((r) => setTimeout(r, 50));
            }
            expect(ready.store).toMatchObject({ kind: 'redis', up: true });
            expect(store!.metrics().degradedCount).toBeGreaterThanOrEqual(1);
            expect(store!.metrics().recoveredCount).toBeGreaterThanOrEqual(1);
          },
          { store },
        );
      } finally {
        await redis.dispose();
      }
    },
    60_000,
  );

  /**
   * The database row, by request number: 0-9 with PostgreSQL up; the
   * database killed when request 10 is due (0-9 may still be in flight);
   * 10-29 sent once it is dead; once all 30 are answered it is restarted,
   * and 30-39 are sent when the request log has written to it again. The
   * queue holds 20 rows (ten requests of a request row and an attempt row):
   * the ten requests before the kill and the ten after the restart fit
   * whatever the writer's pace, the twenty while it is down do not.
   */
  const KILL_AT = 10;
  const BACK_AT = 30;
  const ROWS_PER_REQUEST = 2;
  const MAX_QUEUE = 20;
  it('database down and back (PostgreSQL killed and restarted mid-load): every request served; the request-log queue stays within its bound; rows resume, none lost', async () => {
    const postgres = await startPostgres({ durableCommits: true });
    try {
      const events: RequestLogEvent[] = [];
      let upAgain!: () => void;
      const up = new Promise<void>((r) => (upAgain = r));
      const database = createRequestLog({
        databaseUrl: postgres.url,
        maxQueue: MAX_QUEUE,
        ...QUICK_RETRY_LOG,
        onEvent: (e) => {
          events.push(e);
          if (e.kind === 'up') upAgain();
        },
      });
      const w = watched(database);
      await withGateway(
        async (h) => {
          let killed: Promise<void> | undefined;
          let back: Promise<void> | undefined;
          const row = await load(h, 'database down and back (PostgreSQL)', {
            before: (i) => {
              if (i >= BACK_AT)
                return (back ??= (async () => {
                  await killed;
                  await w.recorded(BACK_AT, 30_000);
                  await postgres.restart();
                  await withTimeout(up, 30_000, 'the request log writing to the restarted database');
                })());
              if (i >= KILL_AT) return (killed ??= postgres.kill());
              return undefined;
            },
          });
          // The database never failed a request.
          holds(row, { allSucceed: true });
          await database.flush(30_000);

          // Every request was logged once, as a request row and one attempt (OpenAI answered).
          expect(h.requestLog.requests().map((r) => r.attempts)).toEqual(Array(REQUESTS).fill(1));
          expect(h.requestLog.attempts()).toHaveLength(REQUESTS);
          expect(w.queuedAfter).toHaveLength(REQUESTS);
          const sent = (from: number, to: number) => row.requestIds.slice(from, to) as string[];
          expect(new Set(row.requestIds).size).toBe(REQUESTS);

          // The bound, from both sides: the queue never held more than MAX_QUEUE rows, it did reach
          // MAX_QUEUE, and a request was dropped only when its rows no longer fit (never earlier).
          expect(Math.max(...w.queuedAfter)).toBe(MAX_QUEUE);
          for (const d of w.dropped) expect(d).toEqual({ requestId: d.requestId, rows: ROWS_PER_REQUEST, queuedBefore: MAX_QUEUE });
          // Only requests sent while the database was down were dropped: at least those past the queue's room.
          const downIds = new Set(sent(KILL_AT, BACK_AT));
          for (const d of w.dropped) expect(downIds.has(d.requestId)).toBe(true);
          expect(w.dropped.length).toBeGreaterThanOrEqual(BACK_AT - KILL_AT - MAX_QUEUE / ROWS_PER_REQUEST);
          expect(w.dropped.length).toBeLessThanOrEqual(BACK_AT - KILL_AT);

          // The writer's own account matches: everything it took is written, what it dropped is counted.
          const stats = database.stats();
          console.log(
            `database down and back: queue peak ${Math.max(...w.queuedAfter)}/${MAX_QUEUE} rows; requests taken ${w.accepted.length}, dropped ${w.dropped.length}; writer ${JSON.stringify(stats)}`,
          );
          expect(stats).toMatchObject({ queued: 0, rejected: 0, dropped: w.dropped.length * ROWS_PER_REQUEST });
          expect(stats.failedWrites).toBeGreaterThanOrEqual(1);
          expect(events.map((e) => e.kind)).toEqual(['down', 'up']);

          // Rows resumed, none silently lost: the table holds exactly the requests the log took, once each,
          // and those rows plus the dropped ones are all the rows of all the requests made.
          const ids = (await postgres.client.query<{ request_id: string }>('SELECT request_id FROM switchyard.requests ORDER BY request_id')).rows.map(
            (r) => r.request_id,
          );
          const attempts = Number((await postgres.client.query<{ n: string }>('SELECT count(*) AS n FROM switchyard.attempts')).rows[0]!.n);
          expect(ids).toEqual([...w.accepted].sort());
          expect(attempts).toBe(w.accepted.length);
          expect(ids.length + attempts + stats.dropped).toBe(REQUESTS * ROWS_PER_REQUEST);
          expect(stats.written).toBe(ids.length + attempts);
          // The requests before the kill and every one made after the restart are in the table.
          const stored = new Set(ids);
          expect(sent(0, KILL_AT).filter((id) => !stored.has(id))).toEqual([]);
          expect(sent(BACK_AT, REQUESTS).filter((id) => !stored.has(id))).toEqual([]);
        },
        { databaseLog: w.log },
      );
    } finally {
      await postgres.stop();
    }
  }, 120_000);
});
