import { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
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
      const files = scaffoldFiles(dir);
      if (!opts.force) {
        const clash: string[] = [];
        for (const f of files) if (await exists(join(dir, f.path))) clash.push(join(dir, f.path));
        const shown = clash.length > 4 ? `${clash.slice(0, 3).join(', ')} and ${clash.length - 3} more files` : clash.join(', ');
        if (clash.length > 0) throw new UserError(`${dir} already has ${shown}; nothing written (use --force to overwrite)`);
      }
      for (const f of files) await writeFileAtomic(join(dir, f.path), f.content);
      const cd = dir === '.' ? '' : `cd ${dir}\n  `;
      io.stdout(
        `created a policy repository in ${dir}/ (${files.length} files: package.json, tsconfig.json, policies/, .github/workflows/switchyard.yml)\n` +
          `next:\n  ${cd}npm install            # optional: pins switchyard; the policies compile without it\n` +
          `  switchyard check\n  switchyard compile\n`,
      );
      done(0);
    });
}
