import { Command } from 'commander';
import { cancel } from '../../batch/cancel.ts';
import type { Io } from '../context.ts';
import { openRunner, printJson, type RunnerOpts, shown, withRunnerOptions } from './shared.ts';

export function cancelCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('cancel')
    .description('cancel every unfinished batch of a prepared directory; answers already produced stay collectable')
    .requiredOption('--dir <dir>', 'prepared directory');
  return withRunnerOptions(cmd).action(async (opts: RunnerOpts & { dir: string }) => {
    const ctx = await openRunner(io, opts);
    const out = await ctx.journal.locked(() => cancel(ctx, opts.dir));
    if (opts.json) printJson(io, { dir: opts.dir, cancelled: out });
    else io.stdout(out.length === 0 ? `nothing to cancel in ${shown(opts.dir)}\n` : `${out.map((c) => `  ${c.part}  ${c.batchId}  ${c.status}`).join('\n')}\n`);
    done(0);
  });
}
