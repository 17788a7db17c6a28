/**
 * What publish, rollback and the reader need from a target. Versions are
 * immutable once added and never deleted, so a reader that resolved the
 * current version once can read that version at leisure.
 */
import type { RawBundle } from './bundle.ts';
import type { Target } from './target.ts';

export interface BundleStore {
  readonly target: Target;
  /** Starts an optimistic publish: a concurrent change of versions or current makes `add` return false. */
  begin(): Promise<void>;
  /** Every version, oldest first (string order is publish order). */
  versions(): Promise<string[]>;
  current(): Promise<string | null>;
  /** The stored manifest text of a version, or null when the version is unknown. */
  manifestText(version: string): Promise<string | null>;
  /** Manifest and every file of a version, or null when the version is unknown. */
  read(version: string): Promise<RawBundle | null>;
  /** Adds the bundle and makes it current (unless `makeCurrent` is false: a canary); false when a concurrent publish got in first (call begin and retry). */
  add(bundle: RawBundle, makeCurrent?: boolean): Promise<boolean>;
  /** Makes an existing version current; throws UnknownVersionError when it does not exist. */
  setCurrent(version: string): Promise<void>;
  /** The stored canary record (publish/canary.ts), or null. */
  canaryText(): Promise<string | null>;
  /** Replaces the canary record whole (atomically). */
  setCanaryText(text: string): Promise<void>;
  close(): Promise<void>;
}

export async function openStore(target: Target): Promise<BundleStore> {
  if (target.kind === 'dir') {
    const { DirStore } = await import('./dir-store.ts');
    return new DirStore(target);
  }
  const { openRedisStore } = await import('./redis-store.ts');
  return openRedisStore(target);
}

/** Runs `fn` with an open store and always closes it. */
export async function withStore<T>(target: Target, fn: (store: BundleStore) => Promise<T>): Promise<T> {
  const store = await openStore(target);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
