import { Command } from 'commander';
import { relative } from 'node:path';
import { collect } from '../../batch/collect.ts';
import { displayUrl } from '../../net/limited-fetch.ts';
import { createRequestLog, type OpenRequestLog } from '../../request-log/index.ts';
import { UserError } from '../context.ts';
import type { Io } from '../context.ts';
import { int, openRunner, printJson, type RunnerOpts, shown, usd, withRunnerOptions } from './shared.ts';

export function collectCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('collect')
    .description(
      'download the answers of every finished batch of a prepared directory and merge them by custom_id, in input order, into <dir>/results.jsonl (placeholders restored where the profile allows re-identification); can be run again at will',
    )
    .requiredOption('--dir <dir>', 'prepared directory')
    .option(
      '--database-url <url>',
      "write spend rows at the batch price into the request-log tables of this PostgreSQL database (the gateway's), once per batch",
    )
    .option('--data-dir <dir>', 'write spend rows into a PGlite request log in this directory instead (what serve uses without --database-url)');
  return withRunnerOptions(cmd).action(async (opts: CollectOpts) => {
    const ctx = await openRunner(io, opts);
    const requestLog = openSpendLog(opts);
    let s: Awaited<ReturnType<typeof collect>>;
    try {
      s = await ctx.journal.locked(() => collect(ctx, opts.dir, requestLog ? { requestLog } : {}));
    } finally {
      await requestLog?.close(10_000);
    }
    if (opts.json) printJson(io, s);
    else {
      const lines = [
        `${int(s.requests)} results in ${shown(relative(process.cwd(), s.results))}: ${int(s.completed)} completed, ${int(s.failed)} failed`,
        `tokens: ${int(s.tokens.promptTokens)} input, ${int(s.tokens.completionTokens)} output`,
        `cost at the batch rate ${usd(s.batchUsd)}${s.synchronousUsd !== null ? `; synchronous ${usd(s.synchronousUsd)}, saved ${usd(s.synchronousUsd - s.batchUsd)}` : ''}`,
      ];
      if (s.reidentified > 0) lines.push(`placeholders restored in ${int(s.reidentified)} answer${s.reidentified === 1 ? '' : 's'}`);
      if (s.redactedInAnswers > 0) lines.push(`redacted ${int(s.redactedInAnswers)} value${s.redactedInAnswers === 1 ? '' : 's'} found in answers`);
      lines.push(
        requestLog
          ? `spend rows: ${int(s.spendRows)} written for ${int(s.spendBatches)} batch${s.spendBatches === 1 ? '' : 'es'} to ${requestLog.target}`
          : 'spend rows: not written (give --database-url or --data-dir so cost reports include this batch)',
      );
      if (s.failed > 0) lines.push(`next: switchyard batch retry-failed --dir ${shown(opts.dir)} to submit the failed requests again`);
      io.stdout(`${lines.join('\n')}\n`);
    }
    done(0);
  });
}

interface CollectOpts extends RunnerOpts {
  dir: string;
  databaseUrl?: string;
  dataDir?: string;
}

/** The request log spend rows go to, when the user named one. */
function openSpendLog(opts: CollectOpts): OpenRequestLog | undefined {
  if (opts.databaseUrl !== undefined && opts.dataDir !== undefined) throw new UserError('give --database-url or --data-dir, not both');
  if (opts.databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(opts.databaseUrl)) throw new UserError(`--database-url must be a postgres:// URL, got ${displayUrl(opts.databaseUrl)}`);
    return createRequestLog({ databaseUrl: opts.databaseUrl });
  }
  if (opts.dataDir !== undefined) return createRequestLog({ dataDir: opts.dataDir });
  return undefined;
}
