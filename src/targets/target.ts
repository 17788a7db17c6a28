import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { Artifact, CompiledPlan } from '../plan/types.ts';

/**
 * A compile target: what it writes and what it cannot carry, declared side
 * by side so the two never drift apart. Both functions are pure and
 * deterministic.
 */
export interface Target {
  /** Stable name, for messages and tests. */
  id: string;
  /** The files this target writes, paths relative to the output directory. */
  emit(plan: CompiledPlan): Artifact[];
  /** What the target cannot express from the plan (info), and what makes its output unusable (error). */
  limitations?(plan: CompiledPlan): Diagnostic[];
}
