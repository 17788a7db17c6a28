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
import { allowedFails, globalRouter, inexpressibleRetryCodes, LITELLM_STRATEGY, retriedClasses, sortedGroups } from './router.ts';

const UNSUPPORTED = 'litellm-unsupported';

export function limitations(plan: CompiledPlan): Diagnostic[] {
  const out: Diagnostic[] = [];
  const add = (path: Path, message: string) => out.push(diagnostic('info', UNSUPPORTED, message, formatPath(path)));
  const g0 = globalRouter(plan);
  const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

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
    if (g.retries.count !== g0.numRetries)
      add(
        at('retries', 'count'),
        `carried as litellm_params.num_retries on the group's deployments, which LiteLLM applies to every retried error class instead of the retry_policy`,
      );
    const classes = retriedClasses(g.retries.retryOn);
    if (!sameSet(classes, g0.retryClasses))
      add(
        at('retries', 'retryOn'),
        `LiteLLM has one retry_policy for the proxy (per-group model_group_retry_policy is SDK-only); this group retries [${[...classes].join(', ')}]`,
      );
    const { unmapped, partial } = inexpressibleRetryCodes(g.retries.retryOn);
    if (unmapped.length > 0)
      add(at('retries', 'retryOn'), `status codes ${unmapped.join(', ')} match no LiteLLM retry class and are not retried by their code`);
    if (partial.length > 0) add(at('retries', 'retryOn'), `LiteLLM retries whole error classes, so all of ${partial.join('; ')} are retried`);
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
  if (Object.keys(plan.slos.targets).length > 0)
    add(['slos', 'targets'], `LiteLLM does not evaluate SLO targets (latency, error rate, fallback success); they live in the Prometheus rules`);
  if (Object.keys(plan.slos.alerts).length > 0) add(['slos', 'alerts'], `LiteLLM does not raise alerts from the policy; they live in the Prometheus rules`);
  return out;
}
