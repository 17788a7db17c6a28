/**
 * `switchyard import litellm`, the pure part: config text (and vLLM launch
 * configs) in; a policy draft, its files and located Diagnostics out.
 *
 * The imported policy is validated and compiled here, before anything is
 * written; a finding of the compiler on it (a fallback cycle, a pool too
 * small) is reported at the input line the offending value came from. The
 * compiled plan's LiteLLM config is then compared with the input, so every
 * setting that would come out differently is a warning at its line.
 */
import { compareDiagnostics, type Diagnostic, hasErrors } from '../diagnostics/diagnostic.ts';
import { formatPath, parsePath, type Path } from '../diagnostics/path.ts';
import { validatePolicy } from '../load/validate.ts';
import { DEFAULT_LITELLM_RELEASE, type LitellmRelease } from '../model/closed-sets.ts';
import { compilePolicy } from '../plan/compile.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { PolicyDraft } from './draft.ts';
import { compareWithInput } from './equivalence.ts';
import { Input } from './input.ts';
import { readModelList } from './model-list.ts';
import { type PolicyFileText, renderPolicy } from './render.ts';
import { readRouterSettings } from './router-settings.ts';
import { buildGroups } from './groups.ts';
import { SecretImporter } from './secrets.ts';
import { type GpuSpec, readVllm, type VllmSource } from './vllm.ts';

export interface ImportOptions {
  /** The policy's name. */
  name: string;
  /** The config's path as shown in messages and comments. */
  file: string;
  vllm?: readonly VllmSource[];
  gpus?: readonly GpuSpec[];
}

export interface ImportResult {
  /** Present only when there is no error. */
  files?: PolicyFileText[];
  draft?: PolicyDraft;
  plan?: CompiledPlan;
  diagnostics: Diagnostic[];
}

export function importLitellm(text: string, opts: ImportOptions): ImportResult {
  const input = Input.parse(text, opts.file);
  if (!(input instanceof Input)) return { diagnostics: input };
  const draft = new PolicyDraft(opts.name);
  draft.policy.description = `Imported from the LiteLLM config ${opts.file}`;
  const secrets = new SecretImporter(input);
  const globals = readRouterSettings(input, draft, secrets);
  // What only the generated config's form says: the release range its retry keys are for, LiteLLM Enterprise.
  const litellmTarget: { release?: LitellmRelease; enterprise?: boolean } = {};
  if (globals.release !== DEFAULT_LITELLM_RELEASE) {
    litellmTarget.release = globals.release;
    draft.comment(
      ['targets', 'litellm', 'release'],
      'inferred: the retry policies name InternalServerErrorRetries or ServiceUnavailableErrorRetries, which only LiteLLM 1.110 and later read',
    );
  }
  if (globals.enterprise) {
    litellmTarget.enterprise = true;
    draft.comment(['targets', 'litellm', 'enterprise'], `inferred from ${input.where(globals.enterprise.path)}: ${globals.enterprise.why}`);
  }
  if (Object.keys(litellmTarget).length > 0) draft.policy.targets = { litellm: litellmTarget };
  const list = readModelList(input, draft, secrets);
  buildGroups(input, draft, list, globals);
  const vllmDeployments = draft.policy.deployments.flatMap((d, index) => {
    const p = draft.policy.providers.find((x) => x.id === d.provider);
    return p?.kind === 'vllm' ? [{ index, id: d.id, model: d.model, apiBase: p.apiBase ?? '', path: list.deploymentAt.get(d.id)! }] : [];
  });
  const vllmInputs = readVllm(draft, opts.vllm ?? [], opts.gpus ?? [], vllmDeployments, input);
  const inputs = [input, ...vllmInputs];
  const all = () => inputs.flatMap((i) => i.diagnostics);
  if (hasErrors(all())) return { diagnostics: sorted(all()) };

  // The compiler's findings, at the input's lines.
  const locate = (d: Diagnostic): Diagnostic => {
    const origin = originOf(draft, d.path);
    // The path stays the policy's (the renderers show it), the place is the input's.
    return origin ? { ...d, source: origin.input.at(origin.path) } : d;
  };
  const validated = validatePolicy(draft.policy);
  if (!validated.policy || hasErrors(validated.diagnostics)) return { diagnostics: sorted([...all(), ...validated.diagnostics.map(locate)]) };
  const compiled = compilePolicy(validated.policy);
  const compileDiagnostics = compiled.diagnostics.map(locate);
  if (!compiled.plan) return { diagnostics: sorted([...all(), ...compileDiagnostics]) };
  compareWithInput(input, compiled.plan, list.groups);
  return { files: renderPolicy(draft, opts.file), draft, plan: compiled.plan, diagnostics: sorted([...all(), ...compileDiagnostics]) };
}

/** The input a policy path came from: its own origin or the nearest enclosing one. */
function originOf(draft: PolicyDraft, path: string): { input: Input; path: Path } | undefined {
  let p: Path;
  try {
    p = parsePath(path);
  } catch {
    return undefined;
  }
  for (let n = p.length; n > 0; n--) {
    const o = draft.origins.get(formatPath(p.slice(0, n)));
    if (o) return o;
  }
  return undefined;
}

const sorted = (ds: Diagnostic[]): Diagnostic[] => ds.sort((a, b) => compareDiagnostics(a, b) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
