/**
 * load -> validate -> compile, shared by validate, compile and (later)
 * check and diff. Diagnostics come back with source locations filled in.
 */
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { type LoadOptions, loadPolicy, typecheckPolicies, UNREADABLE_CODES, type LoadResult } from '../load/index.ts';
import { compilePolicy } from '../plan/compile.ts';
import { planPathToPolicyPath } from '../plan/origins.ts';
import { targetDiagnostics } from '../targets/index.ts';
import type { CompiledPlan, PlanOrigins } from '../plan/types.ts';
import { EXIT } from './context.ts';

export interface PipelineResult {
  load: LoadResult;
  plan?: CompiledPlan;
  origins: PlanOrigins;
  diagnostics: Diagnostic[];
  /** 0 when no errors, 2 when the input could not be read, 1 for policy errors. */
  exitCode: number;
}

export async function runPipeline(entry: string, opts: { typecheck?: boolean; load?: LoadOptions } = {}): Promise<PipelineResult> {
  const load = await loadPolicy(entry, opts.load);
  const diagnostics = [...load.diagnostics];
  if (opts.typecheck && load.files.some((f) => /\.[cm]?tsx?$/.test(f))) diagnostics.push(...(await typecheckPolicies(load.files)));
  let plan: CompiledPlan | undefined;
  let origins: PlanOrigins = {};
  if (load.policy && !hasErrors(diagnostics)) {
    const compiled = compilePolicy(load.policy);
    origins = compiled.origins;
    plan = compiled.plan;
    for (const d of compiled.diagnostics) {
      if (!d.source) {
        const source = await load.locate(d.path);
        if (source) d.source = source;
      }
      diagnostics.push(d);
    }
  }
  // What a target cannot express (info) or refuses (error) is reported in
  // policy terms. Info is not located: that would load ts-morph on every
  // clean compile for notes the user can read in the generated headers.
  if (plan && !hasErrors(diagnostics)) {
    for (const d of targetDiagnostics(plan)) {
      const policyPath = planPathToPolicyPath(origins, d.path);
      const mapped = { ...d, path: policyPath || d.path };
      if (d.severity !== 'info') {
        const source = await load.locate(mapped.path);
        if (source) mapped.source = source;
      }
      diagnostics.push(mapped);
    }
  }
  const unreadable = diagnostics.some((d) => d.severity === 'error' && UNREADABLE_CODES.has(d.code));
  const exitCode = unreadable ? EXIT.usage : hasErrors(diagnostics) ? EXIT.policy : EXIT.ok;
  return { load, plan: hasErrors(diagnostics) ? undefined : plan, origins, diagnostics, exitCode };
}
