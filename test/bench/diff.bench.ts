/**
 * Diff speed, end to end as a reviewer or CI runs it: `switchyard diff
 * --base HEAD` in a clone of this repository whose policies carry a change
 * (a fallback removed, a tenant's rpm tripled), Node start-up, git archive of
 * the base, both compiles, both emits, the risk rules and locating the
 * findings included, and the simulated impact (baseline and N-1 on both
 * plans, 2 simulated minutes each) since routing changed; the same without
 * it for comparison. Goal: 3 s or less.
 *
 * "cold" removes the materialized base before every run (what CI sees on a
 * fresh clone); "warm" reuses it (a developer diffing again).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, timeChildren } from './stats.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RUNS = 5;

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file}: ${from} not found`);
  writeFileSync(file, text.replace(from, to));
}

export async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'switchyard-bench-diff-'));
  const repo = join(tmp, 'repo');
  try {
    const clone = spawnSync('git', ['clone', '--quiet', '--shared', ROOT, repo], { encoding: 'utf8' });
    if (clone.status !== 0) throw new Error(`git clone: ${clone.stderr}`);
    mkdirSync(join(repo, 'node_modules'));
    // Every package of this checkout, but a .cache of the clone's own (jiti's and the base copies), so the bench leaves nothing behind.
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      if (entry !== '.cache') symlinkSync(join(ROOT, 'node_modules', entry), join(repo, 'node_modules', entry));
    }
    edit(join(repo, 'policies/routing.ts'), "fallbacks: ['chat-azure', 'chat-anthropic', 'chat-local'],", "fallbacks: ['chat-azure', 'chat-local'],");
    edit(join(repo, 'policies/tenants.ts'), 'rpm: 600,', 'rpm: 1_800,');

    const diff = (...extra: string[]) =>
      timeChildren(() => {
        const r = spawnSync('node', ['bin/switchyard.mjs', 'diff', '--base', 'HEAD', ...extra], {
          cwd: repo,
          encoding: 'utf8',
          env: { ...process.env, NO_COLOR: '1' },
        });
        // Exit 1 is the expected verdict (a fallback removed is high risk); anything else is a failure.
        if (r.status !== 1 || !r.stdout.includes('fallback-removed')) throw new Error(`diff exited ${r.status}: ${r.stderr}${r.stdout}`);
      });
    const dropBase = () => rmSync(join(repo, 'node_modules', '.cache', 'switchyard-diff'), { recursive: true, force: true });
    const measure = (label: string, run: () => { wallMs: number; cpuMs: number }) => {
      const runs = Array.from({ length: RUNS }, run);
      const wall = median(runs.map((r) => r.wallMs));
      const cpu = median(runs.map((r) => r.cpuMs));
      console.log(
        `  ${label.padEnd(58)} median ${fmt(wall).padStart(7)} wall, ${Number.isNaN(cpu) ? 'CPU n/a' : `${fmt(cpu).padStart(7)} CPU`} (wall runs: ${runs.map((r) => fmt(r.wallMs)).join(', ')})`,
      );
    };

    diff(); // fills jiti's transpile cache for the clone's sources, as any earlier command would
    console.log(`diff --base HEAD, reference policies with a change, ${RUNS} runs each:`);
    measure('base checked out each run', () => {
      dropBase();
      return diff();
    });
    measure('base copy reused', () => diff());
    measure('without the simulated impact (--no-simulate)', () => diff('--no-simulate'));
    console.log('the default simulates baseline and N-1, 2m each, on base and head; goal: 3 s or less, Node start-up and git included');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
