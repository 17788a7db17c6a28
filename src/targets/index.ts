import { compareDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { compareStrings } from '../plan/defaults.ts';
import type { Artifact, CompiledPlan } from '../plan/types.ts';
import { docsTarget } from './docs.ts';
import { grafanaTarget } from './grafana.ts';
import { litellmTarget } from './litellm.ts';
import { openaiBatchTarget } from './openai-batch.ts';
import { planJsonTarget } from './plan-json.ts';
import { prometheusTarget } from './prometheus.ts';
import { sqlTarget } from './sql.ts';
import type { Target } from './target.ts';
import { vllmTarget } from './vllm.ts';

export type { Target } from './target.ts';

/** Every compile target. Adding one: a file exporting its Target record, listed here. */
const TARGETS: readonly Target[] = [planJsonTarget, vllmTarget, litellmTarget, sqlTarget, prometheusTarget, grafanaTarget, docsTarget, openaiBatchTarget];

/** All artifacts of a plan, sorted by path so the writer and the drift check see one order. */
export function emitAll(plan: CompiledPlan): Artifact[] {
  return TARGETS.flatMap((t) => t.emit(plan)).sort((a, b) => compareStrings(a.path, b.path));
}

/** Every target's limitations, sorted (path, then code, then message) so the CLI prints one stable list. */
export function targetDiagnostics(plan: CompiledPlan): Diagnostic[] {
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return TARGETS.flatMap((t) => t.limitations?.(plan) ?? []).sort((a, b) => compareDiagnostics(a, b) || order(a.code, b.code) || order(a.message, b.message));
}
