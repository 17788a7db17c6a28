/**
 * `import ... from 'switchyard'` in a policy folder that has no Switchyard
 * of its own (a policy repository before `npm install`, the output of
 * `switchyard import`, a folder passed as `-p ../elsewhere/policies`)
 * resolves to the Switchyard that is running: the loader aliases
 * `switchyard` and every `switchyard/<subpath>` the package exports to this
 * package's own files. A folder that has its own installation (or is this
 * package) keeps it, so a policy repository pinned to another version is
 * loaded with that version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'switchyard';

/** The running package's root (where its package.json is). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface PackageJson {
  name?: string;
  version?: string;
  exports?: Record<string, string>;
}

const readJson = (file: string): PackageJson | null => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
  } catch {
    return null;
  }
};

/** The running package's package.json (name, version, exports). */
export function ownPackage(): PackageJson {
  const pkg = readJson(join(PACKAGE_ROOT, 'package.json'));
  if (pkg === null) throw new Error(`cannot read ${join(PACKAGE_ROOT, 'package.json')}`);
  return pkg;
}

/** True when Node would resolve `switchyard` from `dir` by itself: an installation above it, or the package itself. */
export function resolvesSwitchyard(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', PACKAGE_NAME, 'package.json'))) return true;
    if (readJson(join(d, 'package.json'))?.name === PACKAGE_NAME) return true;
    if (dirname(d) === d) return false;
  }
}

/** `{ 'switchyard': '<root>/src/index.ts', 'switchyard/model': ... }` from the package's exports map; longest first, so subpaths win. */
export function switchyardAliases(): Record<string, string> {
  const entries = Object.entries(ownPackage().exports ?? {})
    .filter(([sub, target]) => (sub === '.' || /^\.\/[a-z0-9/-]+$/.test(sub)) && typeof target === 'string')
    .map(([sub, target]) => [sub === '.' ? PACKAGE_NAME : `${PACKAGE_NAME}/${sub.slice(2)}`, join(PACKAGE_ROOT, target)] as const);
  return Object.fromEntries(entries.sort((a, b) => b[0].length - a[0].length));
}

/** The aliases a policy whose entry file is `entry` needs: none when its folder resolves Switchyard itself. */
export function aliasesFor(entry: string): Record<string, string> | null {
  return resolvesSwitchyard(dirname(entry)) ? null : switchyardAliases();
}
