/**
 * The files of a standalone policy repository, as `switchyard init` writes
 * them: pure (directory in, `{ path, content }` out), so the command only
 * checks for clashes and writes.
 *
 * - package.json: switchyard as a dev dependency at the running version,
 *   scripts for the everyday commands;
 * - tsconfig.json: the options policy files are written for, and `paths`
 *   for editor completion: the installed package first, then the Switchyard
 *   that ran `init`, so completion works before `npm install` too;
 * - policies/: the reference policy set (risk rules included);
 * - .github/workflows/switchyard.yml: the pipeline shipped in cicd/github
 *   (validate, check, compile --check, diff on pull requests; publish and
 *   gate on main).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { ownPackage, PACKAGE_NAME, PACKAGE_ROOT, switchyardAliases } from '../load/self-package.ts';

export interface ScaffoldFile {
  /** Relative to the repository, POSIX separators. */
  path: string;
  content: string;
}

const REFERENCE_DIR = join(PACKAGE_ROOT, 'policies');
const WORKFLOW = join(PACKAGE_ROOT, 'cicd', 'github', 'switchyard.yml');

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (/\.(ts|rego|ya?ml|json)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const posix = (p: string) => p.split(sep).join('/');
const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** An npm package name from the folder's name: lowercase, npm's characters only. */
function repoPackageName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return name === '' || name === PACKAGE_NAME ? 'switchyard-policies' : name.slice(0, 214);
}

export function scaffoldFiles(dir: string): ScaffoldFile[] {
  const version = ownPackage().version ?? '0.0.0';
  const here = resolve(dir);
  const paths = Object.fromEntries(
    Object.entries(switchyardAliases())
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([spec, file]) => {
        const inPackage = posix(relative(PACKAGE_ROOT, file));
        const running = posix(relative(here, file));
        return [spec, [`./node_modules/${PACKAGE_NAME}/${inPackage}`, running.startsWith('.') ? running : `./${running}`]];
      }),
  );
  const files: ScaffoldFile[] = [
    {
      path: 'package.json',
      content: json({
        name: repoPackageName(dir),
        private: true,
        type: 'module',
        scripts: {
          validate: 'switchyard validate',
          check: 'switchyard check',
          compile: 'switchyard compile',
          diff: 'switchyard diff --base origin/main',
        },
        devDependencies: { [PACKAGE_NAME]: version },
      }),
    },
    {
      path: 'tsconfig.json',
      content: json({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          types: [],
          paths,
        },
        include: ['policies/**/*.ts'],
      }),
    },
    { path: '.gitignore', content: 'node_modules/\n' },
    { path: '.github/workflows/switchyard.yml', content: readFileSync(WORKFLOW, 'utf8') },
  ];
  for (const f of listFiles(REFERENCE_DIR)) files.push({ path: `policies/${posix(relative(REFERENCE_DIR, f))}`, content: readFileSync(f, 'utf8') });
  return files;
}
