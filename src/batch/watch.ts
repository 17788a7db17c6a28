/**
 * `switchyard batch watch`: polls the batches of a prepared directory (or
 * every unfinished batch in the journal) until each reaches a final status,
 * printing each change. With an exporter (`--metrics-port`) it keeps
 * running, picking up batches submitted later, until it is stopped.
 */
import { isTerminal, type JobRecord } from './journal.ts';
import type { BatchMetrics } from './metrics.ts';
import { jobsOf, openPrepared, type RunnerContext } from './runner.ts';
import { refresh } from './status.ts';

export interface WatchOptions {
  dir?: string;
  intervalMs: number;
  metrics?: BatchMetrics;
  /** Resolves when the watch should stop (a signal); without metrics it also stops when everything is final. */
  stopped?: Promise<void>;
  sleep?: (ms: number) => Promise<void>;
}

export interface WatchSummary {
  polls: number;
  final: JobRecord[];
}

const describe = (j: JobRecord) => {
  const c = j.batch?.request_counts;
  return `${j.part}${j.round > 0 ? ` (retry ${j.round})` : ''}: ${j.batchId} ${j.batch?.status ?? 'submitting'}${c && c.total > 0 ? ` ${c.completed} completed, ${c.failed} failed of ${c.total}` : ''}`;
};

export async function watch(ctx: RunnerContext, opts: WatchOptions): Promise<WatchSummary> {
  const prepared = opts.dir ? await openPrepared(ctx, opts.dir) : null;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let stop = false;
  void opts.stopped?.then(() => {
    stop = true;
  });
  const seen = new Map<string, string>();
  let polls = 0;
  for (;;) {
    const jobs = prepared ? await jobsOf(ctx, prepared) : await ctx.journal.list();
    for (const j of jobs) {
      const before = j.batch?.status;
      try {
        await refresh(ctx, j);
      } catch (e) {
        // A provider hiccup must not stop a long-running exporter; the next poll tries again.
        if (!opts.metrics) throw e;
        ctx.log(`${j.part}: ${(e as Error).message}`);
      }
      const line = describe(j);
      if (seen.get(j.key) !== line && (before !== j.batch?.status || !seen.has(j.key) || !isTerminal(j))) ctx.log(line);
      seen.set(j.key, line);
    }
    polls++;
    if (opts.metrics) await opts.metrics.observe(jobs, ctx.now(), ctx.journal);
    const watched = prepared ? jobs : jobs.filter((j) => seen.has(j.key));
    if (stop || (!opts.metrics && watched.every((j) => isTerminal(j) || !j.batchId))) return { polls, final: watched.filter(isTerminal) };
    await Promise.race([sleep(opts.intervalMs), opts.stopped ?? new Promise(() => {})]);
    if (stop) return { polls, final: watched.filter(isTerminal) };
  }
}
