/**
 * A batch runner against the local emulator, in-process: the real SDK over
 * HTTP, a manual emulator clock the tests move, a journal in a temporary
 * state directory; spend rows go to the request log's in-memory writer.
 */
import OpenAI from 'openai';
import { openaiBatchApi } from '../../src/batch/client.ts';
import { manualClock } from '../../src/batch/emulator/clock.ts';
import type { Pace } from '../../src/batch/emulator/batches.ts';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/batch/emulator/server.ts';
import { Journal } from '../../src/batch/journal.ts';
import { type RunnerContext, runnerContext } from '../../src/batch/runner.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { tempDir, type TempDir } from './fixtures.ts';

const API_KEY = 'sk-emulator-harness';

export interface Harness {
  emu: Emulator;
  clock: ReturnType<typeof manualClock>;
  ctx: RunnerContext;
  journal: Journal;
  logs: string[];
  t: TempDir;
  /** Moves emulated time far enough for every batch created so far to finish. */
  finishAll(): void;
  close(): Promise<void>;
}

const FAST_PACE: Pace = { validatingMs: 1_000, perRequestMs: 100, finalizingMs: 1_000, cancellingMs: 2_000, failureRate: 0 };

export async function harness(plan: CompiledPlan, opts: { pace?: Partial<Pace>; emulator?: EmulatorOptions } = {}): Promise<Harness> {
  const clock = manualClock();
  const emu = await startEmulator({ apiKey: API_KEY, clock, pace: { ...FAST_PACE, ...opts.pace }, ...opts.emulator });
  const t = tempDir();
  const journal = await Journal.open(t.path('state'));
  const logs: string[] = [];
  const ctx = runnerContext({
    plan,
    journal,
    log: (l) => logs.push(l),
    apiFor: async () => openaiBatchApi(new OpenAI({ apiKey: API_KEY, baseURL: emu.url, maxRetries: 0, timeout: 10_000 }), emu.url, 10_000),
  });
  return {
    emu,
    clock,
    ctx,
    journal,
    logs,
    t,
    finishAll: () => clock.advance(24 * 3_600_000),
    close: async () => {
      await emu.close();
      t.cleanup();
    },
  };
}
