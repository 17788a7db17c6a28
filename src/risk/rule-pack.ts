/** The Rego files of a rule pack: rules (`*.rego`) and their unit tests (`*_test.rego`). */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ModuleSource } from '../rego/index.ts';

export interface RulePack {
  dir: string;
  rules: ModuleSource[];
  tests: ModuleSource[];
}

/** Reads every .rego file under dir (sorted, so evaluation order and output are stable). */
export async function readRulePack(dir: string): Promise<RulePack> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.rego')) files.push(p);
    }
  };
  await walk(dir);
  files.sort();
  const shown = (f: string) => {
    const rel = relative(process.cwd(), f);
    return rel.startsWith('..') ? f : rel;
  };
  const modules = await Promise.all(files.map(async (f) => ({ file: shown(f), source: await readFile(f, 'utf8') })));
  return {
    dir,
    rules: modules.filter((m) => !m.file.endsWith('_test.rego')),
    tests: modules.filter((m) => m.file.endsWith('_test.rego')),
  };
}
