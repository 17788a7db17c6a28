import { Command } from 'commander';
import { rollbackBundle } from '../publish/rollback.ts';
import { DEFAULT_REDIS_PREFIX } from '../publish/target.ts';
import { EXIT, type Io } from './context.ts';
import { PREFIX_HELP, shortCommit, shortHash, targetOption } from './bundle-target.ts';

export function rollbackCommand(io: Io, done: (code: number) => void): Command {
  return new Command('rollback')
    .description('make an earlier bundle version current again, atomically, after verifying every file of it against its manifest')
    .requiredOption('--target <target>', 'bundle directory or redis:// URL that switchyard publish wrote')
    .requiredOption('--to <version>', 'version to make current (see switchyard bundles)')
    .option('--prefix <prefix>', PREFIX_HELP, DEFAULT_REDIS_PREFIX)
    .option('--json', 'machine-readable JSON on stdout')
    .option('--debug', 'print stack traces for internal errors')
    .action(async (opts: { target: string; to: string; prefix: string; json?: boolean }) => {
      const target = targetOption(opts.target, opts.prefix);
      const r = await rollbackBundle(target, opts.to);
      const m = r.manifest;
      if (opts.json) {
        io.stdout(
          `${JSON.stringify(
            {
              target: target.display,
              current: r.version,
              previous: r.previous,
              changed: r.changed,
              planHash: m.planHash,
              commit: m.commit,
              createdAt: m.createdAt,
            },
            null,
            2,
          )}\n`,
        );
      } else if (!r.changed) {
        io.stdout(`${r.version} is already current in ${target.display}\n`);
      } else {
        io.stdout(
          `current: ${r.version} (was ${r.previous ?? 'none'}) in ${target.display}\n` +
            `  plan ${m.planName} ${shortHash(m.planHash)}, ${shortCommit(m.commit)}, published ${m.createdAt}; ${Object.keys(m.files).length} files verified\n`,
        );
      }
      done(EXIT.ok);
    });
}
