import { Command } from 'commander';
import { rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { removeEmptyDirs } from '../fs/below-root.ts';
import { writeFileAtomic } from '../load/write.ts';
import { UserError, type Io } from './context.ts';
import { scaffoldFiles } from './scaffold.ts';

const exists = (p: string) =>
  stat(p).then(
    () => true,
    () => false,
  );

export function initCommand(io: Io, done: (code: number) => void): Command {
  return new Command('init')
    .description(
      'scaffold a standalone policy repository: package.json (switchyard as a dev dependency), tsconfig.json, policies/ from the reference set, a GitHub Actions workflow',
    )
    .argument('[dir]', 'folder of the repository', '.')
    .option('--force', 'overwrite files that already exist')
    .addHelpText(
      'after',
      '\nThe policies compile before `npm install` too: a folder without its own switchyard imports the one that runs.\n' +
        'Example:\n  switchyard init my-policies && cd my-policies && switchyard check\n',
    )
    .action(async (dir: string, opts: { force?: boolean }) => {
      // join('', name) is name: an empty argument would scaffold into the working directory unasked.
      if (dir.trim() === '') throw new UserError('the folder to create is empty; give a name such as my-policies, or . for this folder');
      const files = scaffoldFiles(dir);
      const targets = files.map((f) => ({ to: join(dir, f.path), content: f.content }));
      if (!opts.force) {
        const clash: string[] = [];
        for (const t of targets) if (await exists(t.to)) clash.push(t.to);
        const shown = clash.length > 4 ? `${clash.slice(0, 3).join(', ')} and ${clash.length - 3} more files` : clash.join(', ');
        if (clash.length > 0) throw new UserError(`${dir} already has ${shown}; nothing written (use --force to overwrite)`);
      }
      // All or nothing: a scaffold missing files would not validate, so a failed write removes what this run made.
      const made = new Set<string>();
      for (const start of [dir, ...targets.map((t) => dirname(t.to))])
        for (let d = resolve(start); !made.has(d) && !(await exists(d)); d = dirname(d)) made.add(d);
      const written: string[] = [];
      try {
        for (const t of targets) {
          await writeFileAtomic(t.to, t.content);
          written.push(t.to);
        }
      } catch (e) {
        await Promise.all(written.map((f) => rm(f, { force: true })));
        await removeEmptyDirs([...made]);
        throw e;
      }
      const cd = dir === '.' ? '' : `cd ${dir}\n  `;
      io.stdout(
        `created a policy repository in ${dir}/ (${files.length} files: package.json, tsconfig.json, policies/, .github/workflows/switchyard.yml)\n` +
          `next:\n  ${cd}npm install            # optional: pins switchyard; the policies compile without it\n` +
          `  switchyard check\n  switchyard compile\n`,
      );
      done(0);
    });
}
