/**
 * What the LiteLLM Router does with the settings we emit, per release range
 * (the policy's `targets.litellm.release`). Each fact was read in BerriAI/litellm
 * at the commit named; test/targets/litellm-upstream.test.ts states each one
 * beside the emitted setting that relies on it.
 *
 * 1.80-1.98 (the default):
 * - litellm/router_utils/get_retry_from_policy.py @51dc44e76e56cb3a98685d211924431d8280cf81
 *   (and @00cd2a497ca283decc818cc6fe7d15d41cc08557): get_num_retries_from_retry_policy
 *   has no InternalServerError branch, so InternalServerErrorRetries is read by
 *   nothing and a 500 is retried num_retries times (reported against 1.86.2 in
 *   srbhr/Resume-Matcher#943 and for 1.98.0 in a pinned test; BerriAI/litellm#37805).
 *   A 502 or 503 (ServiceUnavailableError) has no key either.
 * - litellm/router.py @f292d1ae7d83f2bc07c80c10d1a61bf63cb087bd,
 *   async_function_with_retries: should_retry_this_error runs before the
 *   retry policy is read, so an AuthenticationError in a group of one
 *   deployment, or any error when no deployment of the group is healthy, is
 *   not retried whatever the policy says.
 *
 * 1.110+:
 * - retry counts are resolved by exception class, most specific first, with
 *   InternalServerErrorRetries and ServiceUnavailableErrorRetries honoured
 *   (BerriAI/litellm#35853, merged 2026-08-04, before v1.110.0, the first
 *   release of the Router API documented at
 *   docs.litellm.ai/docs/router/api_reference/entry_points);
 * - the retry policy is read before should_retry_this_error and, when it
 *   names the error's class, skips that check (router.py @63ba912b47760548a070b8ee225f5054dabf08f0,
 *   "Check retry policy FIRST, before should_retry_this_error").
 */
import { DEFAULT_LITELLM_RELEASE } from '../../model/closed-sets.ts';
import type { CompiledPlan, LitellmRelease } from '../../plan/types.ts';

export interface LitellmReleaseBehaviour {
  id: LitellmRelease;
  /** What the header prints. */
  text: string;
  /** get_num_retries_from_retry_policy reads InternalServerErrorRetries (HTTP 500). */
  internalServerErrorKey: boolean;
  /** RetryPolicy has ServiceUnavailableErrorRetries (HTTP 503). */
  serviceUnavailableKey: boolean;
  /** The retry policy is read before should_retry_this_error, which it then skips. */
  policyBeforeRetryChecks: boolean;
}

export const LITELLM_RELEASE_BEHAVIOUR: Readonly<Record<LitellmRelease, LitellmReleaseBehaviour>> = {
  '1.80-1.98': {
    id: '1.80-1.98',
    text: 'LiteLLM 1.80 to 1.98',
    internalServerErrorKey: false,
    serviceUnavailableKey: false,
    policyBeforeRetryChecks: false,
  },
  '1.110+': {
    id: '1.110+',
    text: 'LiteLLM 1.110 and later',
    internalServerErrorKey: true,
    serviceUnavailableKey: true,
    policyBeforeRetryChecks: true,
  },
};

export interface LitellmOptions {
  release: LitellmReleaseBehaviour;
  enterprise: boolean;
}

/** The plan's LiteLLM options; plans compiled before target options existed get the defaults. */
export function litellmOptions(plan: CompiledPlan): LitellmOptions {
  const o = plan.targets?.litellm;
  return { release: LITELLM_RELEASE_BEHAVIOUR[o?.release ?? DEFAULT_LITELLM_RELEASE], enterprise: o?.enterprise ?? false };
}
