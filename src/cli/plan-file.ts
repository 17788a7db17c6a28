/** Reading a compiled plan.json for the commands that run from one (explain, gate, simulate, serve): one-line errors naming the file. */
import { InputFileError, MAX_PLAN_FILE_BYTES, readInputFile } from '../fs/input-file.ts';
import { parsePlan } from '../plan/read.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { UserError } from './context.ts';

export const DEFAULT_PLAN = 'generated/plan.json';

/** The plan in `file` (a regular file of at most 64 MiB, hash verified); a one-line UserError otherwise. */
export function readPlanFile(file: string): CompiledPlan {
  let text: string;
  try {
    text = readInputFile(file, { maxBytes: MAX_PLAN_FILE_BYTES, what: 'plan' });
  } catch (e) {
    if (e instanceof InputFileError && e.reason === 'missing')
      throw new UserError(`cannot read plan ${file}: it does not exist (run switchyard compile first, or pass --plan)`);
    throw e;
  }
  try {
    return parsePlan(text);
  } catch (e) {
    throw new UserError(`${file}: ${(e as Error).message}`);
  }
}
