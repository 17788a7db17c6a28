import { Command } from 'commander';
import { relative } from 'node:path';
import { collect } from '../../batch/collect.ts';
import type { Io } from '../context.ts';
import { int, openRunner, printJson, type RunnerOpts, shown, usd, withRunnerOptions } from './shared.ts';

export function collectCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('collect')
    .description(
      'download the answers of every finished batch of a prepared directory and merge them by custom_id, in input order, into <dir>/results.jsonl (placeholders restored where the profile allows re-identification); can be run again at will',
    )
    .requiredOption('--dir <dir>', 'prepared directory');
  return withRunnerOptions(cmd).action(async (opts: RunnerOpts & { dir: string }) => {
    const ctx = await openRunner(io, opts);
    const s = await ctx.journal.locked(() => collect(ctx, opts.dir));
    if (opts.json) printJson(io, s);
    else {
      const lines = [
        `${int(s.requests)} results in ${shown(relative(process.cwd(), s.results))}: ${int(s.completed)} completed, ${int(s.failed)} failed`,
        `tokens: ${int(s.tokens.promptTokens)} input, ${int(s.tokens.completionTokens)} output`,
        `cost at the batch rate ${usd(s.batchUsd)}${s.synchronousUsd !== null ? `; synchronous ${usd(s.synchronousUsd)}, saved ${usd(s.synchronousUsd - s.batchUsd)}` : ''}`,
      ];
      if (s.reidentified > 0) lines.push(`placeholders restored in ${int(s.reidentified)} answer${s.reidentified === 1 ? '' : 's'}`);
      if (s.redactedInAnswers > 0) lines.push(`redacted ${int(s.redactedInAnswers)} value${s.redactedInAnswers === 1 ? '' : 's'} found in answers`);
      if (s.failed > 0) lines.push(`next: switchyard batch retry-failed --dir ${shown(opts.dir)} to submit the failed requests again`);
      io.stdout(`${lines.join('\n')}\n`);
    }
    done(0);
  });
}
