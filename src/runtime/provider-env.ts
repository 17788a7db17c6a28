/**
 * Provider settings read from the environment (`apiBase: env:NAME`,
 * `apiVersion: env:NAME`), resolved where the plan is served: by the gateway
 * at start and on every reload, as LiteLLM resolves `os.environ/NAME`. The
 * result is the plan with literal values, so adapters never see a
 * reference. A variable that is unset or not a usable value fails the whole
 * resolution, naming the provider and the variable (never the value: a URL
 * can carry credentials).
 */
import type { CompiledPlan, PlanProvider } from '../plan/types.ts';

/** Longest base URL accepted from the environment. */
const MAX_URL_LENGTH = 2048;
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

export class ProviderEnvError extends Error {}

export type Env = Readonly<Record<string, string | undefined>>;

/** Every `[provider, setting, variable]` the plan reads from the environment, sorted. */
export function providerEnvRefs(plan: CompiledPlan): { provider: string; setting: 'apiBase' | 'apiVersion'; name: string }[] {
  const out: { provider: string; setting: 'apiBase' | 'apiVersion'; name: string }[] = [];
  for (const id of Object.keys(plan.providers).sort()) {
    const p = plan.providers[id]!;
    if (p.apiBaseEnv !== null) out.push({ provider: id, setting: 'apiBase', name: p.apiBaseEnv });
    if (p.apiVersionEnv !== null) out.push({ provider: id, setting: 'apiVersion', name: p.apiVersionEnv });
  }
  return out;
}

function baseUrl(value: string): boolean {
  if (value.length > MAX_URL_LENGTH) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hash === '' && u.search === '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The plan with every environment-read setting filled in; throws ProviderEnvError listing every problem. */
export function resolveProviderEnv(plan: CompiledPlan, env: Env): CompiledPlan {
  const refs = providerEnvRefs(plan);
  if (refs.length === 0) return plan;
  const problems: string[] = [];
  const providers: Record<string, PlanProvider> = { ...plan.providers };
  for (const r of refs) {
    const raw = env[r.name];
    const value = raw?.trim();
    if (value === undefined || value === '') {
      problems.push(`provider "${r.provider}": ${r.setting} reads ${r.name}, which is not set`);
      continue;
    }
    const ok = r.setting === 'apiBase' ? baseUrl(value) : API_VERSION.test(value);
    if (!ok) {
      const want = r.setting === 'apiBase' ? 'an http(s) URL without credentials, query or fragment' : 'an API version such as 2024-10-21';
      problems.push(`provider "${r.provider}": ${r.name} (its ${r.setting}) is not ${want}`);
      continue;
    }
    providers[r.provider] = { ...providers[r.provider]!, [r.setting]: value };
  }
  if (problems.length > 0) throw new ProviderEnvError(problems.join('; '));
  return { ...plan, providers };
}
