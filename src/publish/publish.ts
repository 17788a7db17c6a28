/**
 * Publishing: pack a set of files (generated/) into a new version and make
 * it current, unless the same content is already published.
 */
import { buildManifest, manifestText, nextVersion, parseManifest, sameContent, verifyBundle, type BundleManifest } from './bundle.ts';
import { canaryRecordText } from './canary.ts';
import { withStore, type BundleStore } from './store.ts';
import type { Target } from './target.ts';

export interface PublishOptions {
  /** Git commit the files were compiled from, or null. */
  commit: string | null;
  /** Clock for createdAt and the version id (tests). */
  now?: () => number;
  /** Publish as a canary on this share of requests (0-100): the version is added but not made current, and the target's canary record says running. */
  canary?: number;
}

export type PublishResult =
  | { status: 'published'; version: string; manifest: BundleManifest; previous: string | null; warnings: string[] }
  | { status: 'unchanged'; version: string; manifest: BundleManifest; current: string | null; warnings: string[] };

const MAX_ATTEMPTS = 10;

/** A version with the same plan and files that still verifies: the current one first, then newest first. */
async function findSame(
  store: BundleStore,
  wanted: BundleManifest,
  current: string | null,
  versions: string[],
  warnings: string[],
): Promise<BundleManifest | null> {
  const order = [...(current ? [current] : []), ...versions.filter((v) => v !== current).reverse()];
  for (const v of order) {
    const text = await store.manifestText(v);
    if (text === null) continue;
    let m: BundleManifest;
    try {
      m = parseManifest(text, `bundle ${v}`);
    } catch {
      continue;
    }
    if (!sameContent(m, wanted)) continue;
    const raw = await store.read(v);
    if (!raw) continue;
    try {
      verifyBundle(raw, store.target.display);
      return m;
    } catch (e) {
      warnings.push(`${(e as Error).message}; publishing a fresh version instead of reusing it`);
    }
  }
  return null;
}

async function startCanary(store: BundleStore, version: string, percent: number, t: number): Promise<void> {
  await store.setCanaryText(canaryRecordText({ version, percent, status: 'running', reason: null, at: new Date(t).toISOString() }));
}

export async function publishBundle(target: Target, files: ReadonlyMap<string, Buffer>, opts: PublishOptions): Promise<PublishResult> {
  const now = opts.now ?? Date.now;
  return withStore(target, async (store) => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const warnings: string[] = [];
      await store.begin();
      const [versions, current] = [await store.versions(), await store.current()];
      const draft = buildManifest(files, { version: '', commit: opts.commit, createdAt: '' });
      const same = await findSame(store, draft, current, versions, warnings);
      if (same) {
        if (opts.canary !== undefined) await startCanary(store, same.version, opts.canary, now());
        return { status: 'unchanged', version: same.version, manifest: same, current, warnings };
      }
      const t = now();
      const version = nextVersion(draft.planHash, t, versions.at(-1) ?? null);
      const manifest: BundleManifest = { ...draft, version, createdAt: new Date(t).toISOString() };
      if (await store.add({ version, manifestText: manifestText(manifest), files: new Map(files) }, opts.canary === undefined)) {
        // A canary leaves current where it is: the version runs beside it on its share.
        if (opts.canary !== undefined) await startCanary(store, version, opts.canary, t);
        return { status: 'published', version, manifest, previous: current, warnings };
      }
    }
    throw new Error(`gave up publishing to ${target.display} after ${MAX_ATTEMPTS} attempts: other publishes kept changing it`);
  });
}
