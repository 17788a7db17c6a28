/**
 * Shared by the importer's tests: run an import of a fixture (pure), write
 * its files to a folder of their own (no node_modules: the loader resolves
 * `switchyard` to this checkout), and compile them as a user would.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runPipeline } from '../../src/cli/pipeline.ts';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.ts';
import { type ImportResult, importLitellm } from '../../src/import/litellm.ts';
import { type GpuSpec, parseVllmSpec, type VllmSource } from '../../src/import/vllm.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { REPO } from '../fixtures/workspace.ts';

export const FIXTURES = join(REPO, 'test/import/fixtures');
export const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** `name` of test/import/fixtures, with `--vllm`-style specs of other fixtures. */
export function importFixture(name: string, vllm: string[] = [], gpus: GpuSpec[] = []): ImportResult {
  const sources: VllmSource[] = vllm.map((spec) => {
    const { pools, file } = parseVllmSpec(spec);
    return { pools, file, text: fixture(file) };
  });
  return importLitellm(fixture(name), { name: 'fixture', file: name, vllm: sources, gpus });
}

/** Non-info Diagnostics as `code@line`, in order. */
export const findings = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity !== 'info').map((d) => `${d.code}@${d.source?.file}:${d.source?.line}`);

/** Writes the files of an import, compiles them with the real loader, returns the plan (or the diagnostics). */
export async function compileWritten(result: ImportResult): Promise<{ plan?: CompiledPlan; diagnostics: Diagnostic[]; dir: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-imported-'));
  for (const f of result.files!) writeFileSync(join(dir, f.path), f.content);
  const r = await runPipeline(dir);
  return { plan: r.plan, diagnostics: r.diagnostics, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What `biome format` makes of a TypeScript text (as if it were a file of src/), to check the importer's output is formatted. */
export function biomeFormat(text: string): string {
  const r = spawnSync(join(REPO, 'node_modules/.bin/biome'), ['format', '--stdin-file-path=src/imported.ts'], { input: text, encoding: 'utf8', cwd: REPO });
  if (r.status !== 0) throw new Error(`biome format failed: ${r.stderr}`);
  return r.stdout;
}
