/**
 * Crash safety, with real processes: `switchyard batch submit` and
 * `collect` run as child processes against the emulator and are killed
 * with SIGKILL at random moments, and in every run once exactly between the
 * provider creating a batch (or storing an upload) and the runner hearing
 * about it, and collect once right after it was sent an answer file. After each scenario a rerun completes, and then:
 * - the provider holds exactly one batch (and one upload) per part file;
 * - results.jsonl holds every prepared request exactly once, in input order,
 *   the same bytes as an uninterrupted collect;
 * - no temporary file is left behind.
 *
 * BATCH_CRASH_RUNS sets the number of scenarios (default 10).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/batch/emulator/clock.ts';
import { type Emulator, startEmulator } from '../../src/batch/emulator/server.ts';
import { Journal } from '../../src/batch/journal.ts';
import { prepare } from '../../src/batch/prepare/prepare.ts';
import { stableStringify } from '../../src/plan/canonical-json.ts';
import { REPO } from '../fixtures/workspace.ts';
import { filesUnder, jsonl, planWith, readJsonl, type TempDir, tempDir } from './fixtures.ts';

const RUNS = Number(process.env.BATCH_CRASH_RUNS ?? 10);
const KEY = 'sk-crash-test';
const PARTS = 3;
const PER_PART = 8;

let t: TempDir;
let emu: Emulator;
let clock: ReturnType<typeof manualClock>;
let planFile: string;
/** Set by a scenario: kill the child as soon as the emulator has handled this kind of request. */
let killOn: { method: string; path: RegExp; child: ReturnType<typeof spawn> } | null = null;

beforeAll(async () => {
  t = tempDir('switchyard-crash-');
  const plan = await planWith('research', (p) => void (p.maxRequestsPerFile = PER_PART));
  planFile = t.write('plan.json', stableStringify(plan));
  clock = manualClock();
  emu = await startEmulator({
    apiKey: KEY,
    clock,
    latencyMs: 40,
    pace: { validatingMs: 1_000, perRequestMs: 100, finalizingMs: 1_000, cancellingMs: 1_000, failureRate: 0.2 },
    onHandled(method, path) {
      if (killOn && method === killOn.method && killOn.path.test(path)) {
        killOn.child.kill('SIGKILL');
        killOn = null;
      }
    },
  });
}, 120_000);
afterAll(async () => {
  await emu?.close();
  t?.cleanup();
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs a CLI command; kills it after `killAfterMs` (real time), or when the emulator handles `killOnRequest`. */
function runCli(args: string[], opts: { killAfterMs?: number; killOnRequest?: { method: string; path: RegExp } } = {}): Promise<Run> {
  const child = spawn(process.execPath, [join(REPO, 'bin/switchyard.mjs'), ...args], {
    env: { ...process.env, SWITCHYARD_CRASH_KEY: KEY, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => void (stderr += d.toString()));
  if (opts.killOnRequest) killOn = { ...opts.killOnRequest, child };
  const timer = opts.killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (killOn?.child === child) killOn = null;
      resolve({ code, signal, stderr });
    }),
  );
}

const random = (max: number) => Math.floor(Math.random() * max);

describe('crash safety (SIGKILL at random points)', () => {
  it(`submit and collect, killed ${RUNS} times over, leave one batch per file and every request once`, async () => {
    const landed = { create: 0, upload: 0, random: 0, download: 0, collect: 0 };
    for (let run = 0; run < RUNS; run++) {
      const rows = Array.from({ length: PARTS * PER_PART }, (_, i) => ({ messages: [{ role: 'user', content: `run ${run} request ${i}` }] }));
      const dir = t.path(`run-${run}`);
      const { manifest } = await prepare({
        plan: JSON.parse(readFileSync(planFile, 'utf8')),
        profile: 'research',
        input: t.write(`run-${run}.jsonl`, jsonl(rows)),
        out: dir,
      });
      expect(manifest.parts).toHaveLength(PARTS);
      const state = t.path(`state-${run}`);
      const common = ['--dir', dir, '--plan', planFile, '--state', state, '--base-url', emu.url, '--api-key-ref', 'env:SWITCHYARD_CRASH_KEY'];

      // 1. Killed right after the provider created a batch, before the answer arrives.
      const k1 = await runCli(['batch', 'submit', ...common], { killOnRequest: { method: 'POST', path: /^\/v1\/batches$/ } });
      expect(k1.signal, `${k1.code} ${k1.stderr}`).toBe('SIGKILL');
      landed.create++;
      // 2. Killed right after an upload was stored.
      const k2 = await runCli(['batch', 'submit', ...common], { killOnRequest: { method: 'POST', path: /^\/v1\/files$/ } });
      if (k2.signal === 'SIGKILL') landed.upload++;
      // 3. Killed at a random moment (start-up included).
      const k3 = await runCli(['batch', 'submit', ...common], { killAfterMs: 300 + random(2_500) });
      if (k3.signal === 'SIGKILL') landed.random++;
      // 4. The rerun that completes.
      const done = await runCli(['batch', 'submit', ...common]);
      expect(done.code, done.stderr).toBe(0);

      const journal = await Journal.open(state);
      const jobs = (await journal.list()).filter((j) => j.round === 0);
      expect(jobs.map((j) => j.part).sort()).toEqual(manifest.parts.map((p) => p.file));
      for (const j of jobs) {
        const ours = emu.batches.list().filter((b) => b.metadata?.switchyard_key === j.key);
        expect(
          ours.map((b) => b.id),
          `part ${j.part} of run ${run}`,
        ).toEqual([j.batchId]);
        expect(emu.files.list('batch', 'asc').filter((f) => f.filename === `switchyard-${j.key}.jsonl`)).toHaveLength(1);
      }

      // Collect: killed right after the provider sent it an answer file, then at a random moment, then completed twice
      // (the second must change nothing).
      clock.advance(24 * 3_600_000);
      const k5 = await runCli(['batch', 'collect', ...common], { killOnRequest: { method: 'GET', path: /^\/v1\/files\/[^/]+\/content$/ } });
      expect(k5.signal, `${k5.code} ${k5.stderr}`).toBe('SIGKILL');
      landed.download++;
      const c = await runCli(['batch', 'collect', ...common], { killAfterMs: 300 + random(2_000) });
      if (c.signal === 'SIGKILL') landed.collect++;
      else expect(c.code, c.stderr).toBe(0);
      const c1 = await runCli(['batch', 'collect', ...common]);
      expect(c1.code, c1.stderr).toBe(0);
      const results = readJsonl(join(dir, 'results.jsonl'));
      expect(results.map((r) => r.custom_id)).toEqual(rows.map((_, i) => `line-${i + 1}`));
      expect(results.filter((r) => r.status === 'completed').length).toBeGreaterThan(0);
      const bytes = readFileSync(join(dir, 'results.jsonl'), 'utf8');
      const c2 = await runCli(['batch', 'collect', ...common]);
      expect(c2.code, c2.stderr).toBe(0);
      expect(readFileSync(join(dir, 'results.jsonl'), 'utf8')).toBe(bytes);
      const leftovers = Object.keys({ ...filesUnder(dir), ...filesUnder(state) }).filter((f) => /\.tmp-/.test(f));
      expect(leftovers).toEqual([]);
      expect(readdirSync(state).filter((f) => f === 'lock')).toEqual([]);
    }
    console.log(
      `crash runs: ${RUNS}; SIGKILL landed after a create ${landed.create}, after an upload ${landed.upload}, at random in submit ${landed.random}, after a download in collect ${landed.download}, at random in collect ${landed.collect}`,
    );
    // Every scenario killed submit between the provider's create and its answer, and collect in the middle of its downloads.
    expect(landed.create).toBe(RUNS);
    expect(landed.download).toBe(RUNS);
    expect(landed.upload + landed.random + landed.collect).toBeGreaterThan(0);
  }, 900_000);
});
