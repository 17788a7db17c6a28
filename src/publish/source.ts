/**
 * The files to pack: exactly those the writer's manifest in generated/
 * lists, plus that manifest, each matching the sha256 the manifest records
 * (so a tree left half-written by an interrupted compile, or edited by hand,
 * is refused) and none reached through a symbolic link. Anything else in the
 * directory (.gitkeep, an editor's backup) is not Switchyard's and is not
 * published.
 */
import { EXIT, SwitchyardError } from '../errors.ts';
import { MANIFEST_FILE, readVerifiedOutput } from '../load/write.ts';
import { parsePlan } from '../plan/read.ts';
import { PLAN_FILE } from './bundle.ts';

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
  const out = await readVerifiedOutput(dir);
  if (!out.ok) throw new SourceError(`${out.reason}; run switchyard compile${out.missing ? ' first' : ''}`, out.missing);
  if (!out.manifest.files.has(PLAN_FILE)) throw new SourceError(`${dir}/${MANIFEST_FILE} does not list ${PLAN_FILE}; run switchyard compile`, false);
  try {
    parsePlan(out.files.get(PLAN_FILE)!.toString('utf8'));
  } catch (e) {
    throw new SourceError(`${dir}/${PLAN_FILE}: ${(e as Error).message}`, false);
  }
  return out.files;
}
