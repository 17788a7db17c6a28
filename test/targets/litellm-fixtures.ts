/**
 * LiteLLM's documented config keys (read from BerriAI/litellm; see
 * /work/shared/fixtures/README.md and litellm/SOURCES.md) and a walker that
 * checks every key of an emitted config against them, so a key added to the
 * emitter later is checked without touching the tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../../src/targets/litellm/yaml.ts';
import { SHARED_FIXTURES } from '../fixtures/shared.ts';

export const FIXTURES = process.env.SWITCHYARD_LITELLM_FIXTURES ?? join(SHARED_FIXTURES, 'litellm');
export const haveFixtures = existsSync(join(FIXTURES, 'router_settings_keys.json'));

const read = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const list = (name: string, member?: string): Set<string> => {
  const v = read(name) as string[] | Record<string, string[]>;
  return new Set(Array.isArray(v) ? v : v[member!]!);
};

export interface LitellmKeys {
  top: Set<string>;
  modelEntry: Set<string>;
  litellmParams: Set<string>;
  modelInfo: Set<string>;
  routerSettings: Set<string>;
  routingStrategies: Set<string>;
  retryPolicy: Set<string>;
  allowedFailsPolicy: Set<string>;
  generalSettings: Set<string>;
  litellmSettings: Set<string>;
  keyManagementSettings: Set<string>;
}

export function litellmKeys(): LitellmKeys {
  const router = list('router_settings_keys.json');
  // In the proxy config model_list is a section of its own, not a router setting.
  router.delete('model_list');
  const litellmSettings = list('litellm_settings_keys.json', 'union');
  // Open-ended section (any litellm module attribute); drop_params is documented by LiteLLM (fixtures README).
  litellmSettings.add('drop_params');
  return {
    top: new Set(['model_list', 'router_settings', 'litellm_settings', 'general_settings']),
    modelEntry: new Set(['model_name', 'litellm_params', 'model_info']),
    litellmParams: list('litellm_params_keys.json'),
    modelInfo: list('model_info_keys.json', 'union'),
    routerSettings: router,
    routingStrategies: list('routing_strategies.json'),
    retryPolicy: list('retry_policy_keys.json'),
    allowedFailsPolicy: list('allowed_fails_policy_keys.json'),
    generalSettings: list('general_settings_keys.json', 'union'),
    litellmSettings,
    // KeyManagementSettings in litellm/proxy/_types.py (not in the fixtures): hosted_keys, access_mode, ...
    keyManagementSettings: new Set(['hosted_keys', 'store_virtual_keys', 'prefix_for_stored_virtual_keys', 'access_mode', 'primary_secret_name']),
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every key of `config` that LiteLLM does not document, as `path: key` strings (empty when all are known). */
export function unknownKeys(config: unknown, k: LitellmKeys): string[] {
  const bad: string[] = [];
  const keys = (v: unknown, allowed: Set<string>, at: string): Obj => {
    if (!isObj(v)) {
      bad.push(`${at}: not a mapping`);
      return {};
    }
    for (const key of Object.keys(v)) if (!allowed.has(key)) bad.push(`${at}: ${key}`);
    return v;
  };
  const groupMaps = (v: unknown, at: string) => {
    if (!Array.isArray(v)) {
      bad.push(`${at}: not a list`);
      return;
    }
    v.forEach((m, i) => {
      if (!isObj(m) || Object.keys(m).length !== 1 || !Array.isArray(Object.values(m)[0])) bad.push(`${at}[${i}]: not a {group: [groups]} map`);
    });
  };
  const top = keys(config, k.top, '$');
  (Array.isArray(top.model_list) ? top.model_list : []).forEach((e, i) => {
    const entry = keys(e, k.modelEntry, `model_list[${i}]`);
    keys(entry.litellm_params, k.litellmParams, `model_list[${i}].litellm_params`);
    keys(entry.model_info, k.modelInfo, `model_list[${i}].model_info`);
  });
  const router = keys(top.router_settings, k.routerSettings, 'router_settings');
  if (!k.routingStrategies.has(String(router.routing_strategy))) bad.push(`router_settings.routing_strategy: ${String(router.routing_strategy)}`);
  if (router.retry_policy !== undefined) keys(router.retry_policy, k.retryPolicy, 'router_settings.retry_policy');
  // Dict[str, RetryPolicy] (Router.__init__): one RetryPolicy per model group.
  if (router.model_group_retry_policy !== undefined)
    for (const [group, policy] of Object.entries(
      keys(router.model_group_retry_policy, new Set(Object.keys(router.model_group_retry_policy as Obj)), 'router_settings.model_group_retry_policy'),
    ))
      keys(policy, k.retryPolicy, `router_settings.model_group_retry_policy.${group}`);
  if (router.allowed_fails_policy !== undefined) keys(router.allowed_fails_policy, k.allowedFailsPolicy, 'router_settings.allowed_fails_policy');
  for (const f of ['fallbacks', 'context_window_fallbacks'] as const) if (router[f] !== undefined) groupMaps(router[f], `router_settings.${f}`);
  keys(top.litellm_settings, k.litellmSettings, 'litellm_settings');
  const general = keys(top.general_settings, k.generalSettings, 'general_settings');
  if (general.key_management_settings !== undefined) keys(general.key_management_settings, k.keyManagementSettings, 'general_settings.key_management_settings');
  return bad;
}

/** The config as yaml.parse reads it back: Decimal -> number. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Decimal ? Number(v.text) : v)));
}

/** Values that must be secret references, wherever they are in the config. */
const SECRET_KEYS = new Set(['api_key', 'master_key', 'database_url', 'redis_url', 'redis_password']);

/** `[path, value]` of every SECRET_KEYS member, at any depth. */
export function secretValues(value: unknown, at = '$'): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => secretValues(v, `${at}[${i}]`));
  if (!isObj(value)) return [];
  return Object.entries(value).flatMap(([key, v]) => [
    ...(SECRET_KEYS.has(key) ? [[`${at}.${key}`, v] as [string, unknown]] : []),
    ...secretValues(v, `${at}.${key}`),
  ]);
}
