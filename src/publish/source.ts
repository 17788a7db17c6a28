/**
 * The files to pack: exactly those the writer's manifest in generated/
 * lists, plus that manifest. Anything else in the directory (.gitkeep, an
 * editor's backup) is not Switchyard's and is not published.
 */
import { EXIT, SwitchyardError } from '../errors.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE } from '../load/write.ts';
import { parsePlan } from '../plan/read.ts';
import { checkBundlePath, PLAN_FILE } from './bundle.ts';

/** generated/ cannot be published as it is (exit code: `missing` 2, otherwise 1). */
export class SourceError extends SwitchyardError {
  constructor(
    message: string,
    readonly missing: boolean,
  ) {
    super(message, missing ? 'generated-missing' : 'generated-stale', { exitCode: missing ? EXIT.usage : EXIT.policy });
  }
}

export async function readGenerated(dir: string): Promise<Map<string, Buffer>> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new SourceError(`${dir}/ has no ${MANIFEST_FILE}, so it was not written by switchyard compile; run switchyard compile first`, true);
  }
  let listed: string[];
  try {
    const parsed = JSON.parse(text) as { files?: unknown };
    if (!Array.isArray(parsed.files) || !parsed.files.every((f): f is string => typeof f === 'string')) throw new Error('no files list');
    listed = parsed.files;
    listed.forEach(checkBundlePath);
  } catch (e) {
    throw new SourceError(`${join(dir, MANIFEST_FILE)} is damaged (${(e as Error).message}); run switchyard compile`, false);
  }
  if (!listed.includes(PLAN_FILE)) throw new SourceError(`${join(dir, MANIFEST_FILE)} does not list ${PLAN_FILE}; run switchyard compile`, false);
  const files = new Map<string, Buffer>();
  for (const path of [...listed, MANIFEST_FILE]) {
    try {
      files.set(path, await readFile(join(dir, path)));
    } catch {
      throw new SourceError(`${dir}/ is incomplete: ${path} is listed in ${MANIFEST_FILE} but cannot be read; run switchyard compile`, false);
    }
  }
  try {
    parsePlan(files.get(PLAN_FILE)!.toString('utf8'));
  } catch (e) {
    throw new SourceError(`${join(dir, PLAN_FILE)}: ${(e as Error).message}`, false);
  }
  return files;
}
