import { mkdtempSync, readdirSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runPipeline } from '../../src/cli/pipeline.ts';
import { finalFiles } from '../../src/load/write.ts';
import { emitAll } from '../../src/targets/index.ts';
import { REPO } from '../fixtures/workspace.ts';

let reference: Map<string, Buffer> | undefined;

/** The files `switchyard compile` writes for the reference policies, manifest included. */
export async function referenceFiles(): Promise<Map<string, Buffer>> {
  if (!reference) {
    const r = await runPipeline(join(REPO, 'policies'));
    if (!r.plan) throw new Error('reference policies do not compile');
    reference = new Map([...finalFiles(emitAll(r.plan))].map(([p, c]) => [p, Buffer.from(c, 'utf8')]));
  }
  return new Map(reference);
}

/** Same plan, one document changed: a different bundle. */
export function variant(files: Map<string, Buffer>, n: number): Map<string, Buffer> {
  const out = new Map(files);
  const doc = 'docs/readiness-gate.md';
  out.set(doc, Buffer.concat([files.get(doc)!, Buffer.from(`\n<!-- variant ${n} -->\n`)]));
  return out;
}

export const tempDir = (name = 'switchyard-bundles-') => mkdtempSync(join(tmpdir(), name));

/** Every entry under dir (files with content, symlinks with their target), for "nothing was written" checks. */
export function snapshot(dir: string, root = dir, acc: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) acc[relative(root, p)] = `-> ${readlinkSync(p)}`;
    else if (st.isDirectory()) snapshot(p, root, acc);
    else acc[relative(root, p)] = readFileSync(p, 'utf8');
  }
  return acc;
}
