/**
 * The proxy-wide sections -> what a policy says per group or once:
 * `router_settings` (and the same keys LiteLLM also reads from
 * `litellm_settings`: num_retries, fallbacks, context_window_fallbacks),
 * `general_settings`. The inverse of src/targets/litellm/router.ts: the
 * routing strategy, retry count and classes, timeout and breaker of the
 * primary groups, fallbacks per group, the Redis URL.
 *
 * Keys read by LiteLLM's Router (`Router.__init__`, litellm/router.py) and
 * proxy (`ConfigGeneralSettings`, litellm/proxy/_types.py); the rest are
 * kept as comments (unsupported.ts).
 */
import type { Path } from '../diagnostics/path.ts';
import type { Strategy } from '../model/closed-sets.ts';
import type { CircuitBreakerInput } from '../model/circuit-breaker.ts';
import { DEFAULT_LITELLM_RELEASE, type LitellmRelease } from '../model/closed-sets.ts';
import { LITELLM_RELEASE_BEHAVIOUR, type LitellmReleaseBehaviour } from '../targets/litellm/releases.ts';
import { policyClasses, RETRY_CLASSES, retriedClasses, unclassedServerErrors } from '../targets/litellm/router.ts';
import type { PolicyDraft } from './draft.ts';
import { type Input, isObj, type Obj } from './input.ts';
import { asNumber, msToDuration, secondsToMs } from './numbers.ts';
import { isEnvironRef, type SecretImporter } from './secrets.ts';
import { keepUnsupported, looksSecret } from './unsupported.ts';

/** LiteLLM routing_strategy -> ours; the inverse of LITELLM_STRATEGY. */
const STRATEGY_OF: Readonly<Record<string, Strategy>> = {
  'simple-shuffle': 'weighted',
  'usage-based-routing-v2': 'usage_based',
  'usage-based-routing': 'usage_based',
  'latency-based-routing': 'latency_based',
  'cost-based-routing': 'cost_based',
};
/** LiteLLM's Router default (`routing_strategy` in Router.__init__). */
const LITELLM_DEFAULT_STRATEGY = 'simple-shuffle';
const DEFAULT_RETRY_ON = [429, 500, 502, 503, 504];
/** The policy breaker's defaults (src/model/circuit-breaker.ts). */
const DEFAULT_COOLDOWN_MS = 30_000;
const DEFAULT_WINDOW_MS = 60_000;

export interface Fallbacks {
  /** Group -> fallback groups, in declared order, with the input path of the list. */
  lists: Map<string, { to: string[]; path: Path }>;
}

export interface RouterGlobals {
  /** The LiteLLM strategy as written (or LiteLLM's default) and its path. */
  litellmStrategy: string;
  strategy: Strategy;
  strategyAt?: Path;
  numRetries?: number;
  numRetriesAt?: Path;
  timeoutMs?: number;
  timeoutAt?: Path;
  /** litellm_settings.request_timeout: LiteLLM's ceiling on every call. */
  requestTimeoutMs?: number;
  retryOn?: number[];
  /** model_group_retry_policy: a group's own retry count and retried codes. */
  groupRetries: Map<string, { count?: number; retryOn?: number[]; path: Path }>;
  /** The LiteLLM release range the retry keys say the config was written for. */
  release: LitellmRelease;
  /** The config uses what only LiteLLM Enterprise runs (the Prometheus callback, the Vault key manager). */
  enterprise?: { path: Path; why: string };
  fallbacks: Fallbacks;
  contextWindowFallbacks: Fallbacks;
}

const ROUTER_KEYS = new Set([
  'routing_strategy',
  'num_retries',
  'timeout',
  'retry_policy',
  'model_group_retry_policy',
  'allowed_fails',
  'cooldown_time',
  'allowed_fails_policy',
  'fallbacks',
  'context_window_fallbacks',
  'max_fallbacks',
  'enable_pre_call_checks',
  'redis_url',
  'redis_host',
  'redis_port',
  'redis_password',
]);
const LITELLM_SETTINGS_KEYS = new Set(['request_timeout', 'drop_params', 'num_retries', 'fallbacks', 'context_window_fallbacks', 'callbacks']);
const GENERAL_KEYS = new Set(['master_key', 'database_url', 'key_management_system', 'key_management_settings']);
const TOP_KEYS = new Set(['model_list', 'router_settings', 'litellm_settings', 'general_settings']);

/** Environment variables the generated LiteLLM config always names (src/targets/litellm.ts). */
const GENERATED_ENV: Readonly<Record<string, string>> = { master_key: 'LITELLM_MASTER_KEY', database_url: 'DATABASE_URL' };

const section = (input: Input, key: string): Obj => {
  const v = input.get([key]);
  if (v !== undefined && v !== null && !isObj(v)) input.report('error', 'import-invalid', [key], `${key} must be a mapping`);
  return isObj(v) ? v : {};
};

export function readRouterSettings(input: Input, draft: PolicyDraft, secrets: SecretImporter): RouterGlobals {
  if (!isObj(input.value)) {
    input.report('error', 'import-invalid', [], 'a LiteLLM config is a mapping with a model_list');
    return {
      litellmStrategy: LITELLM_DEFAULT_STRATEGY,
      strategy: 'weighted',
      groupRetries: new Map(),
      release: DEFAULT_LITELLM_RELEASE,
      fallbacks: { lists: new Map() },
      contextWindowFallbacks: { lists: new Map() },
    };
  }
  for (const k of Object.keys(input.value)) if (!TOP_KEYS.has(k)) keepUnsupported(input, draft, 'index.ts', [k], 'not part of a routing policy');
  const router = section(input, 'router_settings');
  const settings = section(input, 'litellm_settings');
  const general = section(input, 'general_settings');
  for (const k of Object.keys(router))
    if (!ROUTER_KEYS.has(k)) keepUnsupported(input, draft, 'routing.ts', ['router_settings', k], 'a LiteLLM router setting with no policy equivalent');
  for (const k of Object.keys(settings))
    if (!LITELLM_SETTINGS_KEYS.has(k)) keepUnsupported(input, draft, 'index.ts', ['litellm_settings', k], 'a LiteLLM module setting with no policy equivalent');
  for (const k of Object.keys(general))
    if (!GENERAL_KEYS.has(k))
      keepUnsupported(input, draft, 'index.ts', ['general_settings', k], "proxy administration (keys, teams, routes, alerting) stays LiteLLM's");

  /** A key LiteLLM reads from either section: one place, or an ambiguity. */
  const either = (key: string): { value: unknown; path: Path } | undefined => {
    const inRouter = router[key] !== undefined;
    const inSettings = settings[key] !== undefined;
    if (inRouter && inSettings) {
      input.report(
        'error',
        'import-ambiguous',
        ['litellm_settings', key],
        `${key} is set both here and in router_settings (${input.where(['router_settings', key])}); keep one`,
      );
      return undefined;
    }
    if (inRouter) return { value: router[key], path: ['router_settings', key] };
    if (inSettings) return { value: settings[key], path: ['litellm_settings', key] };
    return undefined;
  };

  const rawStrategy = router.routing_strategy;
  let litellmStrategy = LITELLM_DEFAULT_STRATEGY;
  let strategy: Strategy = 'weighted';
  if (rawStrategy !== undefined) {
    const s = typeof rawStrategy === 'string' ? STRATEGY_OF[rawStrategy] : undefined;
    if (s === undefined) {
      if (rawStrategy === 'least-busy') {
        input.report(
          'warning',
          'import-unsupported',
          ['router_settings', 'routing_strategy'],
          'least-busy routing has no Switchyard strategy; the groups route usage-based instead',
        );
        litellmStrategy = 'usage-based-routing-v2';
        strategy = 'usage_based';
      } else input.report('error', 'import-invalid', ['router_settings', 'routing_strategy'], `unknown routing_strategy ${JSON.stringify(rawStrategy)}`);
    } else {
      litellmStrategy = rawStrategy as string;
      strategy = s;
      if (rawStrategy === 'usage-based-routing')
        input.report(
          'info',
          'import-upgraded',
          ['router_settings', 'routing_strategy'],
          'usage-based-routing is compiled to its successor usage-based-routing-v2',
        );
    }
  }
  const out: RouterGlobals = {
    litellmStrategy,
    strategy,
    ...(rawStrategy !== undefined ? { strategyAt: ['router_settings', 'routing_strategy'] as Path } : {}),
    groupRetries: new Map(),
    release: releaseOf(router),
    fallbacks: readFallbacks(input, either('fallbacks')),
    contextWindowFallbacks: readFallbacks(input, either('context_window_fallbacks')),
  };

  const retries = either('num_retries');
  if (retries !== undefined) {
    const n = retries.value;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 10) {
      out.numRetries = n;
      out.numRetriesAt = retries.path;
    } else input.report('error', 'import-invalid', retries.path, 'num_retries must be a whole number from 0 to 10');
  }
  const seconds = (obj: Obj, path: Path): number | undefined => {
    const v = obj[path[path.length - 1] as string];
    if (v === undefined) return undefined;
    const s = asNumber(v);
    const ms = s === undefined ? undefined : secondsToMs(s);
    if (ms === undefined) input.report('error', 'import-invalid', path, 'must be a positive number of seconds (whole milliseconds)');
    return ms;
  };
  const timeout = seconds(router, ['router_settings', 'timeout']);
  if (timeout !== undefined) {
    out.timeoutMs = timeout;
    out.timeoutAt = ['router_settings', 'timeout'];
  }
  const requestTimeout = seconds(settings, ['litellm_settings', 'request_timeout']);
  if (requestTimeout !== undefined) out.requestTimeoutMs = requestTimeout;

  readRetryPolicy(input, router, out);
  readBreaker(input, draft, router);
  readRouterState(input, draft, router, secrets);
  readGeneral(input, draft, general, secrets);

  if (settings.drop_params !== undefined && settings.drop_params !== true)
    input.report(
      'info',
      'import-changed',
      ['litellm_settings', 'drop_params'],
      'the generated LiteLLM config sets drop_params: true (unsupported OpenAI parameters are dropped, not rejected)',
    );
  const callbacks = settings.callbacks;
  if (callbacks !== undefined && !(Array.isArray(callbacks) && callbacks.every((c) => c === 'prometheus')))
    keepUnsupported(input, draft, 'index.ts', ['litellm_settings', 'callbacks'], 'LiteLLM logging callbacks other than prometheus');
  // Only LiteLLM Enterprise runs these, and the generated config writes them only for Enterprise.
  if (Array.isArray(callbacks) && callbacks.includes('prometheus'))
    out.enterprise = { path: ['litellm_settings', 'callbacks'], why: 'the Prometheus callback registers its metrics only on LiteLLM Enterprise' };
  if (general.key_management_system === 'hashicorp_vault')
    out.enterprise = { path: ['general_settings', 'key_management_system'], why: "LiteLLM's HashiCorp Vault manager is an Enterprise feature" };
  const max = router.max_fallbacks;
  if ((out.fallbacks.lists.size > 0 || max !== undefined) && max !== 1)
    input.report(
      'info',
      'import-changed',
      max === undefined ? ['router_settings'] : ['router_settings', 'max_fallbacks'],
      `a Switchyard fallback list is the whole chain for its group: the generated config sets max_fallbacks: 1, so the fallback groups' own lists are not followed${max === undefined ? '' : ` (the config says ${JSON.stringify(max)})`}`,
    );
  return out;
}

function readFallbacks(input: Input, found: { value: unknown; path: Path } | undefined): Fallbacks {
  const lists = new Map<string, { to: string[]; path: Path }>();
  if (found === undefined) return { lists };
  const { value, path } = found;
  if (!Array.isArray(value)) {
    input.report('error', 'import-invalid', path, 'must be a list of {group: [fallback groups]} mappings');
    return { lists };
  }
  value.forEach((m, i) => {
    if (!isObj(m)) {
      input.report('error', 'import-invalid', [...path, i], 'must be a {group: [fallback groups]} mapping');
      return;
    }
    for (const [from, to] of Object.entries(m)) {
      const at: Path = [...path, i, from];
      if (!Array.isArray(to) || !to.every((t) => typeof t === 'string')) {
        input.report('error', 'import-invalid', at, 'must be a list of model group names');
        continue;
      }
      const seen = lists.get(from);
      if (seen) {
        input.report(
          'error',
          'import-ambiguous',
          at,
          `model group ${JSON.stringify(from)} already has a fallback list at ${input.where(seen.path)}; merge the two`,
        );
        continue;
      }
      lists.set(from, { to: to as string[], path: at });
    }
  });
  return { lists };
}

/**
 * The retryOn that retries exactly these classes on `release`: the default's
 * when it does, else the classes' codes and the server errors no class of
 * the release covers, which LiteLLM retries whatever the policy says
 * (unclassedServerErrors, src/targets/litellm/router.ts).
 */
function retryOnOf(retried: ReadonlySet<string>, release: LitellmReleaseBehaviour): number[] | undefined {
  const classCodes = RETRY_CLASSES.filter((x) => retried.has(x.key)).flatMap((x) => x.codes);
  const codes = [...new Set([...classCodes, ...unclassedServerErrors(release)])].sort((a, b) => a - b);
  const same = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x));
  return same(retriedClasses(DEFAULT_RETRY_ON, release), retriedClasses(codes, release)) ? undefined : codes;
}

/**
 * The release range a config was written for, from the retry keys it uses:
 * only 1.110 and later read InternalServerErrorRetries and
 * ServiceUnavailableErrorRetries (src/targets/litellm/releases.ts).
 */
function releaseOf(router: Obj): LitellmRelease {
  const policies = [router.retry_policy, ...(isObj(router.model_group_retry_policy) ? Object.values(router.model_group_retry_policy) : [])];
  const newer = policies.some((p) => isObj(p) && (p.InternalServerErrorRetries !== undefined || p.ServiceUnavailableErrorRetries !== undefined));
  return newer ? '1.110+' : DEFAULT_LITELLM_RELEASE;
}

/**
 * One retry policy (LiteLLM retries by error class): the classes retried
 * (count > 0) give retryOn, their count the retry count.
 */
function readPolicy(input: Input, policy: unknown, at: Path, release: LitellmReleaseBehaviour): { retryOn?: number[]; count?: number } | undefined {
  if (!isObj(policy)) {
    input.report('error', 'import-invalid', at, 'a retry policy must be a mapping of error class to retry count');
    return undefined;
  }
  const known = new Set<string>(policyClasses(release).map((c) => c.key));
  const retried = new Set<string>();
  const counts = new Set<number>();
  for (const [k, v] of Object.entries(policy)) {
    if (!known.has(k)) {
      input.report('warning', 'import-unsupported', [...at, k], `${k} is not an error class the LiteLLM release range ${release.id} reads; it is not imported`);
      continue;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 10) {
      input.report('error', 'import-invalid', [...at, k], 'a retry count must be a whole number from 0 to 10');
      continue;
    }
    if (v > 0) {
      retried.add(k);
      counts.add(v);
    }
  }
  if (retried.size === 0) return { count: 0 };
  if (counts.size > 1)
    input.report(
      'warning',
      'import-changed',
      at,
      `Switchyard retries every retried class the same number of times; the counts (${[...counts].join(', ')}) become ${Math.max(...counts)}`,
    );
  if (!retried.has('TimeoutErrorRetries'))
    input.report(
      'warning',
      'import-changed',
      [...at, 'TimeoutErrorRetries'],
      'Switchyard always retries timeouts; the generated retry policy retries TimeoutError too',
    );
  if (retried.has('BadRequestErrorRetries') !== retried.has('ContentPolicyViolationErrorRetries'))
    input.report(
      'warning',
      'import-changed',
      at,
      'a content-policy refusal arrives as a 400: Switchyard retries BadRequestError and ContentPolicyViolationError together, or neither',
    );
  const retryOn = retryOnOf(retried, release);
  return { count: Math.max(...counts), ...(retryOn ? { retryOn } : {}) };
}

/** retry_policy (the proxy's) and model_group_retry_policy (per group, which LiteLLM reads first). */
function readRetryPolicy(input: Input, router: Obj, out: RouterGlobals): void {
  const release = LITELLM_RELEASE_BEHAVIOUR[out.release];
  if (router.retry_policy !== undefined) {
    const p = readPolicy(input, router.retry_policy, ['router_settings', 'retry_policy'], release);
    if (p?.retryOn) out.retryOn = p.retryOn;
    if (p?.count !== undefined && p.count !== 0 && out.numRetries !== undefined && p.count !== out.numRetries)
      input.report(
        'warning',
        'import-changed',
        ['router_settings', 'retry_policy'],
        `the retry policy's count ${p.count} becomes num_retries (${out.numRetries})`,
      );
  }
  const perGroup = router.model_group_retry_policy;
  if (perGroup === undefined) return;
  if (!isObj(perGroup)) {
    input.report(
      'error',
      'import-invalid',
      ['router_settings', 'model_group_retry_policy'],
      'model_group_retry_policy must map model groups to retry policies',
    );
    return;
  }
  for (const [group, policy] of Object.entries(perGroup)) {
    const path: Path = ['router_settings', 'model_group_retry_policy', group];
    const p = readPolicy(input, policy, path, release);
    if (p) out.groupRetries.set(group, { ...p, path });
  }
}

/**
 * allowed_fails and cooldown_time -> the policy's breaker, by inverting
 * allowedFails() of src/targets/litellm/router.ts. LiteLLM counts failures
 * that come less than cooldown_time apart, so the breaker's window is the
 * cooldown; with `max(20, A)` minimum requests, a threshold of
 * A / minRequests trips on the (A+1)-th failure in that window, as LiteLLM
 * does. allowed_fails 1 needs nothing but the cooldown: the default breaker
 * (5% of 20 over 60 s) gives 1 for any cooldown up to two minutes.
 */
function readBreaker(input: Input, draft: PolicyDraft, router: Obj): void {
  const b: CircuitBreakerInput = {};
  const at: Path = ['router_settings'];
  const c = router.cooldown_time;
  let cooldownMs = DEFAULT_COOLDOWN_MS;
  if (c !== undefined) {
    const s = asNumber(c);
    const ms = s === undefined ? undefined : secondsToMs(s);
    if (ms === undefined) input.report('error', 'import-invalid', [...at, 'cooldown_time'], 'cooldown_time must be a positive number of seconds');
    else {
      b.cooldown = msToDuration(ms);
      cooldownMs = ms;
    }
  }
  const a = router.allowed_fails;
  if (a !== undefined) {
    if (typeof a === 'number' && Number.isInteger(a) && a >= 1) {
      if (a !== 1 || cooldownMs > 2 * DEFAULT_WINDOW_MS) {
        const minRequests = Math.max(20, a);
        b.errorRateThreshold = a / minRequests;
        if (minRequests !== 20) b.minRequests = minRequests;
        b.window = msToDuration(cooldownMs);
        draft.comment(
          ['circuitBreaker', 'errorRateThreshold'],
          `from allowed_fails: ${a} (${input.where([...at, 'allowed_fails'])}): more than ${a} failures of ${minRequests} requests within cooldown_time open the breaker`,
        );
      }
    } else if (a === 0)
      input.report(
        'warning',
        'import-changed',
        [...at, 'allowed_fails'],
        'allowed_fails: 0 cools a deployment down on any failure; Switchyard allows at least 1',
      );
    else input.report('error', 'import-invalid', [...at, 'allowed_fails'], 'allowed_fails must be a whole number');
  }
  const policy = router.allowed_fails_policy;
  if (isObj(policy) && typeof a === 'number')
    for (const [k, v] of Object.entries(policy))
      if (v !== a)
        input.report(
          'warning',
          'import-changed',
          ['router_settings', 'allowed_fails_policy', k],
          `Switchyard has one breaker threshold; ${k} becomes allowed_fails (${a})`,
        );
  if (a === undefined && c === undefined)
    draft.comment(
      ['circuitBreaker'],
      "defaulted: the config sets neither allowed_fails nor cooldown_time, so Switchyard's default breaker applies (allowed_fails 1, cooldown 30s)",
    );
  if (Object.keys(b).length > 0 || (a === undefined && c === undefined)) draft.policy.circuitBreaker = b;
}

function readRouterState(input: Input, draft: PolicyDraft, router: Obj, secrets: SecretImporter): void {
  if (router.redis_url !== undefined) {
    const ref = secrets.reference(router.redis_url, ['router_settings', 'redis_url'], 'SWITCHYARD_REDIS_URL');
    if (ref) {
      draft.policy.routerState = { kind: 'redis', url: ref.ref };
      if (ref.note) draft.comment(['routerState', 'url'], ref.note);
    }
    for (const k of ['redis_host', 'redis_port', 'redis_password'])
      if (router[k] !== undefined)
        input.report('warning', 'import-ambiguous', ['router_settings', k], `${k} is ignored: redis_url is set too, and the policy takes the URL`);
    return;
  }
  if (router.redis_host === undefined) return;
  const name = secrets.fresh('SWITCHYARD_REDIS_URL');
  const part = (k: string) => {
    const v = router[k];
    if (v === undefined) return '';
    if (isEnvironRef(v)) return `$${v.slice('os.environ/'.length)}`;
    if (looksSecret(k, v)) {
      input.report(
        'warning',
        'import-literal-secret',
        ['router_settings', k],
        `a literal secret: it goes into ${name}, which you export; the value is written nowhere`,
      );
      return '<password>';
    }
    return String(v).replace(/[^A-Za-z0-9._:-]/g, '');
  };
  const host = part('redis_host');
  const port = part('redis_port') || '6379';
  const password = part('redis_password');
  const url = `redis://${password ? `:${password}@` : ''}${host}:${port}`;
  input.report(
    'warning',
    'import-redis-url',
    ['router_settings', 'redis_host'],
    `redis_host, redis_port and redis_password become one secret reference, env:${name}`,
    `export ${name}=${url} where Switchyard and LiteLLM run`,
  );
  draft.policy.routerState = { kind: 'redis', url: `env:${name}` };
  draft.comment(
    ['routerState', 'url'],
    `from redis_host/redis_port/redis_password at ${input.where(['router_settings', 'redis_host'])}: export ${name}=${url}`,
  );
}

function readGeneral(input: Input, draft: PolicyDraft, general: Obj, secrets: SecretImporter): void {
  for (const key of ['master_key', 'database_url']) {
    const v = general[key];
    if (v === undefined) continue;
    const env = GENERATED_ENV[key]!;
    const at: Path = ['general_settings', key];
    if (isEnvironRef(v)) {
      const name = v.slice('os.environ/'.length);
      if (name !== env)
        input.report(
          'info',
          'import-changed',
          at,
          `the generated LiteLLM config reads ${key} from ${env}, not ${name}`,
          `export ${env}="$${name}" where LiteLLM runs`,
        );
    } else {
      input.report(
        'warning',
        'import-literal-secret',
        at,
        `a literal secret: the generated LiteLLM config reads ${key} from ${env}, and the value is written nowhere`,
        `export ${env} with this value where LiteLLM runs`,
      );
      draft.fileNote('index.ts', `${input.where(at)}: general_settings.${key} was a literal secret; the generated LiteLLM config reads it from ${env}`);
    }
  }
  const kms = general.key_management_system;
  if (kms !== undefined && kms !== 'hashicorp_vault')
    keepUnsupported(
      input,
      draft,
      'index.ts',
      ['general_settings', 'key_management_system'],
      'Switchyard references Vault (vault:) or the environment (env:) only',
    );
  const settings = general.key_management_settings;
  if (isObj(settings))
    for (const k of Object.keys(settings))
      if (k !== 'hosted_keys' && k !== 'access_mode')
        keepUnsupported(input, draft, 'index.ts', ['general_settings', 'key_management_settings', k], "a setting of LiteLLM's key manager");
  void secrets;
}
