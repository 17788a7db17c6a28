/**
 * Does the imported policy compile back to the config it came from? The
 * plan's LiteLLM config (the emitter's own output, src/targets/litellm.ts)
 * is compared with the input on every setting the importer reads; each
 * difference is a warning at the input's line, so a user sees what the
 * first `switchyard compile` will change before reviewing it.
 */
import type { Path } from '../diagnostics/path.ts';
import type { CompiledPlan } from '../plan/types.ts';
import { buildLitellmConfig } from '../targets/litellm.ts';
import { Decimal } from '../targets/litellm/yaml.ts';
import { type Input, isObj, type Obj } from './input.ts';
import type { GroupEntry } from './model-list.ts';
import { asNumber } from './numbers.ts';

const plain = (v: unknown): unknown => (v instanceof Decimal ? Number(v.text) : v);
const same = (a: unknown, b: unknown): boolean => {
  const na = asNumber(plain(a));
  const nb = asNumber(plain(b));
  return na !== undefined && nb !== undefined ? na === nb : a === b;
};
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(plain(v)));

const ROUTER = ['routing_strategy', 'num_retries', 'timeout', 'allowed_fails', 'cooldown_time'] as const;
const PARAMS = ['timeout', 'stream_timeout', 'rpm', 'tpm', 'weight', 'num_retries'] as const;

export function compareWithInput(input: Input, plan: CompiledPlan, groups: ReadonlyMap<string, readonly GroupEntry[]>): void {
  const out = buildLitellmConfig(plan).config as Obj;
  const drift = (path: Path, was: unknown, now: unknown) =>
    input.report('warning', 'import-drift', path, `the imported policy compiles to ${show(now)} here (the config says ${show(was)})`);

  const router = input.get(['router_settings']);
  const emitted = out.router_settings as Obj;
  if (isObj(router))
    for (const k of ROUTER) {
      if (router[k] === undefined) continue;
      const was = k === 'routing_strategy' && router[k] === 'usage-based-routing' ? 'usage-based-routing-v2' : router[k];
      if (!same(was, emitted[k])) drift(['router_settings', k], router[k], emitted[k]);
    }

  const entries = out.model_list as Obj[];
  for (const [name, list] of groups)
    for (const e of list) {
      const target = entries.find((x) => x.model_name === name && (x.model_info as Obj).id === `${name}/${e.deployment}`);
      const params = input.get([...e.path, 'litellm_params']);
      if (!target || !isObj(params)) continue;
      const now = target.litellm_params as Obj;
      for (const k of PARAMS) if (params[k] !== undefined && !same(params[k], now[k])) drift([...e.path, 'litellm_params', k], params[k], now[k]);
      // `order` is a rank: only the sequence must survive.
      if (params.order !== undefined && now.order === undefined) drift([...e.path, 'litellm_params', 'order'], params.order, undefined);
    }
}
