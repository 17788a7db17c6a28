import { Command } from 'commander';
import { listBundles } from '../publish/read.ts';
import { DEFAULT_REDIS_PREFIX } from '../publish/target.ts';
import { EXIT, type Io } from './context.ts';
import { PREFIX_HELP, targetOption } from './bundle-target.ts';

export function bundlesCommand(io: Io, done: (code: number) => void): Command {
  return new Command('bundles')
    .description('list the bundle versions of a publish target, oldest first; * marks the current one')
    .requiredOption('--target <target>', 'bundle directory or redis:// URL that switchyard publish wrote')
    .option('--prefix <prefix>', PREFIX_HELP, DEFAULT_REDIS_PREFIX)
    .option('--json', 'machine-readable JSON on stdout')
    .option('--debug', 'print stack traces for internal errors')
    .action(async (opts: { target: string; prefix: string; json?: boolean }) => {
      const target = targetOption(opts.target, opts.prefix);
      const list = await listBundles(target);
      if (opts.json) {
        io.stdout(`${JSON.stringify({ target: target.display, current: list.find((b) => b.current)?.version ?? null, bundles: list }, null, 2)}\n`);
        return done(EXIT.ok);
      }
      if (list.length === 0) {
        io.stdout(`${target.display} holds no bundles\n`);
        return done(EXIT.ok);
      }
      const rows = list.map((b) => [
        b.current ? '*' : ' ',
        b.version,
        b.error ? `damaged: ${b.error}` : `${b.planName} ${b.planHash!.slice(0, 19)}`,
        b.commit ? b.commit.slice(0, 12) : '-',
        b.createdAt ?? '-',
      ]);
      const widths = [1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) io.stdout(`${r[0]} ${r[1]!.padEnd(widths[0]!)}  ${r[2]!.padEnd(widths[1]!)}  ${r[3]!.padEnd(widths[2]!)}  ${r[4]}\n`);
      done(EXIT.ok);
    });
}
