import { Command } from 'commander';
import { createBatchMetrics, serveMetrics } from '../../batch/metrics.ts';
import { watch } from '../../batch/watch.ts';
import { parsePromDuration } from '../../observability/promql.ts';
import { UserError, type Io } from '../context.ts';
import { openRunner, printJson, type RunnerOpts, withRunnerOptions } from './shared.ts';

interface WatchOpts extends RunnerOpts {
  dir?: string;
  interval: string;
  metricsPort?: string;
  metricsHost: string;
}

export function watchCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('watch')
    .description(
      'poll the batches of a prepared directory (or every batch in the journal) until each is final, printing every change; with --metrics-port, keep running and export the batch queue metrics for Prometheus until stopped (SIGINT or SIGTERM)',
    )
    .option('--dir <dir>', 'prepared directory (default: every batch in the journal)')
    .option('--interval <duration>', 'time between polls', '30s')
    .option('--metrics-port <port>', 'serve /metrics on this port (0: any free port) and keep running')
    .option('--metrics-host <host>', 'address the metrics server binds', '127.0.0.1');
  return withRunnerOptions(cmd).action(async (opts: WatchOpts) => {
    const intervalMs = parsePromDuration(opts.interval);
    if (intervalMs === null || intervalMs < 100)
      throw new UserError(`--interval ${JSON.stringify(opts.interval)} is not a duration of at least 100ms, such as 30s`);
    const port = opts.metricsPort === undefined ? null : Number(opts.metricsPort);
    if (port !== null && (!Number.isInteger(port) || port < 0 || port > 65_535)) throw new UserError('--metrics-port must be a port number (0-65535)');
    const ctx = await openRunner(io, opts);
    const metrics = port === null ? undefined : createBatchMetrics(ctx.plan);
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const onSignal = () => stop();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const server = metrics && port !== null ? await serveMetrics(metrics.registry, port, opts.metricsHost) : null;
    if (server) io.stderr(`exporting batch queue metrics at ${server.url}\n`);
    try {
      const s = await watch(ctx, { ...(opts.dir ? { dir: opts.dir } : {}), intervalMs, ...(metrics ? { metrics } : {}), stopped });
      if (opts.json)
        printJson(io, {
          polls: s.polls,
          final: s.final.map((j) => ({ part: j.part, round: j.round, batchId: j.batchId, status: j.batch?.status, requestCounts: j.batch?.request_counts })),
        });
      else if (!server)
        io.stdout(`${s.final.length} batch${s.final.length === 1 ? '' : 'es'} final${opts.dir ? `; next: switchyard batch collect --dir ${opts.dir}` : ''}\n`);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await server?.close();
    }
    done(0);
  });
}
