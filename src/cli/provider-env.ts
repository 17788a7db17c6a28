/**
 * `check`'s warning for provider settings read from the environment
 * (`apiBase: env:NAME`) whose variable is unset where check runs. A warning,
 * not an error: CI rarely has the variables the proxy and gateway get in
 * production. Only the name is reported, never a value.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { formatPath } from '../diagnostics/path.ts';
import { planPathToPolicyPath } from '../plan/origins.ts';
import type { CompiledPlan, PlanOrigins } from '../plan/types.ts';
import { type Env, providerEnvRefs } from '../runtime/provider-env.ts';

export function unsetProviderEnv(plan: CompiledPlan, origins: PlanOrigins, env: Env): Diagnostic[] {
  return providerEnvRefs(plan)
    .filter((r) => (env[r.name] ?? '').trim() === '')
    .map((r) =>
      diagnostic(
        'warning',
        'env-unset',
        `provider "${r.provider}" reads its ${r.setting} from ${r.name}, which is not set here; LiteLLM (os.environ/${r.name}) and \`switchyard serve\` need it where they run`,
        planPathToPolicyPath(origins, formatPath(['providers', r.provider, r.setting])),
        { hint: `set ${r.name} in the proxy's and the gateway's environment (this check only warns: CI rarely has it)` },
      ),
    );
}
