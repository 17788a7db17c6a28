/**
 * Our groups each carry a strategy, retries, timeouts and a breaker; LiteLLM's
 * `router_settings` hold one value of each for the whole proxy, except retries:
 * `model_group_retry_policy` holds one retry policy per group (Router.__init__,
 * litellm/router.py; the proxy passes every router_settings key that is a
 * Router parameter). The global value comes from one documented rule, and
 * what a group can carry itself moves onto its deployments
 * (`litellm_params.timeout`, `num_retries`, `stream_timeout`, `order`,
 * `weight`); the rest is listed by limitations.ts.
 *
 * The rule: the global values are those of the PRIMARY groups, the
 * interactive ones (a user is waiting on them; they are what the router
 * stack is tuned for), or every group when none is interactive:
 * - routing_strategy: the LiteLLM strategy most primary groups map to
 *   (ties: usage-based, latency-based, cost-based, simple-shuffle);
 * - num_retries, timeout: the largest of the primary groups';
 * - allowed_fails: the smallest, cooldown_time: the largest (the most
 *   protective breaker among the primary groups).
 */
import { compareStrings } from '../../plan/defaults.ts';
import type { CompiledPlan, PlanBreaker, PlanGroup, Strategy } from '../../plan/types.ts';
import type { LitellmReleaseBehaviour } from './releases.ts';

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
 * so that class follows the retry count whatever retryOn says. A class only
 * counts where the release range reads its key (releases.ts): on 1.80-1.98
 * nothing reads InternalServerErrorRetries, and ServiceUnavailableErrorRetries
 * does not exist.
 */
export const RETRY_CLASSES = [
  { key: 'BadRequestErrorRetries', codes: [400, 422] },
  { key: 'AuthenticationErrorRetries', codes: [401] },
  { key: 'TimeoutErrorRetries', codes: [408, 504], always: true },
  { key: 'RateLimitErrorRetries', codes: [429] },
  // A content-policy refusal arrives as a 400, so it is retried exactly when 400 is.
  { key: 'ContentPolicyViolationErrorRetries', codes: [400] },
  { key: 'InternalServerErrorRetries', codes: [500], readIf: 'internalServerErrorKey' },
  { key: 'ServiceUnavailableErrorRetries', codes: [503], readIf: 'serviceUnavailableKey' },
] as const satisfies readonly { key: string; codes: readonly number[]; always?: true; readIf?: 'internalServerErrorKey' | 'serviceUnavailableKey' }[];

type RetryClass = (typeof RETRY_CLASSES)[number];
const isAlways = (c: RetryClass) => 'always' in c && c.always;

/** The classes whose key the release range's retry lookup reads. */
export function policyClasses(release: LitellmReleaseBehaviour): RetryClass[] {
  return RETRY_CLASSES.filter((c) => !('readIf' in c) || release[c.readIf]);
}

/**
 * Server errors with no class the release reads: LiteLLM retries them like a
 * connection error, litellm_params.num_retries times, whatever the group's
 * retryOn says (the policy lookup returns None and num_retries stands).
 */
export function unclassedServerErrors(release: LitellmReleaseBehaviour): number[] {
  const read = new Set<number>(policyClasses(release).flatMap((c) => c.codes));
  return [500, 502, 503].filter((c) => !read.has(c));
}

/** Which policy classes a retryOn list retries. */
export function retriedClasses(retryOn: readonly number[], release: LitellmReleaseBehaviour): Set<string> {
  return new Set(
    policyClasses(release)
      .filter((c) => isAlways(c) || c.codes.some((code) => retryOn.includes(code)))
      .map((c) => c.key),
  );
}

/** The group's entry of model_group_retry_policy: every class the release reads, explicitly (0 = not retried). */
export function groupRetryPolicy(g: PlanGroup, release: LitellmReleaseBehaviour): Record<string, number> {
  const retried = retriedClasses(g.retries.retryOn, release);
  return Object.fromEntries(policyClasses(release).map((c) => [c.key, retried.has(c.key) ? g.retries.count : 0]));
}

/** Status codes LiteLLM cannot single out: not in any class it reads, or in a class the list covers only in part. */
export function inexpressibleRetryCodes(retryOn: readonly number[], release: LitellmReleaseBehaviour): { unmapped: number[]; partial: string[] } {
  const classes = policyClasses(release);
  const mapped = new Set<number>([...classes.flatMap((c) => c.codes), ...unclassedServerErrors(release)]);
  const unmapped = [...retryOn].filter((c) => !mapped.has(c)).sort((a, b) => a - b);
  const partial = classes
    .filter((c) => !isAlways(c) && c.codes.some((x) => retryOn.includes(x)) && !c.codes.every((x) => retryOn.includes(x)))
    .map((c) => `${c.key.replace(/Retries$/, '')} (${c.codes.join(', ')})`);
  return { unmapped, partial };
}

export interface GlobalRouter {
  strategy: string;
  numRetries: number;
  timeoutMs: number;
  allowedFails: number;
  cooldownMs: number;
}

export function globalRouter(plan: CompiledPlan): GlobalRouter {
  const primary = primaryGroups(plan);
  // No model groups (a policy of GPU pools only): an empty proxy with the schema's default timeout and breaker, not min/max of nothing.
  if (primary.length === 0) return { strategy: 'simple-shuffle', numRetries: 0, timeoutMs: 30_000, allowedFails: 1, cooldownMs: 30_000 };
  const cooldownMs = Math.max(...primary.map((g) => g.circuitBreaker.cooldownMs));
  return {
    strategy: globalStrategy(plan),
    numRetries: Math.max(0, ...primary.map((g) => g.retries.count)),
    timeoutMs: Math.max(0, ...primary.map((g) => g.timeouts.requestMs)),
    allowedFails: Math.min(...primary.map((g) => allowedFails(g.circuitBreaker, cooldownMs))),
    cooldownMs,
  };
}

/**
 * LiteLLM cools a deployment down when a failure finds more than
 * `allowed_fails` failures already counted for it. The counter is a cache
 * entry written with `ttl=cooldown_time` on every failure
 * (should_cooldown_based_on_allowed_fails_policy, litellm/router_utils/cooldown_handlers.py
 * @1fa201c73311632f2204e3056a9b8702b07548fe), so failures count together as long as
 * none is more than cooldown_time after the one before: LiteLLM's window is
 * the cooldown, not a minute.
 * Our breaker opens when failures / requests > errorRateThreshold over
 * windowMs with at least minRequests requests; at that minimum volume it
 * opens on the first failure beyond errorRateThreshold x minRequests. Scaled
 * from windowMs to LiteLLM's window that gives
 *   allowed_fails = max(1, floor(errorRateThreshold x minRequests x cooldown / window)),
 * e.g. 5% of 20 requests in 60 s with a 30 s cooldown -> 1 (the second failure trips).
 * At least 1, because 0 would cool a deployment down on any single failure.
 */
export function allowedFails(b: PlanBreaker, cooldownMs: number = b.cooldownMs): number {
  const perCooldown = (b.errorRateThreshold * b.minRequests * cooldownMs) / b.windowMs;
  return Math.max(1, Math.floor(perCooldown + 1e-9));
}
