/**
 * Compile speed, end to end through the CLI (Node start-up included):
 * - the reference policies (goal: under 1.0 s wall);
 * - synthetic policies of 1k / 5k / 10k deployments (goal: 10k under 5 s,
 *   growing linearly), written as JSON so the schema path (ajv + zod) runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, medianOf, timeCommand } from './stats.ts';
import { syntheticPolicy } from './synthetic-policy.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/switchyard.mjs');
const RUNS = 5;

export async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  try {
    const out = join(tmp, 'ref-out');
    timeCommand('node', [BIN, 'compile', '-p', 'policies', '--out', out], ROOT); // warm jiti's transpile cache
    const ref = medianOf(RUNS, () => timeCommand('node', [BIN, 'compile', '-p', 'policies', '--out', out], ROOT));
    console.log(`reference policies: compile median ${fmt(ref.median)} wall over ${RUNS} runs (goal < 1.0 s)`);

    const rows: Array<{ n: number; ms: number }> = [];
    for (const n of [1_000, 5_000, 10_000]) {
      const file = join(tmp, `synthetic-${n}.json`);
      writeFileSync(file, JSON.stringify(syntheticPolicy({ deployments: n, groups: n / 10, tenants: n / 10 })));
      const dir = join(tmp, `out-${n}`);
      const r = medianOf(RUNS, () => {
        rmSync(dir, { recursive: true, force: true });
        return timeCommand('node', [BIN, 'compile', '-p', file, '--out', dir], ROOT);
      });
      rows.push({ n, ms: r.median });
    }
    // Start-up (Node, jiti, zod, ajv's schema compile) is a fixed cost; linear growth shows as a constant marginal cost.
    rows.forEach((r, i) => {
      const prev = rows[i - 1];
      const marginal = prev ? ` marginal ${(((r.ms - prev.ms) / (r.n - prev.n)) * 1000).toFixed(0)} ms per extra 1k deployments` : '';
      console.log(`synthetic ${String(r.n).padStart(6)} deployments, ${r.n / 10} groups, ${r.n / 10} tenants: median ${fmt(r.ms)}${marginal}`);
    });
    console.log('goal: 10k deployments < 5 s, linear growth');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
