/** The Rego files of a rule pack: rules (`*.rego`) and their unit tests (`*_test.rego`). */
import { readdir } from 'node:fs/promises';
import { readInputFile } from '../fs/input-file.ts';
import { join, relative } from 'node:path';
import type { ModuleSource } from '../rego/index.ts';

/** A rule file is a few KB; this is far above any. */
const MAX_RULE_FILE_BYTES = 4 * 1024 * 1024;

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
  // Regular files only, of a sane size: a link or a FIFO named *.rego would print or hang.
  const modules = files.map((f) => ({ file: shown(f), source: readInputFile(f, { maxBytes: MAX_RULE_FILE_BYTES, what: 'rule file' }) }));
  return {
    dir,
    rules: modules.filter((m) => !m.file.endsWith('_test.rego')),
    tests: modules.filter((m) => m.file.endsWith('_test.rego')),
  };
}
