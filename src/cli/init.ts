import { Command } from 'commander';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeEmptyDirs } from '../fs/below-root.ts';
import { writeFileAtomic } from '../load/write.ts';
import { UserError, type Io } from './context.ts';

/** The reference policy set shipped with the package is the scaffold. */
const REFERENCE_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (/\.(ts|rego|ya?ml|json)$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

export function initCommand(io: Io, done: (code: number) => void): Command {
  return new Command('init')
    .description('scaffold a policies folder from the reference policy set')
    .argument('[dir]', 'folder to create', 'policies')
    .option('--force', 'overwrite files that already exist')
    .action(async (dir: string, opts: { force?: boolean }) => {
      // join('', name) is name: an empty argument would scaffold into the working directory.
      if (dir.trim() === '') throw new UserError('the folder to create is empty; give a name such as policies');
      const files = await listFiles(REFERENCE_DIR);
      const targets = files.map((f) => ({ from: f, to: join(dir, relative(REFERENCE_DIR, f)) }));
      if (!opts.force) {
        const clash: string[] = [];
        for (const t of targets) if (await exists(t.to)) clash.push(t.to);
        if (clash.length > 0) throw new UserError(`${dir} already has ${clash.join(', ')}; nothing written (use --force to overwrite)`);
      }
      // All or nothing: a scaffold missing files would not validate, so a failed write removes what this run made.
      const made = new Set<string>();
      for (const start of [dir, ...targets.map((t) => dirname(t.to))])
        for (let d = resolve(start); !made.has(d) && !(await exists(d)); d = dirname(d)) made.add(d);
      const written: string[] = [];
      try {
        for (const t of targets) {
          await writeFileAtomic(t.to, await readFile(t.from, 'utf8'));
          written.push(t.to);
        }
      } catch (e) {
        await Promise.all(written.map((f) => rm(f, { force: true })));
        await removeEmptyDirs([...made]);
        throw e;
      }
      io.stdout(
        `created ${dir}/ with ${targets.length} files from the reference policies\n` +
          `next: edit ${dir}/*.ts, then run\n  switchyard validate -p ${dir}\n  switchyard compile -p ${dir}\n`,
      );
      done(0);
    });
}
