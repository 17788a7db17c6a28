/**
 * What `switchyard policy test PATH...` loads, as `opa test` does: every
 * .rego file under each path, and data files (data.json, data.yaml,
 * data.yml) mounted at their directory's path below the path given
 * (`suite/networks/data.json` is `data.networks` for `policy test suite`).
 * A data file named on the command line is mounted at the root. Files are
 * read in sorted order with size limits; two data files that set the same
 * leaf differently are an error naming both.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ModuleSource } from '../rego/index.ts';

const MAX_REGO_BYTES = 4 * 1024 * 1024;
const MAX_DATA_BYTES = 64 * 1024 * 1024;
const MAX_FILES = 10_000;

const DATA_FILE = /^data\.(json|ya?ml)$/;

export class TestPathError extends Error {}

export interface TestInputs {
  modules: ModuleSource[];
  /** Plain JSON: the merged data files. */
  data: Record<string, unknown>;
}

const shown = (f: string): string => {
  const rel = relative(process.cwd(), f);
  return rel === '' || rel.startsWith('..') ? f : rel;
};

async function readLimited(file: string, limit: number): Promise<string> {
  const s = await stat(file);
  if (s.size > limit) throw new TestPathError(`${shown(file)}: larger than ${limit} bytes`);
  return readFile(file, 'utf8');
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (e.isFile() && (e.name.endsWith('.rego') || DATA_FILE.test(e.name))) out.push(p);
    if (out.length > MAX_FILES) throw new TestPathError(`${shown(dir)}: more than ${MAX_FILES} files to load`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function mount(root: Record<string, unknown>, path: string[], doc: unknown, file: string, owners: Map<string, string>): void {
  let cur = root;
  for (const seg of path) {
    if (!isObject(cur[seg])) {
      if (cur[seg] !== undefined)
        throw new TestPathError(`${shown(file)}: data.${path.join('.')} conflicts with ${owners.get(path.join('.')) ?? 'another data file'}`);
      cur[seg] = {};
    }
    cur = cur[seg] as Record<string, unknown>;
  }
  if (!isObject(doc)) throw new TestPathError(`${shown(file)}: a data file must hold an object`);
  const merge = (into: Record<string, unknown>, from: Record<string, unknown>, at: string[]) => {
    for (const [k, v] of Object.entries(from)) {
      const here = [...at, k];
      if (isObject(into[k]) && isObject(v)) merge(into[k] as Record<string, unknown>, v, here);
      else if (into[k] !== undefined && JSON.stringify(into[k]) !== JSON.stringify(v))
        throw new TestPathError(`${shown(file)}: data.${here.join('.')} is also set by ${owners.get(here.join('.')) ?? 'another data file'}`);
      else {
        into[k] = v;
        owners.set(here.join('.'), shown(file));
      }
    }
  };
  merge(cur, doc, path);
}

function parseData(file: string, text: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 1000 });
  } catch (e) {
    throw new TestPathError(`${shown(file)}: ${(e as Error).message.split('\n')[0]}`);
  }
}

export async function loadTestPaths(paths: readonly string[]): Promise<TestInputs> {
  const modules: ModuleSource[] = [];
  const data: Record<string, unknown> = {};
  const owners = new Map<string, string>();
  const seenModules = new Set<string>();
  for (const root of paths) {
    let files: string[];
    let rootDir: string;
    try {
      const s = await stat(root);
      rootDir = s.isDirectory() ? root : dirname(root);
      files = [];
      if (s.isDirectory()) await walk(root, files);
      else files = [root];
    } catch (e) {
      if (e instanceof TestPathError) throw e;
      throw new TestPathError(`${root}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    }
    for (const f of files) {
      if (f.endsWith('.rego')) {
        if (seenModules.has(f)) continue;
        seenModules.add(f);
        modules.push({ file: shown(f), source: await readLimited(f, MAX_REGO_BYTES) });
      } else if (/\.(json|ya?ml)$/.test(f)) {
        const named = files.length === 1 && f === root;
        const rel = relative(rootDir, dirname(f));
        const path = named || rel === '' ? [] : rel.split(sep);
        if (!named && !DATA_FILE.test(basename(f))) continue;
        mount(data, path, parseData(f, await readLimited(f, MAX_DATA_BYTES)), f, owners);
      } else throw new TestPathError(`${shown(f)}: not a .rego, .json or .yaml file`);
    }
  }
  return { modules, data };
}
