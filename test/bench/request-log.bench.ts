/**
 * Request-log speed (npm run bench request-log):
 * - record() on the request path: µs per call (row checks + queueing), and
 *   the same call while batches are being written;
 * - rows/s written to PGlite (in its worker thread) and to a PostgreSQL
 *   server on loopback, from the moment rows are queued until flush() ends;
 * - the process's CPU time per row written (for PGlite, its worker thread
 *   included), and the main thread's event-loop delay (p99, max) while
 *   those rows are written: what a gateway's requests would wait behind the
 *   writer; an idle loop's delay first, for scale.
 * Rows are the scripted gateway load of the tests (load.fixture.ts: 2.8 rows
 * per request), repeated with fresh ids. Medians where several runs are
 * taken; nothing here asserts timings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRequestLog, type RequestLog, type RequestLogOptions } from '../../src/request-log/index.ts';
import { startPostgres } from '../fixtures/postgres-server.ts';
import { type LoggedRequest, rowsOf, scriptedLoad } from '../request-log/load.fixture.ts';
import { median } from './stats.ts';

const RUNS = Number(process.env.RUNS ?? 5);
const base = scriptedLoad();

/** n requests of the scripted load, ids suffixed so every round writes new rows. */
function requests(n: number, round: string): LoggedRequest[] {
  return Array.from({ length: n }, (_, i) => {
    const r = base[i % base.length]!;
    const id = `${r.request.requestId}.${round}.${Math.floor(i / base.length)}`;
    return { request: { ...r.request, requestId: id }, attempts: r.attempts.map((a) => ({ ...a, requestId: id })) };
  });
}

/** µs per record() over a tight loop (the writer cannot run until the loop yields). */
function recordUs(log: RequestLog, load: readonly LoggedRequest[]): number {
  const t0 = process.hrtime.bigint();
  for (const r of load) log.record(r.request, r.attempts);
  return Number(process.hrtime.bigint() - t0) / 1e3 / load.length;
}

interface Throughput {
  rowsPerSecond: number;
  /**
   * CPU time of this process per row, from queueing to written: record(),
   * batch building, the driver; for PGlite also the embedded database in its
   * worker thread. CPU, not wall time, so a loaded machine does not inflate it.
   */
  cpuUsPerRow: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** µs per record() while batches were being written (bursts of 200 between yields). */
  busyRecordUs: number;
}

/** Queues `load` in bursts (yielding between them, as a server does between requests) and waits until it is all written. */
async function throughput(log: RequestLog, load: readonly LoggedRequest[]): Promise<Throughput> {
  const before = log.stats().written;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let recordNs = 0n;
  for (let i = 0; i < load.length; i += 200) {
    const r0 = process.hrtime.bigint();
    for (const r of load.slice(i, i + 200)) log.record(r.request, r.attempts);
    recordNs += process.hrtime.bigint() - r0;
    await new Promise((r) => setImmediate(r));
  }
  await log.flush(600_000);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  const written = log.stats().written - before;
  if (written !== rowsOf(load)) throw new Error(`wrote ${written} rows of ${rowsOf(load)}: ${JSON.stringify(log.stats())}`);
  return {
    rowsPerSecond: written / s,
    cpuUsPerRow: (cpu.user + cpu.system) / written,
    loopP99Ms: loop.percentile(99) / 1e6,
    loopMaxMs: loop.max / 1e6,
    busyRecordUs: Number(recordNs) / 1e3 / load.length,
  };
}

async function engine(name: string, opts: RequestLogOptions): Promise<void> {
  const log = createRequestLog({ maxQueue: 1_000_000, ...opts });
  try {
    // Open (and for PGlite, initialise the directory) before timing anything.
    const [warm] = requests(1, 'warm');
    log.record(warm!.request, warm!.attempts);
    await log.flush(600_000);

    const runs: Throughput[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await throughput(log, requests(20_000, `t${i}`)));
    const rows = rowsOf(requests(20_000, 'x'));
    const m = (f: (t: Throughput) => number) => median(runs.map(f));
    console.log(
      `${name}: median ${Math.round(m((r) => r.rowsPerSecond)).toLocaleString('en-US')} rows/s written ` +
        `(${rows.toLocaleString('en-US')} rows per run, batches of ${opts.batchSize ?? 1_000}); process CPU ${m((r) => r.cpuUsPerRow).toFixed(2)} µs per row; ` +
        `event-loop delay while writing p99 ${m((r) => r.loopP99Ms).toFixed(1)} ms, max ${m((r) => r.loopMaxMs).toFixed(1)} ms; ` +
        `record() meanwhile ${m((r) => r.busyRecordUs).toFixed(2)} µs`,
    );

    // record() alone: a queue large enough that nothing is dropped, the writer idle until the loop ends.
    recordUs(log, requests(20_000, 'rw'));
    await log.flush(600_000);
    const us: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      us.push(recordUs(log, requests(50_000, `r${i}`)));
      await log.flush(600_000);
    }
    console.log(
      `${name}: record() median ${median(us).toFixed(2)} µs per request (row checks + queueing, ${(rowsOf(base) / base.length).toFixed(1)} rows per request)`,
    );
  } finally {
    await log.close(60_000);
  }
}

/** The event-loop delay of this machine with nothing to do, for scale: on a loaded machine it is not zero. */
async function idleLoop(): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  await new Promise((r) => setTimeout(r, 2_000));
  loop.disable();
  console.log(`idle event loop (2 s, nothing to do): delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`);
}

export async function main(): Promise<void> {
  await idleLoop();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-reqlog-'));
  try {
    await engine('PGlite (worker thread)', { dataDir: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pg = await startPostgres();
  try {
    await engine('PostgreSQL (loopback server)', { databaseUrl: pg.url });
  } finally {
    await pg.stop();
  }
}
