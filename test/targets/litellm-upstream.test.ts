/**
 * Every LiteLLM setting we emit whose effect depends on how LiteLLM's own
 * code reads it, checked against that code. Each `describe` names the
 * upstream file (BerriAI/litellm, at the commit read with the search tool)
 * and states the behaviour; where the behaviour is a decision (how many
 * retries a failed call gets, when a deployment cools down), the decision is
 * transcribed here from the upstream function and run against the config we
 * emit, so the test fails if our settings and LiteLLM's reading part ways.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { CompiledPlan, LitellmRelease, PlanBreaker } from '../../src/plan/types.ts';
import { emitLitellm, litellmLimitations } from '../../src/targets/litellm.ts';
import { LITELLM_RELEASE_BEHAVIOUR } from '../../src/targets/litellm/releases.ts';
import { allowedFails } from '../../src/targets/litellm/router.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { compileEdited, referencePolicy, type BasePolicyInput } from '../fixtures/policies.ts';

type Obj = Record<string, any>;

function edited(edit: (p: BasePolicyInput) => void): CompiledPlan {
  const r = compileEdited(edit);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.plan!;
}
const config = (plan: CompiledPlan): Obj => parse(emitLitellm(plan)[0]!.content) as Obj;

/** The failures a call can end in, as LiteLLM's exception classes see them (litellm/exceptions.py). */
type Failure = 400 | 401 | 408 | 422 | 429 | 500 | 502 | 503 | 504 | 'connection';
const FAILURES: readonly Failure[] = [400, 401, 408, 422, 429, 500, 502, 503, 504, 'connection'];

/** The RetryPolicy field get_num_retries_from_retry_policy matches a failure with, per release (releases.ts). */
function policyField(f: Failure, release: LitellmRelease): string | null {
  const r = LITELLM_RELEASE_BEHAVIOUR[release];
  switch (f) {
    case 400:
    case 422:
      return 'BadRequestErrorRetries';
    case 401:
      return 'AuthenticationErrorRetries';
    case 408:
    case 504:
      return 'TimeoutErrorRetries';
    case 429:
      return 'RateLimitErrorRetries';
    case 500:
      return r.internalServerErrorKey ? 'InternalServerErrorRetries' : null;
    case 503:
      return r.serviceUnavailableKey ? 'ServiceUnavailableErrorRetries' : null;
    default:
      return null; // 502 and connection errors: no field in either range
  }
}

/**
 * Router.async_function_with_retries (litellm/router.py @f292d1ae7d83f2bc07c80c10d1a61bf63cb087bd):
 * num_retries starts as the request's (the Router's num_retries), is replaced
 * by the failing deployment's own litellm_params.num_retries carried on the
 * exception, then by the retry policy's count when get_num_retries_from_retry_policy
 * (router_utils/get_retry_from_policy.py @51dc44e76e56cb3a98685d211924431d8280cf81)
 * finds one: model_group_retry_policy[group] first, else retry_policy.
 * On 1.80-1.98 should_retry_this_error runs first and raises (0 retries) for
 * an AuthenticationError when the group has at most one deployment.
 */
function litellmRetries(cfg: Obj, group: string, f: Failure, release: LitellmRelease): number {
  const entry = cfg.model_list.find((e: Obj) => e.model_name === group);
  let n: number = entry.litellm_params.num_retries ?? cfg.router_settings.num_retries;
  const deployments = cfg.model_list.filter((e: Obj) => e.model_name === group).length;
  if (!LITELLM_RELEASE_BEHAVIOUR[release].policyBeforeRetryChecks && f === 401 && deployments <= 1) return 0;
  const policy = cfg.router_settings.model_group_retry_policy?.[group] ?? cfg.router_settings.retry_policy;
  const field = policyField(f, release);
  if (policy && field !== null && policy[field] !== undefined) n = policy[field];
  if (LITELLM_RELEASE_BEHAVIOUR[release].policyBeforeRetryChecks && f === 401 && deployments <= 1 && (field === null || policy?.[field] === undefined))
    return 0;
  return n;
}

/** What the policy says: retryOn statuses, timeouts and connection errors get the group's count (src/model/model-group.ts). */
function policyRetries(plan: CompiledPlan, group: string, f: Failure): number {
  const g = plan.groups[group]!;
  const always = f === 'connection' || f === 408 || f === 504;
  return always || g.retries.retryOn.includes(f as number) ? g.retries.count : 0;
}

const failureCode = (f: Failure) => String(f);

describe('retries: model_group_retry_policy and litellm_params.num_retries (litellm/router.py, router_utils/get_retry_from_policy.py)', () => {
  it('a group retries as often as its policy says, per error class, on both release ranges (the reference groups)', () => {
    for (const release of ['1.80-1.98', '1.110+'] as const) {
      const plan = edited((p) => {
        p.targets = { litellm: { release } };
        p.modelGroups[0]!.retries = { count: 3, retryOn: [429, 500, 503] };
        p.modelGroups[1]!.retries = { count: 0 };
      });
      const cfg = config(plan);
      expect(litellmRetries(cfg, 'chat', 429, release)).toBe(3);
      expect(litellmRetries(cfg, 'chat', 400, release)).toBe(0);
      expect(litellmRetries(cfg, 'chat-azure', 429, release)).toBe(0);
      expect(litellmRetries(cfg, 'chat', 'connection', release)).toBe(3);
    }
  });

  it('before this fix the global retry_policy overrode a group count: a config with only retry_policy gets it wrong (the check can fail)', () => {
    const plan = edited((p) => {
      p.modelGroups[0]!.retries = { count: 2 };
      p.modelGroups[1]!.retries = { count: 1 };
    });
    const cfg = config(plan);
    // The old emitter: one retry_policy with the largest interactive count, group counts on the deployments.
    const old = structuredClone(cfg);
    delete old.router_settings.model_group_retry_policy;
    old.router_settings.retry_policy = { TimeoutErrorRetries: 2, RateLimitErrorRetries: 2, BadRequestErrorRetries: 0 };
    expect(litellmRetries(old, 'chat-azure', 429, '1.80-1.98')).toBe(2); // the group asked for 1
    expect(litellmRetries(cfg, 'chat-azure', 429, '1.80-1.98')).toBe(1);
  });

  it('for any retry settings, LiteLLM retries each failure as the policy says, or a limitation of that group says why not', () => {
    const codes = fc.subarray([400, 401, 409, 422, 429, 500, 502, 503, 504], { minLength: 0 });
    fc.assert(
      fc.property(
        fc.constantFrom<LitellmRelease>('1.80-1.98', '1.110+'),
        fc.array(fc.record({ count: fc.integer({ min: 0, max: 4 }), retryOn: codes }), { minLength: 3, maxLength: 3 }),
        (release, retries) => {
          const plan = edited((p) => {
            p.targets = { litellm: { release } };
            p.modelGroups.forEach((g, i) => void (g.retries = retries[i]!));
          });
          const cfg = config(plan);
          const notes = litellmLimitations(plan);
          for (const group of Object.keys(plan.groups))
            for (const f of FAILURES) {
              const want = policyRetries(plan, group, f);
              const got = litellmRetries(cfg, group, f, release);
              if (got === want) continue;
              const path = /^[a-z][a-z0-9]*$/.test(group) ? `groups.${group}.retries.retryOn` : `groups["${group}"].retries.retryOn`;
              const said = notes.filter((d) => d.path === path).map((d) => d.message);
              expect(
                said.some(
                  (m) => m.includes(failureCode(f)) || (f === 422 && m.includes('BadRequestError')) || (f === 401 && m.includes('AuthenticationError')),
                ),
                `${release} ${group} ${f}: LiteLLM ${got}, policy ${want}, notes: ${said.join(' | ')}`,
              ).toBe(true);
            }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the header names the release range (1.80-1.98 when the policy names none) and what it says of retries is what LiteLLM does', () => {
    const header = (plan: CompiledPlan) =>
      emitLitellm(plan)[0]!
        .content.split('\n')
        .filter((l) => l.startsWith('#'))
        .map((l) => l.slice(2))
        .join('\n');
    const cases = [
      { plan: edited(() => {}), release: '1.80-1.98', text: 'Written for LiteLLM 1.80 to 1.98 (targets.litellm.release "1.80-1.98"), LiteLLM Enterprise off' },
      {
        plan: edited((p) => void (p.targets = { litellm: { release: '1.110+' } })),
        release: '1.110+',
        text: 'Written for LiteLLM 1.110 and later (targets.litellm.release "1.110+"), LiteLLM Enterprise off',
      },
    ] as const;
    for (const { plan, release, text } of cases) {
      const h = header(plan);
      expect(h).toContain(text);
      // "errors no class covers (connection errors, <codes>, other codes) are retried litellm_params.num_retries times, the group's count"
      const listed = /errors no class covers \(connection errors, ([\d, ]+), other codes\)/.exec(h)![1]!.split(', ').map(Number);
      expect(listed).toEqual(release === '1.80-1.98' ? [500, 502, 503] : [502]);
      const cfg = config(plan);
      for (const group of Object.keys(plan.groups))
        for (const f of [...listed, 'connection'] as Failure[])
          expect(litellmRetries(cfg, group, f, release), `${release} ${group} ${f}`).toBe(plan.groups[group]!.retries.count);
      // The caveat about should_retry_this_error is printed exactly where the Router checks it first.
      expect(h.includes('checks should_retry_this_error before the retry policy')).toBe(release === '1.80-1.98');
    }
  });

  it('writes InternalServerErrorRetries only where the release reads it, and ServiceUnavailableErrorRetries only on 1.110+', () => {
    const old = config(edited(() => {}));
    const current = config(edited((p) => void (p.targets = { litellm: { release: '1.110+' } })));
    expect(Object.keys(old.router_settings.model_group_retry_policy.chat)).not.toContain('InternalServerErrorRetries');
    expect(current.router_settings.model_group_retry_policy.chat).toMatchObject({ InternalServerErrorRetries: 2, ServiceUnavailableErrorRetries: 2 });
    // No global retry_policy: model_group_retry_policy names every group, so a global one would be read by nothing.
    expect(old.router_settings.retry_policy).toBeUndefined();
  });
});

/**
 * should_cooldown_based_on_allowed_fails_policy (litellm/router_utils/cooldown_handlers.py
 * @1fa201c73311632f2204e3056a9b8702b07548fe): each failure reads the count,
 * cools the deployment down when count + 1 > allowed_fails, else writes count + 1
 * with ttl = cooldown_time. _is_cooldown_required returns False for any
 * exception whose text contains "APIConnectionError".
 */
function litellmCoolsDown(failureTimesMs: readonly number[], allowed: number, cooldownMs: number, connection = false): boolean {
  if (connection) return false;
  let count = 0;
  let expires = -Infinity;
  for (const t of failureTimesMs) {
    const current = t < expires ? count : 0;
    if (current + 1 > allowed) return true;
    count = current + 1;
    expires = t + cooldownMs;
  }
  return false;
}

describe('breaker: allowed_fails and cooldown_time (litellm/router_utils/cooldown_handlers.py)', () => {
  const breaker = (errorRateThreshold: number, minRequests: number, windowMs: number, cooldownMs: number): PlanBreaker => ({
    errorRateThreshold,
    minRequests,
    windowMs,
    cooldownMs,
    halfOpenProbes: 1,
  });

  it('counts failures over the cooldown window: the failure our breaker opens on cools LiteLLM down, the one before does not', () => {
    for (const b of [
      breaker(0.05, 20, 60_000, 30_000),
      breaker(0.5, 20, 60_000, 30_000),
      breaker(0.25, 40, 120_000, 60_000),
      breaker(0.1, 100, 60_000, 90_000),
    ]) {
      const allowed = allowedFails(b);
      // Failures spread evenly at the rate that opens our breaker at its minimum volume.
      const perWindow = b.errorRateThreshold * b.minRequests;
      const gap = b.windowMs / perWindow;
      const times = (n: number) => Array.from({ length: n }, (_, i) => i * gap);
      const inCooldown = Math.floor((b.errorRateThreshold * b.minRequests * b.cooldownMs) / b.windowMs + 1e-9);
      if (inCooldown >= 1) {
        expect(litellmCoolsDown(times(allowed + 1), allowed, b.cooldownMs), `${JSON.stringify(b)}`).toBe(true);
        expect(litellmCoolsDown(times(allowed), allowed, b.cooldownMs)).toBe(false);
      }
      // A failure more than cooldown_time after the last one starts a new count.
      expect(litellmCoolsDown([0, b.cooldownMs + 1], 1, b.cooldownMs)).toBe(false);
    }
  });

  it('a per-minute window (the old formula) would let a 90 s cooldown count three times too few failures', () => {
    const b = breaker(0.5, 20, 60_000, 90_000);
    expect(allowedFails(b)).toBe(15);
    const perMinute = Math.floor(b.errorRateThreshold * b.minRequests); // 10
    // 15 failures in 90 s is the rate our breaker tolerates; the per-minute value cools down at the 11th.
    const times = Array.from({ length: 15 }, (_, i) => i * 6_000);
    expect(litellmCoolsDown(times, perMinute, b.cooldownMs)).toBe(true);
    expect(litellmCoolsDown(times, allowedFails(b), b.cooldownMs)).toBe(false);
  });

  it('never cools down on connection errors, which the config header, a warning and the runbook say', () => {
    expect(litellmCoolsDown([0, 1, 2, 3, 4], 1, 30_000, true)).toBe(false);
    const plan = edited(() => {});
    const warning = litellmLimitations(plan).find((d) => d.code === 'litellm-no-cooldown-on-connection-error')!;
    expect(warning).toMatchObject({ severity: 'warning', path: 'groups.local.deployments' });
    expect(warning.message).toContain('local-llama');
    expect(emitLitellm(plan)[0]!.content).toContain('Connection errors never cool\n# a deployment down in LiteLLM');
  });

  it('leaves InternalServerErrorAllowedFails out: get_allowed_fails_from_policy has no branch for it (BerriAI/litellm#29283)', () => {
    const cfg = config(edited(() => {}));
    expect(Object.keys(cfg.router_settings.allowed_fails_policy).sort()).toEqual([
      'AuthenticationErrorAllowedFails',
      'RateLimitErrorAllowedFails',
      'TimeoutErrorAllowedFails',
    ]);
    // The 500s it would have counted fall back to allowed_fails, the same number.
    expect(cfg.router_settings.allowed_fails_policy.TimeoutErrorAllowedFails).toBe(cfg.router_settings.allowed_fails);
  });
});

describe('order and enable_pre_call_checks (litellm/router.py @f292d1ae7d83f2bc07c80c10d1a61bf63cb087bd, _pre_call_checks)', () => {
  // async_get_healthy_deployments calls _pre_call_checks only `if self.enable_pre_call_checks and messages is not None`,
  // and the order filter (_get_order_filtered_deployments) runs inside it (BerriAI/litellm#18444, fixed in the docs by #18888).
  it('turns pre-call checks on whenever a group is ordered, and only then (or for context-window fallbacks)', () => {
    const ordered = config(
      edited((p) => {
        p.modelGroups[2]!.contextWindowFallbacks = [];
        p.modelGroups[0]!.strategy = 'ordered';
        p.modelGroups[0]!.deployments = ['openai-gpt-4o', 'azure-gpt-4o'];
      }),
    );
    expect(ordered.router_settings.enable_pre_call_checks).toBe(true);
    expect(ordered.router_settings.context_window_fallbacks).toBeUndefined();
    const plain = config(edited((p) => void (p.modelGroups[2]!.contextWindowFallbacks = [])));
    expect(plain.router_settings.enable_pre_call_checks).toBeUndefined();
  });

  it('warns that an ordered group with Azure deployments sends `order` to Azure (BerriAI/litellm#18259)', () => {
    const plan = edited((p) => {
      p.modelGroups[0]!.strategy = 'ordered';
      p.modelGroups[0]!.deployments = ['openai-gpt-4o', 'azure-gpt-4o'];
    });
    const w = litellmLimitations(plan).find((d) => d.code === 'litellm-order-sent-to-azure')!;
    expect(w).toMatchObject({ severity: 'warning', path: 'groups.chat.strategy' });
  });
});

describe('secrets (litellm/secret_managers/main.py, hashicorp_secret_manager.py)', () => {
  // get_secret strips "os.environ/" and reads os.environ unless a secret manager client is set
  // (main.py @033d7ba414acf6fcdcd1245c6c96c63500429c65); HashicorpSecretManager.__init__ raises
  // unless premium_user, reads <mount>/data/<name> and returns data.data.key, and a failed read
  // returns None, after which get_secret falls back to os.getenv(name)
  // (hashicorp_secret_manager.py @00e06b862370b670316c20336cb2bf1534ea7685).
  it('without LiteLLM Enterprise, sets no key_management_system and names one environment variable per reference', () => {
    const cfg = config(edited(() => {}));
    expect(cfg.general_settings.key_management_system).toBeUndefined();
    expect(cfg.general_settings.key_management_settings).toBeUndefined();
    for (const e of cfg.model_list) expect(e.litellm_params.api_key ?? 'os.environ/NONE').toMatch(/^os\.environ\/[A-Z_][A-Z0-9_]*$/);
  });

  it('with it, only references of field "key" on one mount go to Vault; any other is an error, never a silent None', () => {
    const plan = edited((p) => {
      p.targets = { litellm: { enterprise: true } };
      p.providers[0]!.apiKey = 'vault:secret/openai#token';
    });
    const cfg = config(plan);
    expect(cfg.general_settings.key_management_system).toBe('hashicorp_vault');
    expect(cfg.general_settings.key_management_settings.hosted_keys).toEqual(['azure']);
    expect(
      litellmLimitations(plan)
        .filter((d) => d.severity === 'error')
        .map((d) => [d.code, d.path]),
    ).toEqual([['litellm-vault-unsupported', 'providers.openai.apiKey']]);
  });
});

describe('Azure model_info.base_model (litellm/router.py @f292d1ae7d83f2bc07c80c10d1a61bf63cb087bd, _pre_call_checks)', () => {
  // "For azure openai models, requires 'base_model' is set": the Router looks the model up by
  // model_info.base_model, else by litellm_params.model, which for Azure is the customer's deployment name.
  it('names the OpenAI model behind each Azure deployment, from baseModel or else the deployment model', () => {
    const plan = edited((p) => {
      p.deployments[1]!.model = 'prod-eastus-4o';
      p.deployments[1]!.baseModel = 'gpt-4o-2024-08-06';
    });
    const cfg = config(plan);
    const azure = cfg.model_list.find((e: Obj) => e.model_name === 'chat-azure');
    expect(azure.litellm_params.model).toBe('azure/prod-eastus-4o');
    expect(azure.model_info.base_model).toBe('azure/gpt-4o-2024-08-06');
    for (const e of cfg.model_list.filter((x: Obj) => !x.litellm_params.model.startsWith('azure/'))) expect(e.model_info.base_model).toBeUndefined();
    expect(config(edited(() => {})).model_list.find((e: Obj) => e.model_name === 'chat-azure').model_info.base_model).toBe('azure/gpt-4o');
  });
});

/**
 * Every key the LiteLLM config of the reference policy (with Enterprise on, so the
 * Enterprise-only keys appear) and of an ordered-group variant carries, with
 * the upstream file that reads it and what it does there. A key the emitter
 * starts writing fails the completeness check until it is added here.
 */
interface Setting {
  file: string;
  behaviour: string;
  /** `cfg`: the reference with Enterprise on; `ordered`: with an ordered group. */
  check: (cfg: Obj, ordered: Obj) => void;
}
const ROUTER = 'litellm/router.py @f292d1ae7d83f2bc07c80c10d1a61bf63cb087bd';
const PROXY = 'litellm/proxy/proxy_server.py @9344afb26bc94b9555d82a71a7bd6371c475c65b';
const entryOf = (cfg: Obj, id: string): Obj => cfg.model_list.find((e: Obj) => e.model_info.id === id);

const SETTINGS: Record<string, Setting> = {
  'router_settings.routing_strategy': {
    file: ROUTER,
    behaviour: 'Router.__init__ takes one routing_strategy for every model group (a Literal of six values); routing_strategy_init sets up its logger',
    check: (c) => expect(c.router_settings.routing_strategy).toBe('usage-based-routing-v2'),
  },
  'router_settings.num_retries': {
    file: ROUTER,
    behaviour: 'the request-level retry count, used when neither the deployment nor the retry policy gives one',
    check: (c) => expect(c.router_settings.num_retries).toBe(1),
  },
  'router_settings.timeout': {
    file: ROUTER,
    behaviour: 'Router.timeout (or litellm.request_timeout) is the default per-call timeout when a deployment has none',
    check: (c) => expect(c.router_settings.timeout).toBe(0.6),
  },
  'router_settings.model_group_retry_policy': {
    file: 'litellm/router_utils/get_retry_from_policy.py @51dc44e76e56cb3a98685d211924431d8280cf81',
    behaviour: "model_group_retry_policy[model_group] is read before retry_policy; its count replaces num_retries for the error's class",
    check: (c) => expect(c.router_settings.model_group_retry_policy['chat-mini'].RateLimitErrorRetries).toBe(2),
  },
  'router_settings.allowed_fails': {
    file: 'litellm/router_utils/cooldown_handlers.py @1fa201c73311632f2204e3056a9b8702b07548fe',
    behaviour: 'failures counted with ttl=cooldown_time; a deployment cools down when a failure finds more than allowed_fails',
    check: (c) => expect(c.router_settings.allowed_fails).toBe(1),
  },
  'router_settings.allowed_fails_policy': {
    file: 'litellm/router_utils/cooldown_handlers.py @1fa201c73311632f2204e3056a9b8702b07548fe',
    behaviour: 'set, it selects the allowed-fails path (should_cooldown_based_on_allowed_fails_policy) instead of the failure-rate one',
    check: (c) => expect(Object.keys(c.router_settings.allowed_fails_policy)).toHaveLength(3),
  },
  'router_settings.cooldown_time': {
    file: 'litellm/router_utils/cooldown_handlers.py @1fa201c73311632f2204e3056a9b8702b07548fe',
    behaviour: 'how long a cooled-down deployment is skipped, and how long a failure stays counted',
    check: (c) => expect(c.router_settings.cooldown_time).toBe(30),
  },
  'router_settings.fallbacks': {
    file: 'litellm/router_utils/fallback_event_handlers.py',
    behaviour: "a group's list is tried in order once its own retries are spent",
    check: (c) => expect(c.router_settings.fallbacks[0]).toEqual({ chat: ['chat-azure', 'chat-anthropic', 'chat-local'] }),
  },
  'router_settings.max_fallbacks': {
    file: 'litellm/router_utils/fallback_event_handlers.py',
    behaviour: "run_async_fallback stops at fallback_depth >= max_fallbacks: 1 tries the requested group's list and nothing nested",
    check: (c) => expect(c.router_settings.max_fallbacks).toBe(1),
  },
  'router_settings.context_window_fallbacks': {
    file: ROUTER,
    behaviour: 'should_retry_this_error raises a ContextWindowExceededError at once when these exist, and the fallback takes it',
    check: (c) => expect(c.router_settings.context_window_fallbacks).toEqual([{ 'chat-local': ['chat-mini'] }]),
  },
  'router_settings.enable_pre_call_checks': {
    file: ROUTER,
    behaviour: '_pre_call_checks runs only with it: the context-window filter and the order filter',
    check: (c) => expect(c.router_settings.enable_pre_call_checks).toBe(true),
  },
  'router_settings.redis_url': {
    file: ROUTER,
    behaviour: 'Router.__init__: `if redis_url is not None: cache_config["url"] = redis_url`, the cache that holds cooldowns and usage',
    check: (c) => expect(c.router_settings.redis_url).toBe('os.environ/SWITCHYARD_REDIS_URL'),
  },
  'litellm_params.model': {
    file: 'litellm/litellm_core_utils/get_llm_provider_logic.py',
    behaviour: 'the provider prefix (openai/, azure/, anthropic/, hosted_vllm/) picks the client',
    check: (c) => expect(entryOf(c, 'premium/vllm-ab-llama-70b').litellm_params.model).toBe('hosted_vllm/llama-3.1-70b-instruct'),
  },
  'litellm_params.api_base': {
    file: 'litellm/types/router.py',
    behaviour: 'GenericLiteLLMParams.api_base: where the call goes',
    check: (c) => expect(entryOf(c, 'chat-local/vllm-a-llama-8b').litellm_params.api_base).toBe('http://pool-a.gpu.internal:8000/v1'),
  },
  'litellm_params.api_version': {
    file: 'litellm/types/router.py',
    behaviour: 'GenericLiteLLMParams.api_version: the Azure API version',
    check: (c) => expect(entryOf(c, 'chat-azure/azure-eastus-gpt-4o').litellm_params.api_version).toBe('2024-10-21'),
  },
  'litellm_params.api_key': {
    file: 'litellm/secret_managers/main.py @033d7ba414acf6fcdcd1245c6c96c63500429c65',
    behaviour: 'get_secret strips "os.environ/" and reads the environment (or, with a key manager, the named secret)',
    // With Enterprise the Vault-held OpenAI key is a hosted key name; without it, VAULT_SECRET_SWITCHYARD_OPENAI_KEY.
    check: (c) => expect(entryOf(c, 'chat/openai-gpt-4o').litellm_params.api_key).toBe('os.environ/switchyard/openai'),
  },
  'litellm_params.rpm': {
    file: ROUTER,
    behaviour: 'usage-based-routing-v2 skips a deployment at its rpm; _pre_call_checks does for other strategies',
    check: (c) => expect(entryOf(c, 'chat/openai-gpt-4o').litellm_params.rpm).toBe(10_000),
  },
  'litellm_params.tpm': {
    file: 'litellm/router_strategy/lowest_tpm_rpm_v2.py',
    behaviour: 'usage-based-routing-v2 skips a deployment whose tpm this minute would be exceeded',
    check: (c) => expect(entryOf(c, 'chat/openai-gpt-4o').litellm_params.tpm).toBe(2_000_000),
  },
  'litellm_params.weight': {
    file: 'litellm/router_strategy/simple_shuffle.py',
    behaviour: 'simple-shuffle picks at random in proportion to weight',
    check: (c) => expect(entryOf(c, 'chat-azure/azure-eastus-gpt-4o').litellm_params.weight).toBe(3),
  },
  'litellm_params.order': {
    file: 'litellm/utils.py (_get_order_filtered_deployments)',
    behaviour: 'keeps only the lowest order among the healthy deployments of a group',
    // Without orders in the policy the call order is by id: azure-gpt-4o first.
    check: (_, o) => expect([entryOf(o, 'chat/azure-gpt-4o').litellm_params.order, entryOf(o, 'chat/openai-gpt-4o').litellm_params.order]).toEqual([1, 2]),
  },
  'litellm_params.timeout': {
    file: ROUTER,
    behaviour: "the deployment's own timeout, which wins over Router.timeout",
    check: (c) => expect(entryOf(c, 'chat-local/vllm-a-llama-8b').litellm_params.timeout).toBe(20),
  },
  'litellm_params.stream_timeout': {
    file: 'litellm/types/router.py',
    behaviour: 'GenericLiteLLMParams.stream_timeout: the timeout of a streaming call',
    check: (c) => expect(entryOf(c, 'chat/openai-gpt-4o').litellm_params.stream_timeout).toBe(0.4),
  },
  'litellm_params.num_retries': {
    file: ROUTER,
    behaviour: "async_function_with_retries takes the failing deployment's num_retries off the exception when no retry-policy class matches",
    check: (c) => expect(entryOf(c, 'chat-mini/openai-gpt-4o-mini').litellm_params.num_retries).toBe(2),
  },
  'litellm_params.input_cost_per_token': {
    file: 'litellm/types/router.py (CustomPricingLiteLLMParams)',
    behaviour: 'custom pricing LiteLLM spend tracking uses',
    check: (c) => expect(entryOf(c, 'chat/openai-gpt-4o').litellm_params.input_cost_per_token).toBe(2.5e-6),
  },
  'litellm_params.output_cost_per_token': {
    file: 'litellm/types/router.py (CustomPricingLiteLLMParams)',
    behaviour: 'custom pricing LiteLLM spend tracking uses',
    check: (c) => expect(entryOf(c, 'chat/openai-gpt-4o').litellm_params.output_cost_per_token).toBe(1e-5),
  },
  'model_info.id': {
    file: ROUTER,
    behaviour: "the key of a deployment's cooldown, usage and failure counters",
    check: (c) => expect(c.model_list[0].model_info.id).toBe('chat/openai-gpt-4o'),
  },
  'model_info.base_model': {
    file: ROUTER,
    behaviour: '_pre_call_checks and cost tracking look an Azure deployment up by base_model',
    check: (c) => expect(entryOf(c, 'chat-azure/azure-eastus-gpt-4o').model_info.base_model).toBe('azure/gpt-4o'),
  },
  'model_info.max_input_tokens': {
    file: ROUTER,
    behaviour: '_pre_call_checks drops a deployment whose max_input_tokens the prompt exceeds',
    check: (c) => expect(entryOf(c, 'chat-local/vllm-c-llama-8b').model_info.max_input_tokens).toBe(16_384),
  },
  'model_info.input_cost_per_token': {
    file: 'litellm/types/router.py (SPECIAL_MODEL_INFO_PARAMS)',
    behaviour: 'copied into model_info for /model/info',
    check: (c) => expect(entryOf(c, 'chat/openai-gpt-4o').model_info.input_cost_per_token).toBe(2.5e-6),
  },
  'model_info.output_cost_per_token': {
    file: 'litellm/types/router.py (SPECIAL_MODEL_INFO_PARAMS)',
    behaviour: 'copied into model_info for /model/info',
    check: (c) => expect(entryOf(c, 'chat/openai-gpt-4o').model_info.output_cost_per_token).toBe(1e-5),
  },
  'litellm_settings.callbacks': {
    file: 'litellm/integrations/prometheus.py',
    behaviour: 'PrometheusLogger registers its metrics only for premium_user (LiteLLM Enterprise)',
    check: (c) => expect(c.litellm_settings.callbacks).toEqual(['prometheus']),
  },
  'litellm_settings.request_timeout': {
    file: PROXY,
    behaviour: 'litellm.request_timeout: the ceiling of any call',
    check: (c) => expect(c.litellm_settings.request_timeout).toBe(60),
  },
  'litellm_settings.drop_params': {
    file: ROUTER,
    behaviour: 'with drop_params, _pre_call_checks keeps deployments that do not support a request parameter and LiteLLM drops it',
    check: (c) => expect(c.litellm_settings.drop_params).toBe(true),
  },
  'general_settings.master_key': {
    file: PROXY,
    behaviour: 'the proxy admin key, read through get_secret',
    check: (c) => expect(c.general_settings.master_key).toBe('os.environ/LITELLM_MASTER_KEY'),
  },
  'general_settings.database_url': {
    file: PROXY,
    behaviour: 'the Postgres of keys, teams and spend logs, read through get_secret',
    check: (c) => expect(c.general_settings.database_url).toBe('os.environ/DATABASE_URL'),
  },
  'general_settings.key_management_system': {
    file: PROXY,
    behaviour: 'initialize_secret_manager: hashicorp_vault starts HashicorpSecretManager (premium_user only)',
    check: (c) => expect(c.general_settings.key_management_system).toBe('hashicorp_vault'),
  },
  'general_settings.key_management_settings': {
    file: 'litellm/secret_managers/main.py @033d7ba414acf6fcdcd1245c6c96c63500429c65',
    behaviour: 'hosted_keys: only these names are read from the key manager, the rest from the environment',
    check: (c) => expect(c.general_settings.key_management_settings.hosted_keys).toEqual(['switchyard/openai']),
  },
};

/** Every key path of a config, as SETTINGS names them. */
function keyPaths(cfg: Obj): Set<string> {
  const out = new Set<string>();
  for (const section of ['router_settings', 'litellm_settings', 'general_settings'])
    for (const k of Object.keys(cfg[section] ?? {})) out.add(`${section}.${k}`);
  for (const e of cfg.model_list) {
    for (const k of Object.keys(e.litellm_params)) out.add(`litellm_params.${k}`);
    for (const k of Object.keys(e.model_info)) out.add(`model_info.${k}`);
  }
  return out;
}

describe('every emitted setting names the upstream file that reads it and what it does there', async () => {
  const policy = await referencePolicy();
  const enterprise = compilePolicy({ ...policy, targets: { litellm: { ...policy.targets.litellm, enterprise: true } } }).plan!;
  const cfg = config(enterprise);
  const ordered = config(
    edited((p) => {
      p.modelGroups[0]!.strategy = 'ordered';
      p.modelGroups[0]!.deployments = ['openai-gpt-4o', 'azure-gpt-4o'];
    }),
  );

  it('lists every key the emitter writes', () => {
    const emitted = new Set([...keyPaths(cfg), ...keyPaths(ordered), ...keyPaths(config(compilePolicy(policy).plan!))]);
    expect([...emitted].filter((k) => !(k in SETTINGS)).sort()).toEqual([]);
  });

  it.each(Object.entries(SETTINGS))('%s', (_, s) => {
    expect(s.file).toMatch(/^litellm\//);
    expect(s.behaviour.length).toBeGreaterThan(20);
    s.check(cfg, ordered);
  });
});
