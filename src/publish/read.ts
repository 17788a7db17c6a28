/**
 * Reading published bundles, for deploy jobs and routers that load their
 * plan from the publish target. Every read verifies the bundle: each file's
 * sha256 against the manifest and plan.json's own hash (parsePlan) against
 * the manifest's planHash. A bundle that does not match is refused with a
 * BundleIntegrityError naming the file.
 */
import { SwitchyardError } from '../errors.ts';
import { parseManifest, UnknownVersionError, verifyBundle, type Bundle } from './bundle.ts';
import { withStore } from './store.ts';
import { parseTarget, type Target } from './target.ts';

/** The target has no current version (nothing published yet). */
export class NoCurrentBundleError extends SwitchyardError {
  constructor(message: string) {
    super(message, 'no-current-bundle');
  }
}

export interface BundleListing {
  version: string;
  current: boolean;
  planName: string | null;
  planHash: string | null;
  commit: string | null;
  createdAt: string | null;
  files: number;
  /** Set when the manifest cannot be read; the bundle's files are not checked by a listing. */
  error?: string;
}

const asTarget = (t: Target | string): Target => (typeof t === 'string' ? parseTarget(t) : t);

export async function readBundle(target: Target | string, version: string): Promise<Bundle> {
  const t = asTarget(target);
  return withStore(t, async (store) => {
    const raw = await store.read(version);
    if (!raw) throw new UnknownVersionError(version, await store.versions(), t.display);
    return verifyBundle(raw, t.display);
  });
}

/** The current version, resolved once and then read whole, so a concurrent publish or rollback never mixes two versions. */
export async function readCurrentBundle(target: Target | string): Promise<Bundle> {
  const t = asTarget(target);
  return withStore(t, async (store) => {
    const current = await store.current();
    if (current === null) throw new NoCurrentBundleError(`${t.display} has no current bundle; run switchyard publish first`);
    const raw = await store.read(current);
    if (!raw) throw new UnknownVersionError(current, await store.versions(), t.display);
    return verifyBundle(raw, t.display);
  });
}

/** Every version, oldest first, from the manifests alone (no file is hashed). */
export async function listBundles(target: Target | string): Promise<BundleListing[]> {
  const t = asTarget(target);
  return withStore(t, async (store) => {
    const [versions, current] = [await store.versions(), await store.current()];
    const out: BundleListing[] = [];
    for (const version of versions) {
      const base = { version, current: version === current };
      const text = await store.manifestText(version);
      try {
        if (text === null) throw new Error('manifest missing');
        const m = parseManifest(text, `bundle ${version}`);
        out.push({ ...base, planName: m.planName, planHash: m.planHash, commit: m.commit, createdAt: m.createdAt, files: Object.keys(m.files).length });
      } catch (e) {
        out.push({ ...base, planName: null, planHash: null, commit: null, createdAt: null, files: 0, error: (e as Error).message });
      }
    }
    return out;
  });
}
