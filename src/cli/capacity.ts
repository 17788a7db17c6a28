import { Command } from 'commander';
import { compareStrings } from '../plan/defaults.ts';
import type { CompiledPlan, PlanCapacity } from '../plan/types.ts';
import { printDiagnostics, type Io } from './context.ts';
import { globalOptions, loadOptions, withOutputOptions, withPolicyOption } from './options.ts';
import { runPipeline } from './pipeline.ts';

/** One engine: a model on a pool, with the GPUs it runs on and its capacity from the plan. */
export interface CapacityRow {
  pool: string;
  servedName: string;
  model: string;
  /** `RTX 5090 32 GB`: the GPU as the policy states it (the smallest one when the model spans pools). */
  gpu: string;
  /** The pool and the pools it spans. */
  pools: string[];
  tensorParallel: number;
  maxModelLen: number;
  capacity: PlanCapacity;
}

export function capacityRows(plan: CompiledPlan): CapacityRow[] {
  const rows: CapacityRow[] = [];
  for (const poolId of Object.keys(plan.pools).sort(compareStrings)) {
    const pool = plan.pools[poolId]!;
    for (const served of Object.keys(pool.models).sort(compareStrings)) {
      const m = pool.models[served]!;
      const spanned = m.spansPools.map((id) => plan.pools[id]).filter((p) => p !== undefined);
      const smallest = [pool, ...spanned].reduce((a, b) => (b.gpu.vramGb < a.gpu.vramGb ? b : a));
      rows.push({
        pool: poolId,
        servedName: served,
        model: m.model,
        gpu: `${smallest.gpu.model} ${smallest.gpu.vramGb} GB`,
        pools: [poolId, ...m.spansPools],
        tensorParallel: m.tensorParallel,
        maxModelLen: m.maxModelLen,
        capacity: m.capacity,
      });
    }
  }
  return rows;
}

const int = (n: number) => n.toLocaleString('en-US');

/** The table `switchyard capacity` prints: one line per engine, numbers right-aligned. */
export function renderCapacityTable(rows: readonly CapacityRow[]): string {
  const header = [
    'pool',
    'model',
    'GPU',
    'TP',
    'usable GB',
    'util',
    'weights GB',
    'reserve GB',
    'KV GB',
    'KV tokens',
    'context',
    'max conc.',
    'max-num-seqs',
    'max-num-batched-tokens',
  ];
  const numeric = header.map((_, i) => i >= 3);
  const body = rows.map((r) => {
    const c = r.capacity;
    return [
      r.pools.join('+'),
      r.servedName,
      r.tensorParallel > 1 ? `${r.tensorParallel} x ${r.gpu}` : r.gpu,
      String(r.tensorParallel),
      c.vramGbPerGpu.toFixed(2),
      c.gpuMemoryUtilization.toFixed(2),
      c.weightsGbPerGpu.toFixed(2),
      c.reserveGbPerGpu.toFixed(2),
      c.kvGbPerGpu.toFixed(2),
      int(c.kvTokens),
      int(r.maxModelLen),
      `${c.maxConcurrencyAtFullContext.toFixed(2)}x`,
      String(c.maxNumSeqs),
      int(c.maxNumBatchedTokens),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...body.map(line)].join('\n')}\n`;
}

const NOTE =
  'Per GPU, in 10^9 bytes: usable = what CUDA reports for the GPU (a "24 GB" card has 24 GiB, 98.25% of it usable);\n' +
  'weights + reserve + KV = usable x util. KV tokens = whole 16-token blocks; max conc. = KV tokens / context.\n';

export function capacityCommand(io: Io, done: (code: number) => void): Command {
  const cmd = new Command('capacity').description(
    'print the GPU memory budget of every vLLM engine: weights, KV cache, concurrency at full context and the batching knobs chosen',
  );
  withPolicyOption(cmd);
  withOutputOptions(cmd);
  return cmd.action(async (opts: { policies: string; loadTimeout?: string; json?: boolean; format?: string; debug?: boolean }) => {
    const g = globalOptions(opts);
    const r = await runPipeline(opts.policies, { load: loadOptions(opts) });
    if (!r.plan) {
      printDiagnostics(io, g, r.diagnostics, { planHash: null });
      return done(r.exitCode);
    }
    const rows = capacityRows(r.plan);
    // JSON: the diagnostics object of every command, with the engines beside them.
    printDiagnostics(io, g, r.diagnostics, { planHash: r.plan.hash, engines: rows });
    if (g.format === 'pretty') io.stdout(renderCapacityTable(rows) + NOTE);
    done(r.exitCode);
  });
}
