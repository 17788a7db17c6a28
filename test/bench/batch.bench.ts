/**
 * batch prepare (parse, redact with every built-in detector, split, write)
 * of a generated 1 GB JSONL input (test/bench/batch-input.ts: document-like
 * chat requests, numbers on most lines, personal data on one in ten), in a
 * process of its own: throughput and peak RSS, against the goals of 100 MB/s
 * or more and 256 MB at most. Runs with the default worker threads (one
 * per core, at most 3) and once in-process for comparison.
 * Also printed: MB per CPU-second of all the run's threads, which a busy
 * machine distorts less than wall time. Each way runs BENCH_RUNS times
 * (default 3): the median throughput and the largest peak RSS are printed.
 * BATCH_BENCH_BYTES changes the input size; nothing here asserts timings.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stableStringify } from '../../src/plan/canonical-json.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { REPO } from '../fixtures/workspace.ts';
import { writeBatchInput } from './batch-input.ts';
import { median } from './stats.ts';

const BYTES = Number(process.env.BATCH_BENCH_BYTES ?? 1_000_000_000);
const PROFILE = 'document-extraction';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  workers: number;
  requests: number;
  parts: number;
  redacted: number;
  maxRssBytes: number;
}

function runChild(args: string[]): ChildResult {
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules/jiti/lib/jiti-cli.mjs'), join(REPO, 'test/bench/batch-prepare-child.ts'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`prepare child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
}

export async function main(): Promise<void> {
  const dir = join(tmpdir(), 'switchyard-bench-batch');
  mkdirSync(dir, { recursive: true });
  const input = join(dir, `input-${BYTES}.jsonl`);
  if (!existsSync(input) || statSync(input).size < BYTES) {
    const t0 = Date.now();
    const g = await writeBatchInput(input, BYTES);
    console.log(
      `generated ${(g.bytes / 1e9).toFixed(2)} GB, ${g.lines.toLocaleString('en-US')} lines in ${((Date.now() - t0) / 1000).toFixed(1)} s (${input})`,
    );
  }
  const size = statSync(input).size;
  const planFile = join(dir, 'plan.json');
  writeFileSync(planFile, stableStringify(compilePolicy(await referencePolicy()).plan!));
  const out = join(dir, 'out');
  for (const workers of ['auto', '0']) {
    const rs = Array.from({ length: RUNS }, () => runChild([planFile, PROFILE, input, out, workers]));
    const r = rs[0]!;
    const mbps = median(rs.map((x) => size / 1e6 / x.seconds));
    // Memory is a ceiling: the worst run is the figure, not the median.
    const rssMb = Math.max(...rs.map((x) => x.maxRssBytes / 1e6));
    console.log(
      `prepare ${(size / 1e9).toFixed(2)} GB (${PROFILE}, ${r.workers === 0 ? 'in-process' : `${r.workers} worker threads on ${availableParallelism()} cores`}), ${RUNS} runs: ` +
        `median ${mbps.toFixed(1)} MB/s (goal >= 100; runs ${rs.map((x) => (size / 1e6 / x.seconds).toFixed(1)).join(', ')}), ` +
        `largest peak RSS ${rssMb.toFixed(0)} MB (goal <= 256); ` +
        `${r.requests.toLocaleString('en-US')} requests, ${r.parts} files, ${r.redacted.toLocaleString('en-US')} values redacted; ` +
        `median ${median(rs.map((x) => size / 1e6 / x.cpuSeconds)).toFixed(1)} MB per CPU-second over all threads`,
    );
  }
}
