/**
 * What the plan says that LiteLLM's config file cannot: each becomes an
 * info Diagnostic (`litellm-unsupported`, path into the plan) saying where
 * that part lives instead, and the config's header lists them, so nothing
 * is dropped silently.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath, type Path } from '../../diagnostics/path.ts';
import { OPENAI_COMPATIBLE_SERVICES } from '../../model/closed-sets.ts';
import { compareStrings } from '../../plan/defaults.ts';
import type { CompiledPlan } from '../../plan/types.ts';
import { BATCH_PROFILES_PATH } from '../paths.ts';
import { litellmOptions } from './releases.ts';
import { allowedFails, globalRouter, inexpressibleRetryCodes, LITELLM_STRATEGY, sortedGroups, unclassedServerErrors } from './router.ts';

const UNSUPPORTED = 'litellm-unsupported';
const NO_COOLDOWN_ON_CONNECTION_ERRORS = 'litellm-no-cooldown-on-connection-error';
const ORDER_SENT_TO_AZURE = 'litellm-order-sent-to-azure';

export function limitations(plan: CompiledPlan): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (path: Path, message: string) => out.push(diagnostic('info', UNSUPPORTED, message, formatPath(path)));
  const g0 = globalRouter(plan);
  const { release } = litellmOptions(plan);

  for (const t of Object.values(plan.tenants).sort((a, b) => compareStrings(a.id, b.id))) {
    const where = `LiteLLM keeps it in its database: a virtual key (or team) for tenant "${t.id}" created through /key/generate or /team/new`;
    add(['tenants', t.id, 'apiKeys'], `tenant keys and allowed groups are not in the config; ${where}, with models = [${t.allowedGroups.join(', ')}]`);
    if (t.rpm !== null) add(['tenants', t.id, 'rpm'], `the tenant limit of ${t.rpm} requests/minute is not in the config; ${where}, with rpm_limit`);
    if (t.tpm !== null) add(['tenants', t.id, 'tpm'], `the tenant limit of ${t.tpm} tokens/minute is not in the config; ${where}, with tpm_limit`);
    if (t.monthlyBudgetUsd !== null)
      add(
        ['tenants', t.id, 'monthlyBudgetUsd'],
        `the monthly budget of ${t.monthlyBudgetUsd} USD is not in the config; ${where}, with max_budget and budget_duration 30d`,
      );
  }

  for (const g of sortedGroups(plan)) {
    const at = (...rest: Path) => ['groups', g.name, ...rest];
    const mapped = LITELLM_STRATEGY[g.strategy];
    if (mapped !== null && mapped !== g0.strategy)
      add(
        at('strategy'),
        `LiteLLM has one routing_strategy for the proxy (${g0.strategy}, from the primary groups); this group's ${g.strategy} (${mapped}) is not applied`,
      );
    const weights = new Set(g.deployments.map((id) => plan.deployments[id]!.weight));
    if ((g.strategy === 'weighted' || g.strategy === 'usage_based') && weights.size > 1 && g0.strategy !== 'simple-shuffle')
      add(at('deployments'), `deployment weights are written, but only LiteLLM's simple-shuffle honours them and the proxy routes by ${g0.strategy}`);
    const { unmapped, partial } = inexpressibleRetryCodes(g.retries.retryOn, release);
    if (unmapped.length > 0)
      add(
        at('retries', 'retryOn'),
        `status codes ${unmapped.join(', ')} match no retry class of ${release.text}, so LiteLLM retries them like any unclassified error (num_retries ${g.retries.count} times), not by their code`,
      );
    if (partial.length > 0) add(at('retries', 'retryOn'), `LiteLLM retries whole error classes, so all of ${partial.join('; ')} are retried`);
    const unlisted = unclassedServerErrors(release).filter((c) => !g.retries.retryOn.includes(c));
    if (g.retries.count > 0 && unlisted.length > 0)
      add(
        at('retries', 'retryOn'),
        `${release.text} has no retry class for ${unlisted.join(', ')}: LiteLLM retries them like connection errors, litellm_params.num_retries = ${g.retries.count} times, although retryOn does not list them`,
      );
    if (!release.policyBeforeRetryChecks && g.retries.retryOn.includes(401) && g.retries.count > 0 && g.deployments.length === 1)
      add(
        at('retries', 'retryOn'),
        `on ${release.text} should_retry_this_error runs before the retry policy and never retries an AuthenticationError in a group of one deployment (litellm/router.py), so this group's 401s are not retried`,
      );
    add(
      at('retries', 'backoff'),
      `LiteLLM retries with its own backoff (immediately when another deployment is healthy, else exponential); the group's backoff is kept by Switchyard's runtime only`,
    );
    const b = g.circuitBreaker;
    if (allowedFails(b) !== g0.allowedFails || b.cooldownMs !== g0.cooldownMs)
      add(
        at('circuitBreaker'),
        `LiteLLM has one breaker for the proxy (allowed_fails ${g0.allowedFails}, cooldown_time ${g0.cooldownMs / 1000}s); this group's would be allowed_fails ${allowedFails(b)}, cooldown ${b.cooldownMs / 1000}s`,
      );
    add(at('circuitBreaker', 'halfOpenProbes'), `LiteLLM has no half-open state: a cooled-down deployment takes full traffic again after cooldown_time`);
    const azure = g.deployments.filter((id) => plan.deployments[id]?.providerKind === 'azure_openai');
    if (g.strategy === 'ordered' && azure.length > 0)
      out.push(
        diagnostic(
          'warning',
          ORDER_SENT_TO_AZURE,
          `LiteLLM passes litellm_params.order on to Azure OpenAI as a request field, which Azure rejects ("Unrecognized request argument supplied: order", BerriAI/litellm#18259), so ${azure.join(', ')} fail every request of this ordered group`,
          formatPath(at('strategy')),
          { hint: 'use another strategy for groups with Azure deployments, or check that your LiteLLM release drops order before the call' },
        ),
      );
    const selfHosted = g.deployments.filter((id) => plan.deployments[id]?.providerKind === 'vllm');
    if (selfHosted.length > 0)
      out.push(
        diagnostic(
          'warning',
          NO_COOLDOWN_ON_CONNECTION_ERRORS,
          `LiteLLM never cools a deployment down on a connection error (_is_cooldown_required ignores APIConnectionError, litellm/router_utils/cooldown_handlers.py): behind the LiteLLM proxy a vLLM server of this group that refuses connections (${selfHosted.join(', ')}) keeps its share of the traffic, each request paying a failed attempt before its retry or fallback`,
          formatPath(at('deployments')),
          {
            hint: `the router-outage runbook ("Behind the LiteLLM proxy") says how to take such a deployment out of rotation; Switchyard's own gateway opens its breaker on connection errors`,
          },
        ),
      );
  }

  // One plan deployment listed by two groups is two LiteLLM deployments, each with its own counters.
  const listedBy = new Map<string, string[]>();
  for (const g of sortedGroups(plan)) for (const id of g.deployments) listedBy.set(id, [...(listedBy.get(id) ?? []), g.name]);
  for (const [id, groups] of [...listedBy].sort((a, b) => compareStrings(a[0], b[0])))
    if (groups.length > 1)
      add(
        ['deployments', id],
        `listed by ${groups.join(', ')}: LiteLLM counts rpm/tpm and cooldowns per model_list entry, so each group gets the deployment's full limits and its own breaker`,
      );

  for (const p of Object.values(plan.providers).sort((a, b) => compareStrings(a.id, b.id))) {
    const c = p.openaiCompatible;
    // The gateway adds the prefix to whatever the variable holds; LiteLLM takes os.environ/NAME as the whole api_base.
    if (c !== null && p.apiBaseEnv !== null && c.pathPrefix !== '' && OPENAI_COMPATIBLE_SERVICES[c.service].pathPrefix === '')
      add(
        ['providers', p.id, 'compat', 'pathPrefix'],
        `LiteLLM reads api_base from ${p.apiBaseEnv} as it is, without the path prefix ${c.pathPrefix} the gateway adds; give LiteLLM a variable that ends with it`,
      );
  }

  const rs = plan.routerState;
  if (rs.kind === 'redis') {
    add(['routerState', 'keyPrefix'], `LiteLLM's Router names its own Redis keys; the prefix "${rs.keyPrefix}" applies to Switchyard's runtime only`);
    if (rs.cluster)
      add(
        ['routerState', 'cluster'],
        `LiteLLM's Router reaches a Redis Cluster through cache_kwargs.startup_nodes (host/port pairs), which one URL secret cannot give; point the URL at a cluster-aware endpoint or add startup_nodes by hand`,
      );
  }
  if (!litellmOptions(plan).enterprise)
    add(
      ['targets', 'litellm', 'enterprise'],
      `LiteLLM registers its Prometheus metrics only in LiteLLM Enterprise, so the config sets no prometheus callback; the Prometheus rules read the metrics of Switchyard's gateway`,
    );
  if (Object.keys(plan.slos.targets).length > 0)
    add(['slos', 'targets'], `LiteLLM does not evaluate SLO targets (latency, error rate, fallback success); they live in the Prometheus rules`);
  if (Object.keys(plan.slos.alerts).length > 0) add(['slos', 'alerts'], `LiteLLM does not raise alerts from the policy; they live in the Prometheus rules`);
  const batch = Object.keys(plan.batchProfiles).sort(compareStrings);
  if (batch.length > 0)
    add(
      ['batchProfiles'],
      `batch profiles (${batch.join(', ')}) do not go through the proxy: they run on the OpenAI Batch API with \`switchyard batch\`, as described in generated/${BATCH_PROFILES_PATH}`,
    );
  return out;
}
