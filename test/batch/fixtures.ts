/** Shared pieces of the batch tests: the reference plan, temporary directories, JSONL helpers. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compilePolicy } from '../../src/plan/compile.ts';
import { planHash } from '../../src/plan/hash.ts';
import type { CompiledPlan, PlanBatchProfile } from '../../src/plan/types.ts';
import { referencePolicy } from '../fixtures/policies.ts';

let cached: CompiledPlan | null = null;

/** The reference plan (compiled once per test file); callers get their own copy to edit. */
export async function referencePlan(): Promise<CompiledPlan> {
  cached ??= compilePolicy(await referencePolicy()).plan!;
  return structuredClone(cached);
}

/** The reference plan with one profile changed (and its hash recomputed, so it reads back as a valid plan). */
export async function planWith(id: string, edit: (p: PlanBatchProfile) => void): Promise<CompiledPlan> {
  const plan = await referencePlan();
  edit(plan.batchProfiles[id]!);
  plan.hash = planHash(plan);
  return plan;
}

export interface TempDir {
  dir: string;
  path(...parts: string[]): string;
  write(rel: string, text: string | Buffer): string;
  cleanup(): void;
}

export function tempDir(prefix = 'switchyard-batch-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (...parts) => join(dir, ...parts),
    write(rel, text) {
      const p = join(dir, rel);
      writeFileSync(p, text);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const jsonl = (rows: readonly unknown[]) => `${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`;

export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

/** Every file under a directory with its content (relative paths). */
export function filesUnder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name).slice(dir.length + 1)] = readFileSync(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}
