/**
 * Following a target's current version, for gateways that serve it. The
 * current pointer is polled (a cheap readlink or GET) and, to notice a change
 * at once, watched: the bundle directory with fs.watch (`current` is replaced
 * by a rename), or the target's Redis pub/sub channel, which publish and
 * rollback announce on. Watching is best effort (fs.watch misses events on
 * some file systems, pub/sub drops messages while disconnected), so polling
 * alone still bounds how late a change is seen. A store that fails is closed
 * and reopened at the next check.
 */
import { type FSWatcher, watch } from 'node:fs';
import { Redis } from 'ioredis';
import { changedChannel } from './redis-store.ts';
import { type BundleStore, openStore } from './store.ts';
import { scrubSecret, type Target } from './target.ts';

export interface FollowOptions {
  /** The version being served now: only a different one is reported. */
  initial: string | null;
  /** Called with each new current version (null: the target has none), one call at a time; when it throws, the version counts as not seen and the next check offers it again. */
  onCurrent(version: string | null): void | Promise<void>;
  /** Called with the canary record's text when it changes (null: none), after onCurrent. */
  onCanary?(text: string | null): void | Promise<void>;
  onError(message: string): void;
  /** Default 1000 ms. */
  pollMs?: number;
}

export interface Follower {
  /** Checks the current version now (what the watchers call). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export function followCurrent(target: Target, o: FollowOptions): Follower {
  let last = o.initial;
  let lastCanary: string | null | undefined;
  let store: BundleStore | null = null;
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;

  async function once(): Promise<void> {
    try {
      store ??= await openStore(target);
      const current = await store.current();
      await canary(store);
      if (current === last) return;
      const previous = last;
      last = current;
      try {
        await o.onCurrent(current);
      } catch (e) {
        // Not taken: the next check tries this version again.
        last = previous;
        throw e;
      }
    } catch (e) {
      const message = target.kind === 'redis' ? scrubSecret((e as Error).message, target.url) : (e as Error).message;
      o.onError(message);
      const s = store;
      store = null;
      await s?.close().catch(() => {});
    }
  }

  async function canary(s: BundleStore): Promise<void> {
    if (o.onCanary === undefined) return;
    const text = await s.canaryText();
    if (text === lastCanary) return;
    const previous = lastCanary;
    lastCanary = text;
    try {
      await o.onCanary(text);
    } catch (e) {
      lastCanary = previous;
      throw e;
    }
  }

  /** One check at a time; a check asked for while one runs runs once more after it. */
  function check(): Promise<void> {
    if (closed) return Promise.resolve();
    if (running !== null) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await once();
      } while (again && !closed);
      running = null;
    })();
    return running;
  }

  const poll = setInterval(() => void check(), o.pollMs ?? 1_000);
  poll.unref();

  let watcher: FSWatcher | null = null;
  let subscriber: Redis | null = null;
  if (target.kind === 'dir') {
    try {
      watcher = watch(target.dir, { persistent: false }, (_event, file) => {
        if (file === null || file === 'current' || file === 'canary.json') void check();
      });
      watcher.on('error', () => {
        watcher?.close();
        watcher = null;
      });
    } catch {
      // No directory yet, or no inotify: polling covers it.
    }
  } else {
    subscriber = new Redis(target.url, {
      lazyConnect: true,
      connectTimeout: 5_000,
      maxRetriesPerRequest: null,
      retryStrategy: (n) => Math.min(n * 200, 2_000),
    });
    subscriber.on('error', () => {});
    subscriber.on('message', () => void check());
    // After a reconnect, a change announced while disconnected was missed: check.
    subscriber.on('ready', () => void check());
    subscriber.subscribe(changedChannel(target)).catch(() => {});
  }

  return {
    check,
    async close() {
      closed = true;
      clearInterval(poll);
      watcher?.close();
      subscriber?.disconnect();
      await running;
      await store?.close().catch(() => {});
      store = null;
    },
  };
}
