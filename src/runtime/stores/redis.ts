/**
 * Shared router state in Redis (standalone or Cluster), so several router
 * processes enforce one set of breakers, usage windows, spend and latencies,
 * with no Redis round trip on a request's path.
 *
 * Requests decide on a local mirror and record into it at once (so each
 * router's own traffic is counted exactly and immediately); the same changes
 * are folded into a batch (batch.ts). Every `syncIntervalMs` (default 50 ms)
 * one script call pushes the batch and pulls every hash another router changed
 * since this one last looked; the mirror becomes the shared state plus what
 * this router did while the sync was in flight. That is Kong's and LiteLLM's
 * design for shared rate limits (local counters, periodic batched sync),
 * with the breakers synced the same way.
 *
 * Staleness bound. Syncs of one router never overlap; the next starts at most
 * I = syncIntervalMs after the previous ended, and one lasts at most D (its
 * round trip; past commandTimeoutMs it fails and the store is degraded). A
 * change made by router A at time t is in Redis by t + I + 2D (the sync in
 * flight, the interval, its own sync) and in router B's mirror by
 * t + 2I + 4D: the staleness bound S = 2·I + 4·D ≤ 2·I + 4·commandTimeoutMs,
 * about 2·I on a healthy network (D is well under a millisecond on a LAN),
 * as long as neither process's event loop is blocked. Hence:
 * - over any limit window, a router misses at most what the other routers
 *   admitted in the last S ms, so a shared limit L is exceeded by at most the
 *   usage the other routers admitted in S ms (and never beyond P·L with P
 *   routers, since each enforces L on a view that includes all its own usage);
 * - a breaker opened by one router is seen open by every router within S ms;
 *   until then the others may still call the deployment (each router's own
 *   failures open its local breaker at once);
 * - S ms after the last change, every mirror equals the shared state.
 *
 * When Redis is unreachable (connection error or command timeout) the store
 * keeps routing on its mirror (each router enforces every limit on its own
 * traffic) and marks itself degraded (`degraded` event). A sync that failed
 * may still have run (a timeout after Redis got the script): its batch is
 * kept with its id and sent again, and the script applies each batch id of a
 * router once. While degraded the store only probes (waits for the client's
 * `ready`, then PINGs); once Redis answers, it pushes every kept batch,
 * reloads everything and emits `recovered`. Without persistence, a restarted
 * Redis has lost what was pushed before the outage; routers reload that
 * emptier state.
 *
 * A plan reload that moves the router state to another Redis or key prefix
 * opens its store with `seed`: the first sync carries the state the gateway
 * had (carryState put it in the mirror) into the hashes the new keyspace
 * lacks, so breakers and usage follow the move instead of starting empty.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Cluster, type ClusterNode, Redis, type RedisOptions } from 'ioredis';
import { PHASE_NAMES } from '../breaker.ts';
import { LocalState, type Session } from '../state.ts';
import type { RouterTables } from '../tables.ts';
import type { Clock, RouterEvents } from '../types.ts';
import { applyBatch, Batch, BatchingSession } from './batch.ts';
import { dumpDeployment, dumpTenant, loadDeployment, loadTenant } from './redis-hash.ts';
import { type NumberedBatch, parseSyncReply, SEED_LUA, SYNC_LUA, syncArgs } from './redis-scripts.ts';
import { emptyStoreMetrics, type RouterStore, type StoreContext, type StoreMetrics } from './store.ts';

type Client = Redis | Cluster;
type SyncCommand = (numKeys: number, keys: string[], args: Array<string | number>) => Promise<unknown>;

/** Hashes nobody touched for this long expire (past the longest window and budget month). */
const KEY_TTL_MS = 40 * 24 * 3600 * 1000;

/**
 * Batches sent but not acknowledged (their sync failed; Redis may or may not
 * have run it) are sent again with their ids until one sync succeeds; past
 * this many, the oldest are dropped (and counted).
 */
const MAX_UNACKED = 64;

export const DEFAULT_SYNC_INTERVAL_MS = 50;
const DEFAULT_COMMAND_TIMEOUT_MS = 250;
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://...`; with `cluster`, a seed node. */
  url?: string;
  cluster?: boolean;
  /** Cluster seed nodes (implies cluster). */
  nodes?: ClusterNode[];
  /** A client you configured yourself (give it enableOfflineQueue: false and a commandTimeout, so an outage fails fast). */
  client?: Client;
  /** Overrides the plan's routerState.keyPrefix. */
  keyPrefix?: string;
  /** Per command; a slower answer counts as Redis being unreachable. Default 250 ms. */
  commandTimeoutMs?: number;
  /** Per connection attempt. Default 2 s. */
  connectTimeoutMs?: number;
  /** Pause between the end of one background sync and the start of the next. Default 50 ms; 0 turns background syncs off (call sync() yourself). */
  syncIntervalMs?: number;
  /**
   * Carry the mirror into this keyspace: the first sync first writes the
   * state of every deployment and tenant whose hash Redis lacks, as the
   * mirror holds it (what carryState put there when a plan reload moved the
   * router state to this Redis or key prefix). A hash that exists is another
   * router's, already shared: it is read, not overwritten. Only done when
   * nothing was routed on this store yet (else the mirror and the batch
   * would count the same requests twice), and only tried once.
   */
  seed?: boolean;
}

export class RedisStore implements RouterStore {
  readonly kind = 'redis';
  /** The stated staleness bound (ms): 2·syncIntervalMs + 4·commandTimeoutMs; Infinity without background syncs. */
  readonly stalenessBoundMs: number;
  private mirror: LocalState | null = null;
  private tables: RouterTables | null = null;
  private clock: Clock | null = null;
  private events: RouterEvents | undefined;
  private batching: BatchingSession | null = null;
  /** KEYS of the sync script: deployment hashes, tenant hashes, the seq key, this router's applied key. */
  private keys: string[] = [];
  /** The version of each hash (KEYS order, the last two excluded) as of the last sync; -1 when unknown. */
  private versions: number[] = [];
  /** Names this router's batches in Redis (its applied key), so a batch sent twice is applied once. */
  private readonly routerId = randomUUID();
  private nextBatchId = 0;
  private unacked: NumberedBatch[] = [];
  private tail: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private syncing = false;
  private readonly interval: number;
  private readonly stats: StoreMetrics = emptyStoreMetrics();
  private readonly command: SyncCommand;
  private readonly seedCommand: SyncCommand;
  private seedPending: boolean;

  constructor(
    readonly client: Client,
    private readonly options: RedisStoreOptions = {},
  ) {
    checkOptions(options);
    this.interval = options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    this.stalenessBoundMs = this.interval > 0 ? 2 * this.interval + 4 * (options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) : Infinity;
    client.defineCommand('switchyardSync', { lua: SYNC_LUA });
    client.defineCommand('switchyardSeed', { lua: SEED_LUA });
    const commands = client as unknown as { switchyardSync: SyncCommand; switchyardSeed: SyncCommand };
    this.command = commands.switchyardSync.bind(client);
    this.seedCommand = commands.switchyardSeed.bind(client);
    this.seedPending = options.seed === true;
    // ioredis reports connection trouble as 'error' events; without a listener it would print them.
    client.on('error', () => {
      this.stats.errors++;
    });
    client.on('ready', () => {
      if (this.stats.degraded) void this.sync();
    });
  }

  attach(ctx: StoreContext): void {
    if (this.mirror) throw new Error('a store serves one router; create one store per router');
    const { tables } = ctx;
    const rs = ctx.plan?.routerState;
    const prefix = this.options.keyPrefix ?? (rs?.kind === 'redis' ? rs.keyPrefix : 'switchyard:');
    // As the policy schema allows: a brace would move keys out of the {router} hash slot the script needs.
    if (!/^[A-Za-z0-9:_-]*$/.test(prefix))
      throw new Error(`Redis key prefix ${JSON.stringify(prefix.slice(0, 100))} may hold only letters, digits, ':', '_' and '-'`);
    this.mirror = new LocalState(tables);
    this.tables = tables;
    this.clock = ctx.clock;
    this.events = ctx.events;
    this.keys = [
      ...tables.deployments.map((d) => `${prefix}{router}:d:${d.id}`),
      ...tables.tenants.map((t) => `${prefix}{router}:t:${t.id}`),
      `${prefix}{router}:seq`,
      `${prefix}{router}:applied:${this.routerId}`,
    ];
    this.versions = new Array(this.keys.length - 2).fill(-1);
    this.batching = new BatchingSession(this.mirror, new Batch(tables));
    this.schedule(0);
  }

  session(): Session {
    if (!this.batching) throw new Error('store is not attached to a router');
    return this.batching;
  }

  local(): LocalState {
    if (!this.mirror) throw new Error('store is not attached to a router');
    return this.mirror;
  }

  metrics(): StoreMetrics {
    return this.stats;
  }

  /**
   * Pushes every change made before the call (and pulls). When no sync is in
   * flight the batch is cut right here, synchronously; otherwise the sync
   * runs after the one in flight.
   */
  sync(): Promise<void> {
    const run = this.syncing ? this.tail.then(() => this.syncOnce()) : this.syncOnce();
    this.tail = run;
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Push what this router routed since its last sync (bounded by the command timeout).
    await this.sync();
    this.client.disconnect();
  }

  private schedule(ms: number): void {
    if (this.closed || this.interval <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.sync().then(() => this.schedule(this.interval));
    }, ms);
    // A router's background sync alone must not keep a process alive.
    this.timer.unref?.();
  }

  private markDegraded(error: unknown): void {
    this.stats.errors++;
    // After an outage, reload every hash: Redis may have restarted empty.
    this.versions.fill(-1);
    if (this.stats.degraded) return;
    this.stats.degraded = true;
    this.stats.degradedCount++;
    this.events?.emit('degraded', { store: 'redis', error: error instanceof Error ? error.message : String(error) });
  }

  /** One round trip: push the batch, pull what changed, rebase the mirror. Never rejects. */
  private async syncOnce(): Promise<void> {
    const session = this.batching;
    if (!session) return;
    this.syncing = true;
    try {
      // While degraded, wait for the connection (ioredis reconnects and emits 'ready'), then probe with a
      // PING (a hung Redis keeps the connection): batches that may be queued in Redis are not piled up.
      if (this.stats.degraded) {
        if (this.client.status !== 'ready') return;
        try {
          this.stats.roundTrips++;
          await this.client.ping();
        } catch (e) {
          this.markDegraded(e);
          return;
        }
      }
      await this.pushPull(session);
    } finally {
      this.syncing = false;
    }
  }

  private async pushPull(session: BatchingSession): Promise<void> {
    const tables = this.tables!;
    const clock = this.clock!;
    if (this.seedPending) {
      this.seedPending = false;
      if (session.batch.empty && this.unacked.length === 0 && !(await this.seed(clock.now()))) return;
    }
    if (!session.batch.empty) {
      this.unacked.push({ id: ++this.nextBatchId, batch: session.batch });
      session.batch = new Batch(tables);
    }
    while (this.unacked.length > MAX_UNACKED) {
      const { batch } = this.unacked.shift()!;
      this.stats.droppedRecords += batch.size + batch.dropped;
    }
    const sent = this.unacked;
    const cut = clock.now();
    const started = performance.now();
    let reply: ReturnType<typeof parseSyncReply>;
    try {
      this.stats.roundTrips++;
      reply = parseSyncReply(await this.command(this.keys.length, this.keys, syncArgs(tables, sent, this.versions, cut, KEY_TTL_MS)));
    } catch (e) {
      // Nothing routed is lost: the batches are sent again (with their ids) by the next sync.
      this.markDegraded(e);
      return;
    }
    this.unacked = [];
    this.stats.maxSyncMs = Math.max(this.stats.maxSyncMs, performance.now() - started);
    this.stats.syncs++;
    for (const b of sent) this.stats.droppedRecords += b.batch.dropped;
    // At the cut's time: what was routed in flight (session.batch) happened after it, and is applied in time order.
    this.rebase(reply.changed, session.batch, cut);
    if (this.stats.degraded) {
      this.stats.degraded = false;
      this.stats.recoveredCount++;
      this.events?.emit('recovered', { store: 'redis' });
    }
  }

  /** Writes the mirror's state into the hashes Redis lacks (the `seed` option); false when Redis failed (the store is degraded). */
  private async seed(now: number): Promise<boolean> {
    const mirror = this.mirror!;
    const nd = mirror.deployments.length;
    const keys: string[] = [];
    const args: Array<string | number> = [KEY_TTL_MS];
    const add = (k: number, fields: string[] | null) => {
      if (fields === null) return;
      keys.push(this.keys[k]!);
      args.push(fields.length / 2, ...fields);
    };
    mirror.deployments.forEach((s, k) => add(k, dumpDeployment(s, now)));
    mirror.tenants.forEach((s, k) => add(nd + k, dumpTenant(s, now)));
    if (keys.length === 0) return true;
    // The seq key: seeded hashes take a version like any written hash.
    keys.push(this.keys[this.keys.length - 2]!);
    try {
      this.stats.roundTrips++;
      await this.seedCommand(keys.length, keys, args);
      return true;
    } catch (e) {
      this.markDegraded(e);
      return false;
    }
  }

  /**
   * The hashes that changed replace their part of the mirror; then what this
   * router did while the sync was in flight (`pending`) is applied on top, as
   * the script will apply it at the next sync.
   */
  private rebase(changed: Array<[number, number, string[]]>, pending: Batch, now: number): void {
    const mirror = this.mirror!;
    const nd = this.tables!.deployments.length;
    const deployments: number[] = [];
    const phases: number[] = [];
    const tenants: number[] = [];
    for (const [k, version, flat] of changed) {
      this.versions[k] = version;
      if (k < nd) {
        const s = mirror.deployments[k]!;
        deployments.push(k);
        phases.push(s.breaker.phase);
        loadDeployment(s, now, flat);
      } else {
        tenants.push(k - nd);
        loadTenant(mirror.tenants[k - nd]!, now, flat);
      }
    }
    applyBatch(mirror, pending, deployments, tenants, now);
    if (!this.events) return;
    for (let j = 0; j < deployments.length; j++) {
      const to = mirror.deployments[deployments[j]!]!.breaker.phase;
      if (to !== phases[j])
        this.events.emit('breaker', {
          deployment: this.tables!.deployments[deployments[j]!]!.id,
          from: PHASE_NAMES[phases[j] as 0],
          to: PHASE_NAMES[to],
          at: now,
          source: 'sync',
        });
    }
  }
}

/** Times come from flags and configuration: a clear error for one that is not a sensible number of ms. */
function checkOptions(o: RedisStoreOptions): void {
  const ms = (name: keyof RedisStoreOptions, min: number) => {
    const v = o[name];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= min && v <= 3_600_000))
      throw new Error(`Redis store option ${name} must be a number of milliseconds from ${min} to 3600000, got ${JSON.stringify(v)}`);
  };
  ms('syncIntervalMs', 0);
  ms('commandTimeoutMs', 1);
  ms('connectTimeoutMs', 1);
}

function clientOptions(o: RedisStoreOptions): RedisOptions {
  return {
    // Fail fast during an outage instead of queueing behind a dead connection: the router has a mirror.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: o.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    retryStrategy: (times: number) => Math.min(50 * times, 1_000),
    lazyConnect: false,
  };
}

/**
 * Throws a one-line error unless `url` is a redis:// or rediss:// URL with a
 * host. The message shows only the scheme and host: whatever else a
 * malformed URL holds (a password in any spelling) stays out of it.
 */
export function checkRedisUrl(url: string): void {
  let u: URL | null = null;
  try {
    u = new URL(url);
  } catch {}
  if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) {
    const shown = u === null ? 'that does not parse' : JSON.stringify(`${u.protocol}${u.host ? `//${u.host}` : ''}`.slice(0, 200));
    throw new Error(`router state URL ${shown} is not a redis:// or rediss:// URL with a host`);
  }
}

/**
 * Connects (waiting until ready, at most readyTimeoutMs, default 3 s) and
 * returns the store; if Redis cannot be reached in time the store starts
 * degraded and recovers when it can. Pass the store to createRouter; call
 * `await store.sync()` after that to load the shared state before serving.
 */
export async function createRedisStore(options: RedisStoreOptions & { readyTimeoutMs?: number }): Promise<RedisStore> {
  checkOptions(options);
  let client: Client;
  if (options.client) client = options.client;
  else {
    if (options.url !== undefined) checkRedisUrl(options.url);
    if (options.nodes || options.cluster) {
      const nodes = options.nodes ?? [options.url ?? 'redis://127.0.0.1:6379'];
      client = new Cluster(nodes, {
        enableOfflineQueue: false,
        redisOptions: clientOptions(options),
        slotsRefreshTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        clusterRetryStrategy: (t: number) => Math.min(100 * t, 2_000),
      });
    } else client = new Redis(options.url ?? 'redis://127.0.0.1:6379', clientOptions(options));
  }
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
