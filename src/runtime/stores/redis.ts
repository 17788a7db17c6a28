/**
 * Shared router state in Redis (standalone or Cluster), so several router
 * processes see one set of breakers, usage windows, spend and latencies.
 *
 * Round trips: a route() costs two, whatever the plan: one read script
 * (HGETALL of every key in scope) returning everything the decision may need (the tenant and every deployment
 * of the group's fallback chain) before the first call, and one script call
 * applying the request's journal after the outcome. Retries and fallbacks
 * within the request add none: they decide on the local mirror, which the
 * snapshot refreshed. Between processes, limits are exact for requests that
 * do not overlap in time; overlapping requests in different processes each
 * see the other's usage only once it is committed.
 *
 * When Redis is unreachable (connection error or command timeout) the store
 * keeps serving the local mirror, marks itself degraded (`degraded` event),
 * queues the journals it could not write, and when the client is ready
 * again replays them in one pipeline and emits `recovered`.
 */
import { Redis, Cluster, type ClusterNode, type RedisOptions } from 'ioredis';
import type { CompiledPlan } from '../../plan/types.ts';
import type { BreakerPhase } from '../breaker.ts';
import { LocalState, spendThisMonth, type DeploymentState, type Session, type TenantState } from '../state.ts';
import { LIMIT_WINDOW_MS, type RtDeployment, type RtLink, type RtTenant } from '../tables.ts';
import type { RouterEvents } from '../types.ts';
import { BUCKETS, bucketWidth, monthOf } from '../windows.ts';
import { READ_LUA, RECORD_LUA } from './redis-scripts.ts';
import type { RouterStore, StoreContext, StoreMetrics } from './store.ts';

type Client = Redis | Cluster;
type RecordCommand = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>;

const KEY_TTL_MS = 40 * 24 * 3600 * 1000;
const LIMIT_WIDTH = bucketWidth(LIMIT_WINDOW_MS);

export interface RedisStoreOptions {
  /** `redis://host:port`; with `cluster`, the seed node. */
  url?: string;
  cluster?: boolean;
  /** Cluster seed nodes (implies cluster). */
  nodes?: ClusterNode[];
  /** A client you configured yourself (it should use enableOfflineQueue: false so an outage fails fast). */
  client?: Client;
  /** Overrides the plan's routerState.keyPrefix. */
  keyPrefix?: string;
  /** Per command; a slower answer counts as Redis being unreachable. Default 250 ms. */
  commandTimeoutMs?: number;
  /** Journals kept for replay while degraded; the oldest are dropped beyond this. Default 10 000. */
  maxQueuedJournals?: number;
}

/** Scope of one request: the keys it reads and may write, in KEYS order. */
interface Scope {
  keys: string[];
  deployments: RtDeployment[];
  tenant: RtTenant | null;
}

/** A Session over the local mirror that also writes down what it changes, for the one script call at commit. */
class JournalSession implements Session {
  readonly journal: Array<string | number> = [];
  /** Keys this request changed (the script's KEYS): only these are written. */
  readonly keys: string[] = [];
  private readonly touched = new Map<number, number>();
  constructor(
    readonly state: LocalState,
    private readonly scope: Scope,
    private readonly keyOfDeployment: Map<number, number>,
  ) {}
  /** 1-based index into `keys` of the scope's key `scopeIndex` (0-based). */
  private key(scopeIndex: number): number {
    let i = this.touched.get(scopeIndex);
    if (i === undefined) {
      i = this.keys.push(this.scope.keys[scopeIndex]!);
      this.touched.set(scopeIndex, i);
    }
    return i;
  }
  private dk(d: RtDeployment): number {
    return this.key(this.keyOfDeployment.get(d.index)! - 1);
  }
  private tk(): number {
    return this.key(this.scope.keys.length - 1);
  }
  admit(d: RtDeployment, now: number): boolean {
    const ok = this.state.admit(d, now);
    if (ok) this.journal.push('A', this.dk(d), now, d.breaker.cooldownMs, d.breaker.halfOpenProbes, 0, 0, 0, 0);
    return ok;
  }
  call(d: RtDeployment, tokens: number, now: number): void {
    this.state.call(d, tokens, now);
    this.journal.push('C', this.dk(d), now, tokens, 0, 0, 0, 0, 0);
  }
  result(d: RtDeployment, now: number, failed: boolean, latencyMs: number | null): BreakerPhase {
    const b = d.breaker;
    this.journal.push('R', this.dk(d), now, failed ? 1 : 0, latencyMs ?? -1, b.errorRateThreshold, b.minRequests, bucketWidth(b.windowMs), b.halfOpenProbes);
    return this.state.result(d, now, failed, latencyMs);
  }
  tenantRequest(t: RtTenant, tokens: number, now: number): void {
    this.state.tenantRequest(t, tokens, now);
    this.journal.push('C', this.tk(), now, tokens, 0, 0, 0, 0, 0);
  }
  spend(t: RtTenant, usd: number, now: number): void {
    this.state.spend(t, usd, now);
    this.journal.push('S', this.tk(), now, usd, monthOf(now), 0, 0, 0, 0);
  }
}

interface QueuedJournal {
  keys: string[];
  journal: Array<string | number>;
}

type Buckets = Array<[number, number]>;

/** A hash as HGETALL's flat [field, value, ...]: scalars by name, window buckets (`r123`) by letter. */
function parseHash(flat: string[]): { fields: Record<string, string>; buckets: Record<string, Buckets> } {
  const fields: Record<string, string> = {};
  const buckets: Record<string, Buckets> = { r: [], t: [], q: [], f: [] };
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const f = flat[i]!;
    const list = f.length > 1 ? buckets[f[0]!] : undefined;
    const idx = list ? Number(f.slice(1)) : NaN;
    if (list && Number.isInteger(idx)) list.push([idx, Number(flat[i + 1])]);
    else fields[f] = flat[i + 1]!;
  }
  return { fields, buckets };
}

function loadDeployment(s: DeploymentState, now: number, flat: string[]): void {
  const { fields: h, buckets } = parseHash(flat);
  const b = s.breaker;
  b.phase = (Number(h.s ?? 0) as BreakerPhase) || 0;
  b.openedAt = Number(h.o ?? 0);
  b.probes = Number(h.p ?? 0);
  b.probeSuccesses = Number(h.k ?? 0);
  s.latencyMs = h.l === undefined ? NaN : Number(h.l);
  s.rpm.load(now, buckets.r!);
  s.tpm.load(now, buckets.t!);
  b.requests.load(now, buckets.q!);
  b.failures.load(now, buckets.f!);
}

function loadTenant(s: TenantState, now: number, flat: string[]): void {
  const { fields: h, buckets } = parseHash(flat);
  s.rpm.load(now, buckets.r!);
  s.tpm.load(now, buckets.t!);
  spendThisMonth(s, now);
  s.spendUsd = h.m !== undefined && Number(h.m) === s.month ? Number(h.u ?? 0) : 0;
}

const isReplyError = (e: unknown): boolean => e instanceof Error && e.name === 'ReplyError';

export class RedisStore implements RouterStore {
  readonly kind = 'redis';
  private mirror: LocalState | null = null;
  private prefix = '';
  private events: RouterEvents | undefined;
  private readonly scopes = new WeakMap<readonly RtLink[], Map<number, { scope: Scope; keyOf: Map<number, number> }>>();
  private readonly queued: QueuedJournal[] = [];
  private resyncing: Promise<void> | null = null;
  private readonly stats: StoreMetrics = { roundTrips: 0, errors: 0, degraded: false, degradedCount: 0, recoveredCount: 0 };
  private readonly record: RecordCommand;
  private readonly read: RecordCommand;

  constructor(
    readonly client: Client,
    private readonly options: RedisStoreOptions = {},
  ) {
    client.defineCommand('switchyardRecord', { lua: RECORD_LUA });
    client.defineCommand('switchyardRead', { lua: READ_LUA });
    this.record = (client as unknown as { switchyardRecord: RecordCommand }).switchyardRecord.bind(client);
    this.read = (client as unknown as { switchyardRead: RecordCommand }).switchyardRead.bind(client);
    // ioredis reports connection trouble as 'error' events; without a listener it would print them.
    client.on('error', () => {
      this.stats.errors++;
    });
    client.on('ready', () => {
      if (this.stats.degraded) void this.resync();
    });
  }

  attach(ctx: StoreContext): void {
    if (this.mirror) throw new Error('a store serves one router; create one store per router');
    this.mirror = new LocalState(ctx.tables);
    this.events = ctx.events;
    const rs = ctx.plan?.routerState;
    this.prefix = this.options.keyPrefix ?? (rs?.kind === 'redis' ? rs.keyPrefix : 'switchyard:');
  }

  local(): LocalState {
    if (!this.mirror) throw new Error('store is not attached to a router');
    return this.mirror;
  }

  metrics(): StoreMetrics {
    return this.stats;
  }

  private scopeOf(tenant: RtTenant | null, links: readonly RtLink[]): { scope: Scope; keyOf: Map<number, number> } {
    let byTenant = this.scopes.get(links);
    if (!byTenant) this.scopes.set(links, (byTenant = new Map()));
    const tk = tenant ? tenant.index : -1;
    let s = byTenant.get(tk);
    if (!s) {
      const deployments: RtDeployment[] = [];
      const keyOf = new Map<number, number>();
      for (const l of links)
        for (const d of l.group.candidates)
          if (!keyOf.has(d.index)) {
            deployments.push(d);
            keyOf.set(d.index, deployments.length); // 1-based, as Lua's KEYS
          }
      const keys = deployments.map((d) => `${this.prefix}{router}:d:${d.id}`);
      if (tenant) keys.push(`${this.prefix}{router}:t:${tenant.id}`);
      s = { scope: { keys, deployments, tenant }, keyOf };
      byTenant.set(tk, s);
    }
    return s;
  }

  private markDegraded(error: unknown): void {
    this.stats.errors++;
    if (this.stats.degraded) return;
    this.stats.degraded = true;
    this.stats.degradedCount++;
    this.events?.emit('degraded', { store: 'redis', error: error instanceof Error ? error.message : String(error) });
  }

  private enqueue(keys: string[], journal: Array<string | number>): void {
    this.queued.push({ keys, journal });
    const max = this.options.maxQueuedJournals ?? 10_000;
    if (this.queued.length > max) this.queued.splice(0, this.queued.length - max);
  }

  private send(keys: string[], journal: Array<string | number>): Promise<unknown> {
    return this.record(keys.length, ...keys, BUCKETS, LIMIT_WIDTH, KEY_TTL_MS, ...journal);
  }

  /** Replays what was routed during the outage (one pipeline), then leaves degraded mode. */
  resync(): Promise<void> {
    if (this.resyncing) return this.resyncing;
    this.resyncing = (async () => {
      try {
        const batch = this.queued.splice(0);
        if (batch.length > 0) {
          const p = this.client.pipeline() as unknown as { switchyardRecord: RecordCommand; exec(): Promise<Array<[Error | null, unknown]> | null> };
          for (const q of batch) p.switchyardRecord(q.keys.length, ...q.keys, BUCKETS, LIMIT_WIDTH, KEY_TTL_MS, ...q.journal);
          this.stats.roundTrips++;
          let results: Array<[Error | null, unknown]> | null;
          try {
            results = await p.exec();
          } catch (e) {
            this.queued.unshift(...batch);
            throw e;
          }
          const failed = (results ?? []).findIndex(([err]) => err !== null && !isReplyError(err));
          if (failed >= 0) {
            this.queued.unshift(...batch.slice(failed));
            throw results![failed]![0];
          }
        } else {
          this.stats.roundTrips++;
          await this.client.ping();
        }
        this.stats.degraded = false;
        this.stats.recoveredCount++;
        this.events?.emit('recovered', { store: 'redis' });
      } catch {
        // Still unreachable: stay degraded; the next request or 'ready' event tries again.
      } finally {
        this.resyncing = null;
      }
    })();
    return this.resyncing;
  }

  async begin(tenant: RtTenant | null, links: readonly RtLink[], now: number): Promise<Session> {
    const mirror = this.local();
    const { scope, keyOf } = this.scopeOf(tenant, links);
    const session = new JournalSession(mirror, scope, keyOf);
    if (this.stats.degraded) {
      if (this.client.status !== 'ready') return session;
      await this.resync();
      if (this.stats.degraded) return session;
    }
    try {
      this.stats.roundTrips++;
      const res = (await this.read(scope.keys.length, ...scope.keys)) as string[][];
      for (let i = 0; i < scope.deployments.length; i++) loadDeployment(mirror.deployments[scope.deployments[i]!.index]!, now, res[i] ?? []);
      if (tenant) loadTenant(mirror.tenants[tenant.index]!, now, res[scope.deployments.length] ?? []);
    } catch (e) {
      if (isReplyError(e)) throw e;
      this.markDegraded(e);
    }
    return session;
  }

  async commit(session: Session, _now: number): Promise<void> {
    const s = session as JournalSession;
    if (s.journal.length === 0) return;
    const keys = s.keys;
    if (this.stats.degraded) return this.enqueue(keys, s.journal);
    try {
      this.stats.roundTrips++;
      await this.send(keys, s.journal);
    } catch (e) {
      if (isReplyError(e)) throw e;
      this.markDegraded(e);
      this.enqueue(keys, s.journal);
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}

function clientOptions(o: RedisStoreOptions): RedisOptions {
  return {
    // Fail fast during an outage instead of queueing behind a dead connection: the router has a mirror.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: o.commandTimeoutMs ?? 250,
    connectTimeout: 2_000,
    retryStrategy: (times: number) => Math.min(50 * times, 1_000),
    lazyConnect: false,
  };
}

/** Connects (waiting until ready, or degraded if Redis cannot be reached in time) and returns the store. */
export async function createRedisStore(options: RedisStoreOptions & { readyTimeoutMs?: number }): Promise<RedisStore> {
  let client: Client;
  if (options.client) client = options.client;
  else if (options.nodes || options.cluster) {
    const nodes = options.nodes ?? [options.url ?? 'redis://127.0.0.1:6379'];
    client = new Cluster(nodes, {
      enableOfflineQueue: false,
      redisOptions: clientOptions(options),
      clusterRetryStrategy: (t: number) => Math.min(100 * t, 2_000),
    });
  } else client = new Redis(options.url ?? 'redis://127.0.0.1:6379', clientOptions(options));
  const store = new RedisStore(client, options);
  if (client.status !== 'ready') {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, options.readyTimeoutMs ?? 3_000);
      function done() {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      }
      client.once('ready', done);
    });
  }
  return store;
}

/** The store the plan asks for: its routerState's URL from the environment (`env:` references only). */
export async function redisStoreFromPlan(plan: CompiledPlan, env: Record<string, string | undefined> = process.env): Promise<RedisStore> {
  const rs = plan.routerState;
  if (rs.kind !== 'redis') throw new Error('the plan keeps router state in memory (routerState.kind is "memory")');
  if (rs.url.scheme !== 'env') throw new Error(`router state URL ${rs.url.ref}: only env: references can be resolved by the router`);
  const url = env[rs.url.name];
  if (!url) throw new Error(`router state URL: environment variable ${rs.url.name} is not set`);
  return createRedisStore({ url, cluster: rs.cluster, keyPrefix: rs.keyPrefix });
}
