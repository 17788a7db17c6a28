/**
 * Our groups each carry a strategy, retries, timeouts and a breaker; LiteLLM's
 * `router_settings` hold one value of each for the whole proxy. The global
 * value comes from one documented rule, and what a group can carry itself
 * moves onto its deployments (`litellm_params.timeout`, `num_retries`,
 * `stream_timeout`, `order`, `weight`); the rest is listed by limitations.ts.
 *
 * The rule: the global values are those of the PRIMARY groups, the
 * interactive ones (a user is waiting on them; they are what the router
 * stack is tuned for), or every group when none is interactive:
 * - routing_strategy: the LiteLLM strategy most primary groups map to
 *   (ties: usage-based, latency-based, cost-based, simple-shuffle);
 * - num_retries, timeout: the largest of the primary groups';
 * - retry_policy: the error classes any primary group retries;
 * - allowed_fails: the smallest, cooldown_time: the largest (the most
 *   protective breaker among the primary groups).
 */
import type { CompiledPlan, PlanBreaker, PlanGroup, Strategy } from '../../plan/types.ts';
import { compareStrings } from '../../plan/defaults.ts';

/** `null`: an ordered group works under any strategy (see ORDER below). */
export const LITELLM_STRATEGY: Record<Strategy, string | null> = {
  usage_based: 'usage-based-routing-v2',
  latency_based: 'latency-based-routing',
  cost_based: 'cost-based-routing',
  // simple-shuffle picks at random in proportion to litellm_params.weight.
  weighted: 'simple-shuffle',
  // LiteLLM filters a group's healthy deployments to the lowest `order`
  // before the strategy runs (`_get_order_filtered_deployments`, litellm/utils.py;
  // docs.litellm.ai/docs/router/learn/selection "order sets priority inside a
  // model group"); deployments with a higher order get traffic only when every
  // lower one is cooling down. Each deployment gets its own rank, so the call
  // order is the plan's, whatever the global strategy. (BerriAI/litellm#18444
  // reports `order` ignored in v1.80.11: use a release with the filter.)
  ordered: null,
};

const STRATEGY_PREFERENCE = ['usage-based-routing-v2', 'latency-based-routing', 'cost-based-routing', 'simple-shuffle'];

export function sortedGroups(plan: CompiledPlan): PlanGroup[] {
  return Object.values(plan.groups).sort((a, b) => compareStrings(a.name, b.name));
}

function primaryGroups(plan: CompiledPlan): PlanGroup[] {
  const all = sortedGroups(plan);
  const interactive = all.filter((g) => g.workload === 'interactive');
  return interactive.length > 0 ? interactive : all;
}

function globalStrategy(plan: CompiledPlan): string {
  const pick = (groups: PlanGroup[]): string | null => {
    const counts = new Map<string, number>();
    for (const g of groups) {
      const s = LITELLM_STRATEGY[g.strategy];
      if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const s of STRATEGY_PREFERENCE) if ((counts.get(s) ?? 0) > (best === null ? 0 : counts.get(best)!)) best = s;
    return best;
  };
  return pick(primaryGroups(plan)) ?? pick(sortedGroups(plan)) ?? 'simple-shuffle';
}

/**
 * LiteLLM retries by exception class (RetryPolicy, litellm/types/router.py),
 * we by HTTP status. Timeouts are always retried by our runtime (model-group.ts),
 * so that class follows the retry count whatever retryOn says.
 */
export const RETRY_CLASSES = [
  { key: 'BadRequestErrorRetries', codes: [400, 422] },
  { key: 'AuthenticationErrorRetries', codes: [401] },
  { key: 'TimeoutErrorRetries', codes: [408, 504], always: true },
  { key: 'RateLimitErrorRetries', codes: [429] },
  // A content-policy refusal arrives as a 400, so it is retried exactly when 400 is.
  { key: 'ContentPolicyViolationErrorRetries', codes: [400] },
  { key: 'InternalServerErrorRetries', codes: [500, 502, 503] },
] as const;

const MAPPED_CODES = new Set<number>(RETRY_CLASSES.flatMap((c) => c.codes));

/** Which RetryPolicy classes a retryOn list retries. */
export function retriedClasses(retryOn: readonly number[]): Set<string> {
  return new Set(RETRY_CLASSES.filter((c) => ('always' in c && c.always) || c.codes.some((code) => retryOn.includes(code))).map((c) => c.key));
}

/** Status codes LiteLLM cannot single out: not in any class, or in a class the list covers only in part. */
export function inexpressibleRetryCodes(retryOn: readonly number[]): { unmapped: number[]; partial: string[] } {
  const unmapped = [...retryOn].filter((c) => !MAPPED_CODES.has(c)).sort((a, b) => a - b);
  const partial = RETRY_CLASSES.filter((c) => !('always' in c) && c.codes.some((x) => retryOn.includes(x)) && !c.codes.every((x) => retryOn.includes(x))).map(
    (c) => `${c.key.replace(/Retries$/, '')} (${c.codes.join(', ')})`,
  );
  return { unmapped, partial };
}

export interface GlobalRouter {
  strategy: string;
  numRetries: number;
  timeoutMs: number;
  retryClasses: Set<string>;
  allowedFails: number;
  cooldownMs: number;
}

export function globalRouter(plan: CompiledPlan): GlobalRouter {
  const primary = primaryGroups(plan);
  // No model groups (a policy of GPU pools only): an empty proxy with the schema's default timeout and breaker, not min/max of nothing.
  if (primary.length === 0)
    return { strategy: 'simple-shuffle', numRetries: 0, timeoutMs: 30_000, retryClasses: new Set(), allowedFails: 1, cooldownMs: 30_000 };
  const retryClasses = new Set<string>();
  for (const g of primary) for (const c of retriedClasses(g.retries.retryOn)) retryClasses.add(c);
  return {
    strategy: globalStrategy(plan),
    numRetries: Math.max(0, ...primary.map((g) => g.retries.count)),
    timeoutMs: Math.max(0, ...primary.map((g) => g.timeouts.requestMs)),
    retryClasses,
    allowedFails: Math.min(...primary.map((g) => allowedFails(g.circuitBreaker))),
    cooldownMs: Math.max(...primary.map((g) => g.circuitBreaker.cooldownMs)),
  };
}

/**
 * LiteLLM cools a deployment down once it has failed more than
 * `allowed_fails` times within the current minute (router_utils/cooldown_handlers.py;
 * newer releases also cool down above a 50% failure rate, not configurable).
 * Our breaker opens when failures / requests > errorRateThreshold over
 * windowMs with at least minRequests requests; at that minimum volume it
 * opens on the first failure beyond errorRateThreshold x minRequests. Scaled
 * from windowMs to LiteLLM's one-minute window that gives
 *   allowed_fails = max(1, floor(errorRateThreshold x minRequests x 60 s / window)),
 * e.g. 5% of 20 requests in 60 s -> 1 (the second failure in a minute trips).
 * At least 1, because 0 would cool a deployment down on any single failure.
 */
export function allowedFails(b: PlanBreaker): number {
  const perMinute = (b.errorRateThreshold * b.minRequests * 60_000) / b.windowMs;
  return Math.max(1, Math.floor(perMinute + 1e-9));
}
