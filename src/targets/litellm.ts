/**
 * The LiteLLM proxy config (`litellm --config generated/litellm/config.yaml`).
 *
 * - model_list: one entry per (group, deployment); a deployment listed by two
 *   groups is two entries, `model_info.id` = `<group>/<deployment>`.
 * - router_settings: the global values of litellm/router.ts; fallbacks in the
 *   declared order; `max_fallbacks: 1`, because a fallback list is the whole
 *   chain for its group: LiteLLM calls each fallback group with fallbacks of
 *   its own at depth + 1 and stops at `fallback_depth >= max_fallbacks`
 *   (router_utils/fallback_event_handlers.py), so 1 tries the requested
 *   group's list and nothing nested.
 * - secrets: litellm/secrets.ts; never a literal.
 * - what the file cannot say: litellmLimitations(), also listed in the header.
 *
 * Keys are checked against LiteLLM's documented keys by
 * test/targets/litellm.test.ts (fixtures in /work/shared/fixtures/litellm).
 */
import { compareDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { formatPath } from '../diagnostics/path.ts';
import { assertNever, OPENAI_COMPATIBLE_SERVICES } from '../model/closed-sets.ts';
import type { Artifact, CompiledPlan, PlanDeployment, PlanGroup, PlanProvider, PlanSecretRef } from '../plan/types.ts';
import { limitations } from './litellm/limitations.ts';
import { globalRouter, groupRetryPolicy, sortedGroups, unclassedServerErrors } from './litellm/router.ts';
import { litellmOptions } from './litellm/releases.ts';
import { DEFAULT_VAULT_MOUNT, SecretMapper, type VaultEnv } from './litellm/secrets.ts';
import { num, seconds, toYaml } from './litellm/yaml.ts';
import { LITELLM_CONFIG_PATH, litellmDeploymentId } from './paths.ts';
import type { Target } from './target.ts';

const MASTER_KEY_ENV = 'LITELLM_MASTER_KEY';
const DATABASE_URL_ENV = 'DATABASE_URL';

/**
 * LiteLLM's provider prefix of `litellm_params.model` (the names of
 * LITELLM_CHAT_PROVIDERS, litellm/constants.py): vLLM's OpenAI-compatible
 * server is `hosted_vllm`; an OpenAI-compatible service has its own
 * (closed-sets.ts); a pass-through provider names it in the policy.
 */
function litellmPrefix(p: PlanProvider): string {
  switch (p.kind) {
    case 'openai':
      return 'openai';
    case 'azure_openai':
      return 'azure';
    case 'anthropic':
      return 'anthropic';
    case 'vllm':
      return 'hosted_vllm';
    case 'openai_compatible':
      return p.openaiCompatible!.litellmPrefix;
    case 'passthrough':
      return p.passthrough!.provider;
    default:
      return assertNever(p.kind);
  }
}

/** A setting read from the environment, as LiteLLM reads it: through get_secret, like a secret reference. */
const envRef = (name: string): PlanSecretRef => ({ ref: `env:${name}`, scheme: 'env', name });

/**
 * api_base as LiteLLM must get it. LiteLLM appends `/chat/completions` to it
 * for OpenAI-style providers, so a path prefix set in the policy goes on the
 * end; Ollama's prefix (`/v1`) is the gateway's only, because LiteLLM's
 * ollama_chat speaks Ollama's native API at the root.
 */
function litellmApiBase(p: PlanProvider): string | null {
  if (p.apiBase === null) return null;
  const compat = p.openaiCompatible;
  if (compat === null || OPENAI_COMPATIBLE_SERVICES[compat.service].pathPrefix !== '') return p.apiBase;
  return `${p.apiBase.replace(/\/+$/, '')}${compat.pathPrefix}`;
}

export interface LitellmConfig {
  /** The object written as YAML, keys in output order. */
  config: Record<string, unknown>;
  /** Unsupported-secret errors; limitations come from litellmLimitations. */
  diagnostics: Diagnostic[];
  envNames: string[];
  /** Environment variables standing for vault: references, filled by the deployment (not Enterprise). */
  vaultEnv: VaultEnv[];
  /** Enterprise only: names LiteLLM reads from Vault itself. */
  vaultNames: string[];
  vaultMount: string | null;
}

export function buildLitellmConfig(plan: CompiledPlan): LitellmConfig {
  const options = litellmOptions(plan);
  const g0 = globalRouter(plan);
  const groups = sortedGroups(plan);
  const secrets = new SecretMapper(
    [
      ...groups.flatMap((g) =>
        g.deployments.flatMap((id) => {
          const p = plan.providers[plan.deployments[id]!.provider]!;
          return [...(p.apiKey ? [p.apiKey] : []), ...Object.values(p.passthrough?.secrets ?? {})];
        }),
      ),
      ...(plan.routerState.kind === 'redis' ? [plan.routerState.url] : []),
    ],
    options.enterprise,
  );

  const modelList = groups.flatMap((g) => g.deployments.map((id, rank) => modelEntry(plan, g, plan.deployments[id]!, rank, secrets)));

  // Without model groups there is nothing to route: only the strategy is written, and no per-group value
  // (the breaker and timeouts of no group are undefined, and LiteLLM's own defaults apply).
  const router: Record<string, unknown> =
    groups.length === 0
      ? { routing_strategy: g0.strategy }
      : {
          routing_strategy: g0.strategy,
          num_retries: g0.numRetries,
          timeout: seconds(g0.timeoutMs),
          // Read before any global retry_policy, by the group the request (or its fallback) asked for
          // (get_num_retries_from_retry_policy, litellm/router_utils/get_retry_from_policy.py): each
          // group keeps its own count, and a class it does not retry is written as 0.
          model_group_retry_policy: Object.fromEntries(groups.map((g) => [g.name, groupRetryPolicy(g, options.release)])),
          allowed_fails: g0.allowedFails,
          cooldown_time: seconds(g0.cooldownMs),
          // Failures that say something about the deployment, not the request (LiteLLM never cools down on a 400).
          // No InternalServerErrorAllowedFails: get_allowed_fails_from_policy has no branch for it
          // (BerriAI/litellm#29283), so a 500 counts against allowed_fails, the same number.
          allowed_fails_policy: {
            AuthenticationErrorAllowedFails: g0.allowedFails,
            TimeoutErrorAllowedFails: g0.allowedFails,
            RateLimitErrorAllowedFails: g0.allowedFails,
          },
          fallbacks: groups.filter((g) => g.fallbacks.length > 0).map((g) => ({ [g.name]: [...g.fallbacks] })),
          max_fallbacks: 1,
        };
  const cwf = groups.filter((g) => g.contextWindowFallbacks.length > 0);
  if (cwf.length > 0) router.context_window_fallbacks = cwf.map((g) => ({ [g.name]: [...g.contextWindowFallbacks] }));
  // Pre-call checks compare the prompt with model_info.max_input_tokens before choosing a deployment,
  // and they are where LiteLLM keeps only the lowest `order` of a group (_pre_call_checks, litellm/router.py):
  // without them an ordered group's deployments share its traffic (BerriAI/litellm#18444).
  if (cwf.length > 0 || groups.some((g) => g.strategy === 'ordered')) router.enable_pre_call_checks = true;
  if (plan.routerState.kind === 'redis') {
    // The Router takes `redis_url` itself (Router.__init__: `if redis_url is not None:
    // cache_config["url"] = redis_url`, litellm/router.py), so the one URL secret of the
    // policy is used as is, rather than split into host/port/password variables that
    // the deploy job would have to keep in step with it.
    router.redis_url = secrets.value(plan.routerState.url, 'routerState.url');
  }

  const requestCeilingMs = Math.max(g0.timeoutMs, ...modelList.map((m) => m.timeoutMs));
  const general: Record<string, unknown> = {
    master_key: `os.environ/${MASTER_KEY_ENV}`,
    database_url: `os.environ/${DATABASE_URL_ENV}`,
  };
  if (secrets.vaultNames.length > 0) {
    general.key_management_system = 'hashicorp_vault';
    general.key_management_settings = { access_mode: 'read_only', hosted_keys: [...secrets.vaultNames] };
  }
  const config = {
    model_list: modelList.map((m) => m.entry),
    router_settings: router,
    litellm_settings: {
      // PrometheusLogger registers its metrics only for premium_user (LiteLLM Enterprise); without it, one
      // counter saying so (litellm/integrations/prometheus.py), so the callback is written only with Enterprise.
      ...(options.enterprise ? { callbacks: ['prometheus'] } : {}),
      ...(groups.length === 0 ? {} : { request_timeout: seconds(requestCeilingMs) }),
      drop_params: true,
    },
    general_settings: general,
  };
  return {
    config,
    diagnostics: secrets.diagnostics,
    envNames: [...secrets.envNames, MASTER_KEY_ENV, DATABASE_URL_ENV].sort(),
    vaultEnv: [...secrets.vaultEnv].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    vaultNames: secrets.vaultNames,
    vaultMount: secrets.mount,
  };
}

function modelEntry(plan: CompiledPlan, g: PlanGroup, d: PlanDeployment, rank: number, secrets: SecretMapper) {
  const provider = plan.providers[d.provider]!;
  const at = (setting: string) => formatPath(['providers', provider.id, setting]);
  const params: Record<string, unknown> = { model: `${litellmPrefix(provider)}/${d.model}` };
  const apiBase = litellmApiBase(provider);
  if (apiBase !== null) params.api_base = apiBase;
  else if (provider.apiBaseEnv !== null) params.api_base = secrets.value(envRef(provider.apiBaseEnv), at('apiBase'));
  if (provider.apiVersion !== null) params.api_version = provider.apiVersion;
  else if (provider.apiVersionEnv !== null) params.api_version = secrets.value(envRef(provider.apiVersionEnv), at('apiVersion'));
  if (provider.apiKey !== null) params.api_key = secrets.value(provider.apiKey, at('apiKey'));
  const compat = provider.openaiCompatible;
  if (compat !== null) {
    if (Object.keys(compat.headers).length > 0) params.extra_headers = { ...compat.headers };
    // LiteLLM drops these from every call to the deployment, whatever the client sent (docs: "Drop Params").
    const drop = [...(compat.n ? [] : ['n']), ...(compat.streamOptions ? [] : ['stream_options'])];
    if (drop.length > 0) params.additional_drop_params = drop;
  }
  const through = provider.passthrough;
  if (through !== null) {
    Object.assign(params, through.params);
    for (const [name, ref] of Object.entries(through.secrets))
      params[name] = secrets.value(ref, formatPath(['providers', provider.id, 'litellm', 'secrets', name]));
  }
  if (d.rpm !== null) params.rpm = d.rpm;
  if (d.tpm !== null) params.tpm = d.tpm;
  if (g.strategy === 'ordered') params.order = rank + 1;
  else if (g.strategy === 'weighted' || g.strategy === 'usage_based') params.weight = num(d.weight);
  const timeoutMs = d.timeoutMs ?? g.timeouts.requestMs;
  params.timeout = seconds(timeoutMs);
  // LiteLLM uses stream_timeout as the HTTP timeout of streaming calls, so it bounds the first token (and each gap between chunks).
  if (g.timeouts.streamFirstTokenMs !== null) params.stream_timeout = seconds(g.timeouts.streamFirstTokenMs);
  // For errors no class of the retry policy names (connection errors, 502, ...): the Router takes the
  // failing deployment's num_retries off the exception (async_function_with_retries, litellm/router.py),
  // and our runtime retries connection errors whatever retryOn says.
  params.num_retries = g.retries.count;
  const cost = { input_cost_per_token: num(d.pricing.inputPer1M, 6), output_cost_per_token: num(d.pricing.outputPer1M, 6) };
  // Per-token prices in litellm_params are what LiteLLM's cost tracking reads (docs/proxy/custom_pricing,
  // "Cost Per Token"); model_info repeats them for /model/info, with the context window pre-call checks use.
  Object.assign(params, cost);
  return {
    timeoutMs,
    entry: {
      model_name: g.name,
      litellm_params: params,
      model_info: {
        id: litellmDeploymentId(g.name, d.id),
        // LiteLLM prices and context-checks an Azure deployment by model_info.base_model: the deployment name in
        // `model` is the customer's own (_pre_call_checks reads base_model "for azure openai models", litellm/router.py).
        ...(d.providerKind === 'azure_openai' ? { base_model: `azure/${d.baseModel ?? d.model}` } : {}),
        max_input_tokens: d.contextWindow,
        ...cost,
      },
    },
  };
}

/** Everything the LiteLLM config cannot carry (info) and every secret it cannot reference (error), sorted. */
export function litellmLimitations(plan: CompiledPlan): Diagnostic[] {
  const all = [...limitations(plan), ...buildLitellmConfig(plan).diagnostics];
  return all.sort(
    (a, b) => compareDiagnostics(a, b) || (a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

function header(plan: CompiledPlan, built: LitellmConfig, notes: Diagnostic[]): string[] {
  const lines = [
    `Generated by switchyard from the policy "${plan.name}" (policies/); do not edit, run \`switchyard compile\`.`,
    `plan ${plan.hash}`,
    '',
    `Run: litellm --config generated/${LITELLM_CONFIG_PATH}`,
    `Environment: ${built.envNames.join(', ')}`,
  ];
  if (built.vaultEnv.length > 0) {
    lines.push('Filled from Vault by the deployment (a Vault agent template or a secret operator; LiteLLM reads only the environment):');
    for (const v of built.vaultEnv) lines.push(`  ${v.name} <- ${v.ref}`);
  }
  if (built.vaultNames.length > 0)
    lines.push(
      `Vault (key_management_system hashicorp_vault, LiteLLM Enterprise): HCP_VAULT_ADDR, HCP_VAULT_TOKEN (or AppRole / TLS cert);` +
        ` KV v2 mount "${built.vaultMount}"${built.vaultMount === DEFAULT_VAULT_MOUNT ? '' : ` (set HCP_VAULT_MOUNT_NAME=${built.vaultMount})`},` +
        ` field "key" of: ${built.vaultNames.join(', ')}`,
    );
  const { release, enterprise } = litellmOptions(plan);
  lines.push(
    `Written for ${release.text} (targets.litellm.release "${release.id}"), LiteLLM Enterprise ${enterprise ? 'on' : 'off'} (targets.litellm.enterprise).`,
    'router_settings hold the values of the interactive groups (all groups if none is interactive): the most common strategy,',
    'the largest timeout, the most protective breaker; per-group timeouts and order are on the deployments.',
    'Retries per group: model_group_retry_policy.<group> gives each error class the group retries its retry count, and 0 to the others;',
    `errors no class covers (connection errors, ${unclassedServerErrors(release).join(', ')}, other codes) are retried litellm_params.num_retries times, the group's count.`,
  );
  if (!release.policyBeforeRetryChecks)
    lines.push(
      'On this release range the Router checks should_retry_this_error before the retry policy: an AuthenticationError is retried',
      'only in a group of more than one deployment, and nothing is retried while no deployment of the group is healthy.',
    );
  lines.push(
    'allowed_fails = max(1, floor(errorRateThreshold x minRequests x cooldown_time / window)): LiteLLM keeps counting failures',
    'as long as they come less than cooldown_time apart; cooldown_time = the breaker cooldown. Connection errors never cool',
    'a deployment down in LiteLLM: docs/runbooks/router-outage.md, "Behind the LiteLLM proxy".',
  );
  const errors = notes.filter((d) => d.severity === 'error');
  const warnings = notes.filter((d) => d.severity === 'warning');
  const infos = notes.filter((d) => d.severity === 'info');
  if (errors.length > 0) {
    lines.push('', `ERRORS (${errors.length}): this file is not usable as is:`);
    for (const d of errors) lines.push(`  - ${d.path}: ${d.message}`);
  }
  if (warnings.length > 0) {
    lines.push('', `Behaves differently from the policy (${warnings.length}):`);
    for (const d of warnings) lines.push(`  - ${d.path}: ${d.message}`);
  }
  lines.push('', `Not carried by this file (${infos.length}):`);
  for (const d of infos) lines.push(`  - ${d.path}: ${d.message}`);
  return lines;
}

/** `litellm/config.yaml`. Pure and deterministic: the same plan gives the same bytes. */
export function emitLitellm(plan: CompiledPlan): Artifact[] {
  const built = buildLitellmConfig(plan);
  const content = toYaml(built.config, header(plan, built, litellmLimitations(plan)));
  return [{ path: LITELLM_CONFIG_PATH, content, mediaType: 'application/yaml' }];
}

export const litellmTarget: Target = { id: 'litellm', emit: emitLitellm, limitations: litellmLimitations };
