import { Command } from 'commander';
import { dirStatus, type StatusRow } from '../../batch/status.ts';
import type { Io } from '../context.ts';
import { int, openRunner, printJson, requestCount, type RunnerOpts, shown, withRunnerOptions } from './shared.ts';

function statusTable(rows: readonly StatusRow[]): string {
  const w = Math.max(...rows.map((r) => r.part.length));
  return rows
    .map((r) => {
      const counts = r.batchId ? `${int(r.completed)} completed, ${int(r.failed)} failed of ${int(r.requests)}` : requestCount(r.requests);
      return `  ${r.part.padEnd(w)}  ${(r.batchId ?? '-').padEnd(30)}  ${r.status.padEnd(13)}  ${counts}`;
    })
    .join('\n');
}

export function statusCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('status')
    .description('the status and request counts of every batch of a prepared directory, as the provider reports them now')
    .requiredOption('--dir <dir>', 'prepared directory');
  return withRunnerOptions(cmd).action(async (opts: RunnerOpts & { dir: string }) => {
    const ctx = await openRunner(io, opts);
    const s = await dirStatus(ctx, opts.dir);
    if (opts.json) printJson(io, { dir: s.prepared.dir, profile: s.prepared.profile.id, final: s.final, batches: s.rows });
    else
      io.stdout(
        `profile ${s.prepared.profile.id}, ${shown(opts.dir)}:\n${statusTable(s.rows)}\n${s.final ? `all final; next: switchyard batch collect --dir ${shown(opts.dir)}` : 'not all final yet'}\n`,
      );
    done(0);
  });
}
