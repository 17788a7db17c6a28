/**
 * Bundles in a directory:
 *
 *   <dir>/versions/<version>/manifest.json
 *   <dir>/versions/<version>/files/<path>     (a copy of generated/)
 *   <dir>/current -> versions/<version>        (relative symlink)
 *   <dir>/canary.json                          (the canary record, replaced whole by a rename)
 *
 * A version is staged in `versions/.tmp-*` and renamed into place whole, so
 * `versions/<version>` either does not exist or is complete. `current` is
 * switched by creating a new symlink under a temporary name and renaming it
 * over the old one: rename(2) replaces it atomically, so a reader sees the
 * old or the new version, never no link or a half-written bundle. Readers
 * resolve the link once (readlink) and then read only under that version,
 * which nothing ever modifies. POSIX file systems only (symlinks).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isVersion, UnknownVersionError, type RawBundle } from './bundle.ts';
import type { BundleStore } from './store.ts';
import { TargetError, type Target } from './target.ts';

const MANIFEST = 'manifest.json';
const FILES = 'files';
const CURRENT = 'current';
const VERSIONS = 'versions';
const CANARY = 'canary.json';

const code = (e: unknown) => (e as NodeJS.ErrnoException).code;
const tag = () => `${process.pid}-${randomBytes(4).toString('hex')}`;

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if (code(e) === 'ENOENT' || code(e) === 'ENOTDIR') return null;
    throw e;
  }
}

async function walk(root: string, rel = '', acc = new Map<string, Buffer>()): Promise<Map<string, Buffer>> {
  for (const e of await readdir(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await walk(root, p, acc);
    else acc.set(p, await readFile(join(root, p)));
  }
  return acc;
}

export class DirStore implements BundleStore {
  constructor(readonly target: Extract<Target, { kind: 'dir' }>) {}

  private get dir() {
    return this.target.dir;
  }

  async begin(): Promise<void> {}

  async versions(): Promise<string[]> {
    try {
      return (await readdir(join(this.dir, VERSIONS))).filter(isVersion).sort();
    } catch (e) {
      if (code(e) === 'ENOENT') return [];
      throw e;
    }
  }

  async current(): Promise<string | null> {
    let link: string;
    try {
      link = await readlink(join(this.dir, CURRENT));
    } catch (e) {
      if (code(e) === 'ENOENT') return null;
      if (code(e) === 'EINVAL') throw new TargetError(`${join(this.dir, CURRENT)} is not a symlink; it was not written by switchyard publish`);
      throw e;
    }
    const m = /^versions\/([^/]+)\/?$/.exec(link);
    if (!m || !isVersion(m[1]!)) throw new TargetError(`${join(this.dir, CURRENT)} points at ${JSON.stringify(link)}, not at a bundle version`);
    return m[1]!;
  }

  async manifestText(version: string): Promise<string | null> {
    if (!isVersion(version)) return null;
    return readIfExists(join(this.dir, VERSIONS, version, MANIFEST));
  }

  async read(version: string): Promise<RawBundle | null> {
    const manifestText = await this.manifestText(version);
    if (manifestText === null) return null;
    let files: Map<string, Buffer>;
    try {
      files = await walk(join(this.dir, VERSIONS, version, FILES));
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
      files = new Map();
    }
    return { version, manifestText, files };
  }

  /** Refuses a directory with other content, so a typo never scatters bundles into someone's folder. */
  private async checkOwned(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch (e) {
      if (code(e) === 'ENOENT') return;
      if (code(e) === 'ENOTDIR') throw new TargetError(`${this.dir} is a file, not a directory`);
      throw e;
    }
    if (entries.length > 0 && !entries.includes(VERSIONS))
      throw new TargetError(
        `refusing to publish into ${this.dir}: it is not empty and holds no ${VERSIONS}/, so it is not a bundle directory; choose an empty or new directory`,
      );
  }

  async add(bundle: RawBundle, makeCurrent = true): Promise<boolean> {
    if (!isVersion(bundle.version)) throw new Error(`not a version id: ${bundle.version}`);
    await this.checkOwned();
    const versionsDir = join(this.dir, VERSIONS);
    await mkdir(versionsDir, { recursive: true });
    const staging = join(versionsDir, `.tmp-${tag()}`);
    try {
      for (const [path, bytes] of bundle.files) {
        const file = join(staging, FILES, path);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, bytes, { flush: true });
      }
      await mkdir(staging, { recursive: true });
      // The manifest last: a staging directory with a manifest is complete.
      await writeFile(join(staging, MANIFEST), bundle.manifestText, { encoding: 'utf8', flush: true });
      try {
        await rename(staging, join(versionsDir, bundle.version));
      } catch (e) {
        // Another publisher took this version id in the meantime: the caller picks a new one.
        if (code(e) === 'EEXIST' || code(e) === 'ENOTEMPTY') return false;
        throw e;
      }
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    if (makeCurrent) await this.setCurrent(bundle.version);
    return true;
  }

  async setCurrent(version: string): Promise<void> {
    const exists =
      isVersion(version) &&
      (await stat(join(this.dir, VERSIONS, version, MANIFEST)).then(
        () => true,
        () => false,
      ));
    if (!exists) throw new UnknownVersionError(version, await this.versions(), this.target.display);
    const tmp = join(this.dir, `.current-${tag()}`);
    await symlink(`${VERSIONS}/${version}`, tmp);
    try {
      await rename(tmp, join(this.dir, CURRENT));
    } catch (e) {
      await rm(tmp, { force: true });
      if (code(e) === 'EISDIR' || code(e) === 'ENOTEMPTY' || code(e) === 'EEXIST')
        throw new TargetError(`${join(this.dir, CURRENT)} is a directory; it must be the symlink switchyard publish maintains`);
      throw e;
    }
  }

  canaryText(): Promise<string | null> {
    return readIfExists(join(this.dir, CANARY));
  }

  async setCanaryText(text: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.canary-${tag()}`);
    try {
      await writeFile(tmp, text, { encoding: 'utf8', flush: true });
      await rename(tmp, join(this.dir, CANARY));
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async close(): Promise<void> {}
}
