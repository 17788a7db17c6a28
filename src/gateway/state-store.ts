/**
 * The router state store a plan asks for, at start and on every reload: its
 * routerState (memory, or a Redis URL reference resolved through the
 * gateway's secret resolver, a cluster flag and a key prefix), unless
 * --redis or --memory pinned one store for every plan.
 *
 * A reload that keeps the store opens a new session of it (degraded if Redis
 * is down, as at start: the old session is no better off). A reload that
 * moves the state (another Redis or key prefix, memory to Redis or back)
 * opens the new store before the swap, and the reload fails, the old plan
 * still served on the old store, when its reference cannot be resolved or
 * the Redis it names does not answer: gateways moved half-way to a keyspace
 * they cannot reach would each route on state of their own. A store moved to
 * is seeded with the state carried over (runtime/stores/redis.ts `seed`).
 */
import { SwitchyardError } from '../errors.ts';
import { displayUrl } from '../net/limited-fetch.ts';
import { scrubSecret, urlSecrets } from '../net/redact.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { memoryStore } from '../runtime/stores/memory.ts';
import { checkRedisUrl, createRedisStore, type RedisStore } from '../runtime/stores/redis.ts';
import type { RouterStore } from '../runtime/stores/store.ts';
import type { SecretResolver } from '../secrets/resolve.ts';
import type { ScrubbingLogger } from './log.ts';

export type StoreSpec = { kind: 'memory' } | { kind: 'redis'; url: string; cluster: boolean; keyPrefix: string };

/** serve's --redis, --redis-cluster and --memory. */
export interface StoreFlags {
  redis?: string;
  redisCluster?: boolean;
  memory?: boolean;
}

/** A router state store that cannot be named: flags that exclude each other, a reference that does not resolve, a URL that is not Redis's. */
class StateStoreError extends SwitchyardError {
  constructor(message: string, cause?: unknown) {
    super(message, 'state-store', cause === undefined ? {} : { cause });
  }
}

/** The Redis a reload moves the router state to does not answer: the reload is tried again at the next check. */
export class StateStoreUnreachableError extends SwitchyardError {
  constructor(message: string) {
    super(message, 'state-store-unreachable');
  }
}

/** The key prefix of a --redis store when the plan keeps its state in memory (the policy schema's default). */
const DEFAULT_KEY_PREFIX = 'switchyard:';
/** How long a reload waits for the Redis it moves the state to. */
export const MOVE_READY_TIMEOUT_MS = 3_000;

/** The store the flags pin for every plan (--redis takes its key prefix from the plan it starts with), or null when the plan chooses. */
export function pinnedStore(flags: StoreFlags, plan: CompiledPlan): StoreSpec | null {
  if (flags.memory && flags.redis !== undefined) throw new StateStoreError('--memory and --redis exclude each other');
  if (flags.memory) return { kind: 'memory' };
  if (flags.redis === undefined) return null;
  try {
    checkRedisUrl(flags.redis);
  } catch (e) {
    throw new StateStoreError(`--redis: ${(e as Error).message}`);
  }
  const rs = plan.routerState;
  return { kind: 'redis', url: flags.redis, cluster: flags.redisCluster === true, keyPrefix: rs.kind === 'redis' ? rs.keyPrefix : DEFAULT_KEY_PREFIX };
}

/** The store a plan's routerState names, its URL reference resolved. */
export async function planStore(plan: CompiledPlan, resolver: SecretResolver): Promise<StoreSpec> {
  const rs = plan.routerState;
  if (rs.kind === 'memory') return { kind: 'memory' };
  let url: string;
  try {
    url = await resolver.resolve(rs.url.ref);
  } catch (e) {
    throw new StateStoreError(`router state: ${(e as Error).message}`, e);
  }
  try {
    checkRedisUrl(url);
  } catch (e) {
    throw new StateStoreError(`the plan's ${(e as Error).message}`);
  }
  return { kind: 'redis', url, cluster: rs.cluster, keyPrefix: rs.keyPrefix };
}

const sameStore = (a: StoreSpec, b: StoreSpec): boolean =>
  a.kind === 'memory' || b.kind === 'memory' ? a.kind === b.kind : a.url === b.url && a.cluster === b.cluster && a.keyPrefix === b.keyPrefix;

/** A store as a message may show it: no credentials. */
const describeStore = (s: StoreSpec): string =>
  s.kind === 'memory' ? 'memory' : `${displayUrl(s.url)} (key prefix ${JSON.stringify(s.keyPrefix)}${s.cluster ? ', cluster' : ''})`;

/** Resolves when the client is ready, or with the last connection error (null: none yet) once `ms` have passed. */
function ready(store: RedisStore, ms: number): Promise<{ ready: boolean; error: string | null }> {
  const client = store.client;
  let error: string | null = null;
  const onError = (e: Error) => {
    error = e.message;
  };
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', onError);
      resolve({ ready: client.status === 'ready', error });
    };
    const timer = setTimeout(done, ms);
    client.on('error', onError);
    client.once('ready', done);
    if (client.status === 'ready') done();
  });
}

export interface StoreOpener {
  /** The store the gateway starts on: an unreachable Redis starts degraded and recovers when it answers. */
  start(): Promise<RouterStore>;
  /** The store `plan` routes on once reloaded, `serving` the store of the plan it replaces. */
  reload(plan: CompiledPlan, serving: RouterStore): Promise<RouterStore>;
}

export interface StoreOpenerOptions {
  /** The store the gateway starts on (pinnedStore, else planStore of the plan it starts with). */
  initial: StoreSpec;
  /** Flags chose `initial`: every plan routes on it. */
  pinned: boolean;
  /** A resolver for one reload's routerState reference (a new one each time, so Vault is read again). */
  resolver: () => SecretResolver;
  log: ScrubbingLogger;
  /** Default MOVE_READY_TIMEOUT_MS. */
  moveReadyTimeoutMs?: number;
}

export function storeOpener(o: StoreOpenerOptions): StoreOpener {
  /** The spec of every store opened, to tell whether a reload moves the state. */
  const specs = new WeakMap<RouterStore, StoreSpec>();

  async function open(spec: StoreSpec, moved: boolean): Promise<RouterStore> {
    if (spec.kind === 'memory') {
      const store = memoryStore();
      specs.set(store, spec);
      return store;
    }
    // A new plan's URL may carry a new password: scrubbed from the log before anything can print it.
    o.log.addSecrets(urlSecrets(spec.url));
    const store = await createRedisStore({
      url: spec.url,
      cluster: spec.cluster,
      keyPrefix: spec.keyPrefix,
      seed: moved,
      // Moving: the wait below, which also keeps the connection error for the message.
      ...(moved ? { readyTimeoutMs: 0 } : {}),
    });
    if (moved) {
      const r = await ready(store, o.moveReadyTimeoutMs ?? MOVE_READY_TIMEOUT_MS);
      if (!r.ready) {
        await store.close();
        const why = r.error === null ? '' : `: ${scrubSecret(r.error, spec.url)}`;
        throw new StateStoreUnreachableError(
          `the plan moves the router state to ${describeStore(spec)}, which did not answer within ${(o.moveReadyTimeoutMs ?? MOVE_READY_TIMEOUT_MS) / 1000} s${why}`,
        );
      }
    }
    specs.set(store, spec);
    return store;
  }

  return {
    async start() {
      const store = await open(o.initial, false);
      const s = o.initial;
      if (s.kind === 'redis')
        o.log({
          msg: 'state store',
          store: 'redis',
          url: displayUrl(s.url),
          cluster: s.cluster,
          keyPrefix: s.keyPrefix,
          ready: (store as RedisStore).client.status === 'ready',
        });
      return store;
    },
    async reload(plan, serving) {
      const spec = o.pinned ? o.initial : await planStore(plan, o.resolver());
      const from = specs.get(serving);
      // A store this opener did not open is treated as another one: the new store must answer, and is seeded.
      const moved = from === undefined || !sameStore(from, spec);
      const store = await open(spec, moved);
      if (moved)
        o.log({ msg: 'reload moves the router state', hash: plan.hash, from: from === undefined ? null : describeStore(from), to: describeStore(spec) });
      return store;
    },
  };
}
