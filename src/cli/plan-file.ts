/** Reading a compiled plan.json for the commands that run from one (explain, simulate, serve): one-line errors naming the file. */
import { readFileSync } from 'node:fs';
import { parsePlan } from '../plan/read.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { UserError } from './context.ts';

export const DEFAULT_PLAN = 'generated/plan.json';

export function readPlanFile(file: string): CompiledPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read plan ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (run switchyard compile first)`);
  }
  try {
    return parsePlan(text);
  } catch (e) {
    throw new UserError(`${file}: ${(e as Error).message}`);
  }
}
