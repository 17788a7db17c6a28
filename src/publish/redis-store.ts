/**
 * Bundles in Redis:
 *
 *   <prefix>bundle:<version>     hash: "manifest" -> manifest JSON, "file:<path>" -> file bytes
 *   <prefix>bundles              sorted set of versions, all score 0 (so ordered by id = publish order)
 *   <prefix>bundles:current      string: the current version
 *   <prefix>bundles:canary       string: the canary record (publish/canary.ts)
 *   <prefix>bundles:changed      pub/sub channel: the new current version, published with every change of current
 *
 * Publishing WATCHes the version list and the current pointer, reads what
 * it needs, then writes the whole hash, adds the version and sets current
 * in one MULTI/EXEC: other clients see all of it or none of it, and a
 * concurrent publish makes EXEC fail, so the publish starts over. Rollback
 * sets current with a script that first checks the version exists. Readers
 * fetch a version with one HGETALL, which is atomic; versions are never
 * modified after EXEC.
 */
import { Redis } from 'ioredis';
import { UnknownVersionError, type RawBundle } from './bundle.ts';
import type { BundleStore } from './store.ts';
import { scrubSecret, TargetError, type Target } from './target.ts';

type RedisTarget = Extract<Target, { kind: 'redis' }>;

const MANIFEST_FIELD = 'manifest';
const FILE_FIELD = 'file:';

const SET_CURRENT_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 or not redis.call('ZSCORE', KEYS[2], ARGV[1]) then return 0 end
redis.call('SET', KEYS[3], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[1])
return 1
`;

const REDIS_CONNECT_TIMEOUT_MS = 5_000;
const REDIS_COMMAND_TIMEOUT_MS = 10_000;

/** Where a change of the current version is announced (gateways following the target subscribe; they poll too, since pub/sub is fire-and-forget). */
export const changedChannel = (target: RedisTarget): string => `${target.prefix}bundles:changed`;

export async function openRedisStore(target: RedisTarget): Promise<RedisStore> {
  const client = new Redis(target.url, {
    lazyConnect: true,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    // A server that accepts the connection and never answers must not hang publish: every command has a deadline.
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Kept for the message only: a refused password shows up here, while connect() just says the connection closed.
  let lastError: Error | null = null;
  client.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await client.connect();
  } catch (e) {
    client.disconnect();
    const why = (lastError as Error | null)?.message ?? (e as Error).message;
    throw new TargetError(`cannot reach Redis at ${target.display}: ${scrubSecret(why, target.url)}`);
  }
  return new RedisStore(target, client);
}

export class RedisStore implements BundleStore {
  constructor(
    readonly target: RedisTarget,
    private readonly client: Redis,
  ) {}

  private key(version: string) {
    return `${this.target.prefix}bundle:${version}`;
  }
  private get listKey() {
    return `${this.target.prefix}bundles`;
  }
  private get currentKey() {
    return `${this.target.prefix}bundles:current`;
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new TargetError(`Redis at ${this.target.display}: ${scrubSecret((e as Error).message, this.target.url)}`);
    }
  }

  async begin(): Promise<void> {
    await this.call(() => this.client.watch(this.listKey, this.currentKey));
  }

  versions(): Promise<string[]> {
    return this.call(() => this.client.zrange(this.listKey, 0, -1));
  }

  current(): Promise<string | null> {
    return this.call(() => this.client.get(this.currentKey));
  }

  manifestText(version: string): Promise<string | null> {
    return this.call(() => this.client.hget(this.key(version), MANIFEST_FIELD));
  }

  async read(version: string): Promise<RawBundle | null> {
    const all = await this.call(() => this.client.hgetallBuffer(this.key(version)));
    const manifest = all[MANIFEST_FIELD];
    if (manifest === undefined) return null;
    const files = new Map<string, Buffer>();
    for (const [field, bytes] of Object.entries(all)) if (field.startsWith(FILE_FIELD)) files.set(field.slice(FILE_FIELD.length), bytes);
    return { version, manifestText: manifest.toString('utf8'), files };
  }

  async add(bundle: RawBundle, makeCurrent = true): Promise<boolean> {
    const fields: Array<string | Buffer> = [MANIFEST_FIELD, bundle.manifestText];
    for (const [path, bytes] of bundle.files) fields.push(FILE_FIELD + path, bytes);
    const result = await this.call(() => {
      const m = this.client
        .multi()
        .hset(this.key(bundle.version), ...fields)
        .zadd(this.listKey, 0, bundle.version);
      if (makeCurrent) m.set(this.currentKey, bundle.version).publish(changedChannel(this.target), bundle.version);
      return m.exec();
    });
    if (result === null) return false; // a watched key changed: another publish or rollback got in first
    for (const [err] of result) if (err) throw new TargetError(`Redis at ${this.target.display}: ${scrubSecret(err.message, this.target.url)}`);
    return true;
  }

  async setCurrent(version: string): Promise<void> {
    const ok = await this.call(() =>
      this.client.eval(SET_CURRENT_LUA, 3, this.key(version), this.listKey, this.currentKey, version, changedChannel(this.target)),
    );
    if (ok !== 1) throw new UnknownVersionError(version, await this.versions(), this.target.display);
  }

  canaryText(): Promise<string | null> {
    return this.call(() => this.client.get(`${this.target.prefix}bundles:canary`));
  }

  async setCanaryText(text: string): Promise<void> {
    await this.call(() => this.client.multi().set(`${this.target.prefix}bundles:canary`, text).publish(changedChannel(this.target), 'canary').exec());
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
