import { Command } from 'commander';
import { retryFailed } from '../../batch/retry.ts';
import type { Io } from '../context.ts';
import { int, openRunner, printJson, type RunnerOpts, shown, withRunnerOptions } from './shared.ts';

export function retryFailedCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('retry-failed')
    .description(
      'submit the requests of a prepared directory that failed or never ran as a new batch (retry-<n>/); collect then merges their answers over the failures',
    )
    .requiredOption('--dir <dir>', 'prepared directory whose batches are all final');
  return withRunnerOptions(cmd).action(async (opts: RunnerOpts & { dir: string }) => {
    const ctx = await openRunner(io, opts);
    const r = await ctx.journal.locked(() => retryFailed(ctx, opts.dir));
    if (opts.json) printJson(io, r ?? { round: null, requests: 0, submitted: [] });
    else if (!r) io.stdout(`no failed request in ${shown(opts.dir)}: nothing to retry\n`);
    else
      io.stdout(
        `retry round ${r.round}: ${int(r.requests)} request${r.requests === 1 ? '' : 's'}\n${r.submitted.map((s) => `  ${s.part}  ${s.batchId}  ${s.status}`).join('\n')}\nnext: switchyard batch watch --dir ${shown(opts.dir)}\n`,
      );
    done(0);
  });
}
