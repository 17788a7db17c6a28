import { Command } from 'commander';
import { submit } from '../../batch/submit.ts';
import type { Io } from '../context.ts';
import { openRunner, printJson, requestCount, type RunnerOpts, shown, withRunnerOptions } from './shared.ts';

export function submitCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('submit')
    .description(
      'upload each prepared file and create its batch, once: rerunning after a crash finds what an earlier run uploaded and created (journal, then the provider, by metadata) instead of creating it again',
    )
    .requiredOption('--dir <dir>', 'prepared directory (from switchyard batch prepare)');
  return withRunnerOptions(cmd).action(async (opts: RunnerOpts & { dir: string }) => {
    const ctx = await openRunner(io, opts);
    const out = await ctx.journal.locked(() => submit(ctx, opts.dir));
    if (opts.json) printJson(io, { dir: opts.dir, batches: out });
    else {
      const how = { created: 'created', found: 'found (created by an interrupted run)', journal: 'already submitted' } as const;
      const lines = out.map((s) => `  ${s.part}  ${s.batchId}  ${s.status}  ${requestCount(s.requests)}  ${how[s.action]}`);
      io.stdout(
        `${out.length} batch${out.length === 1 ? '' : 'es'} for ${shown(opts.dir)}:\n${lines.join('\n')}\nnext: switchyard batch watch --dir ${shown(opts.dir)}\n`,
      );
    }
    done(0);
  });
}
