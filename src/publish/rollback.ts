import { UnknownVersionError, verifyBundle, type BundleManifest } from './bundle.ts';
import { withStore } from './store.ts';
import type { Target } from './target.ts';

export interface RollbackResult {
  version: string;
  manifest: BundleManifest;
  /** Current before the rollback. */
  previous: string | null;
  /** False when `version` was already current (nothing written). */
  changed: boolean;
}

/**
 * Makes an earlier (or any existing) version current. The version is read
 * and verified first; a bundle that does not match its manifest is never
 * made current (BundleIntegrityError), an unknown one neither (UnknownVersionError).
 */
export async function rollbackBundle(target: Target, version: string): Promise<RollbackResult> {
  return withStore(target, async (store) => {
    const raw = await store.read(version);
    if (!raw) throw new UnknownVersionError(version, await store.versions(), target.display);
    const bundle = verifyBundle(raw, target.display);
    const previous = await store.current();
    if (previous === version) return { version, manifest: bundle.manifest, previous, changed: false };
    await store.setCurrent(version);
    return { version, manifest: bundle.manifest, previous, changed: true };
  });
}
