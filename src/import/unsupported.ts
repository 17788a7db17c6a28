/**
 * What an input says that a policy cannot: reported as a warning at its
 * line and kept, as YAML, in a comment at the top of the generated file it
 * would belong to, so nothing is dropped silently. Literal secrets inside
 * such a value are replaced before it is written anywhere.
 */
import { stringify } from 'yaml';
import type { Path } from '../diagnostics/path.ts';
import type { PolicyDraft, PolicyFile } from './draft.ts';
import { type Input, isObj } from './input.ts';
import { isEnvironRef } from './secrets.ts';

const SECRET_KEY = /(^|_)(key|keys|secret|password|passwd|token|credentials?|auth|webhook(_url)?)$|^(api_key|master_key|database_url|redis_url|dsn)$/i;
/** Values that carry a credential whatever their key: URLs with a password, well-known key prefixes. */
const SECRET_VALUE = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@|^(sk-|sk_|xox[abp]-|ghp_|AKIA)/;
const REDACTED = '<literal secret, not copied>';

export const looksSecret = (key: string, value: unknown): boolean =>
  (typeof value === 'string' || typeof value === 'number') && !isEnvironRef(value) && (SECRET_KEY.test(key) || SECRET_VALUE.test(String(value)));

/** A copy of `value` with every literal secret replaced; reports each one at its path. */
function redact(input: Input, value: unknown, path: Path): unknown {
  if (Array.isArray(value)) return value.map((v, i) => redact(input, v, [...path, i]));
  if (!isObj(value)) {
    const key = String(path[path.length - 1] ?? '');
    if (looksSecret(key, value)) {
      input.report(
        'warning',
        'import-literal-secret',
        path,
        'a literal secret in a setting that is not imported; the comment that keeps the setting leaves it out',
      );
      return REDACTED;
    }
    return value;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(input, v, [...path, k])]));
}

/** Why a key has no equivalent, by key (the section's default otherwise). */
const REASONS: Readonly<Record<string, string>> = {
  callbacks: 'LiteLLM logging callbacks; Switchyard compiles Prometheus rules and keeps its own request log',
  success_callback: 'LiteLLM logging callbacks; Switchyard compiles Prometheus rules and keeps its own request log',
  failure_callback: 'LiteLLM logging callbacks; Switchyard compiles Prometheus rules and keeps its own request log',
  service_callbacks: 'LiteLLM logging callbacks; Switchyard compiles Prometheus rules and keeps its own request log',
  guardrails: 'guardrails run inside LiteLLM',
  cache: 'response caching is LiteLLM configuration',
  cache_params: 'response caching is LiteLLM configuration',
  cache_responses: 'response caching is LiteLLM configuration',
  caching_groups: 'response caching is LiteLLM configuration',
  default_fallbacks: 'a fallback for every group; Switchyard lists fallbacks per model group',
  content_policy_fallbacks: 'fallbacks on content-policy refusals; Switchyard falls back on failures and long prompts only',
  model_group_alias: 'aliases of model groups; name the group as clients call it',
  routing_strategy_args: "arguments of LiteLLM's routing strategy",
  environment_variables: 'environment values belong to the deployment, not the policy',
  tags: "tag-based routing is LiteLLM's",
};

export function keepUnsupported(input: Input, draft: PolicyDraft, file: PolicyFile, path: Path, sectionReason: string): void {
  const key = String(path[path.length - 1]);
  const reason = REASONS[key] ?? sectionReason;
  const value = redact(input, input.get(path), path);
  input.report(
    'warning',
    'import-unsupported',
    path,
    `${input.label(path)} has no equivalent in a Switchyard policy (${reason}); kept as a comment in ${file}`,
  );
  draft.fileNote(file, `${input.where(path)}: ${input.label(path)} (${reason})`);
  const text = stringify({ [key]: value }, { lineWidth: 0 }).trimEnd();
  for (const line of text.split('\n')) draft.fileNote(file, `  ${line}`);
}
