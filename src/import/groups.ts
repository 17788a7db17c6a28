/**
 * Model groups from the entries of each `model_name` and the proxy-wide
 * settings, inverting src/targets/litellm.ts and litellm/router.ts:
 *
 * - strategy: `ordered` when the entries carry `order`; otherwise the
 *   proxy's routing_strategy (LiteLLM has one), except that entries with a
 *   `weight` under latency- or cost-based routing can only come from a
 *   usage-based or weighted group;
 * - retries: the entries' `num_retries`, else router_settings.num_retries;
 * - request timeout: the entries' `timeout` when they agree; where they
 *   differ, the most common value (router_settings.timeout on a tie), and
 *   the other deployments get a timeout of their own;
 * - workload: LiteLLM's router_settings hold the values of the interactive
 *   groups (the largest num_retries and timeout among them), so a group
 *   with more retries or a longer timeout than router_settings cannot be one
 *   of them: it becomes cost_sensitive, with a comment saying why.
 */
import { formatPath, type Path } from '../diagnostics/path.ts';
import type { Strategy } from '../model/closed-sets.ts';
import type { ModelGroupInput } from '../model/model-group.ts';
import type { PolicyDraft } from './draft.ts';
import type { Input } from './input.ts';
import type { GroupEntry, ModelList } from './model-list.ts';
import { msToDuration } from './numbers.ts';
import type { RouterGlobals } from './router-settings.ts';

const secondsText = (ms: number) => `${ms / 1000}s`;

function mostCommon(values: number[], prefer: number | undefined): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0]!;
  for (const [v, n] of counts) {
    const bn = counts.get(best)!;
    if (n > bn || (n === bn && v === prefer)) best = v;
  }
  return best;
}

export function buildGroups(input: Input, draft: PolicyDraft, list: ModelList, g: RouterGlobals): void {
  const names = list.allNames;
  const deploymentIndex = new Map(draft.policy.deployments.map((d, i) => [d.id, i]));
  const ownTimeout = new Map<string, { ms: number; at: Path }>();

  for (const [name, entries] of list.groups) {
    const index = draft.policy.modelGroups.length;
    const at = (...rest: Path): Path => ['modelGroups', index, ...rest];
    const group: ModelGroupInput = { name, deployments: entries.map((e) => e.deployment) };
    draft.origin(at(), input, [...entries[0]!.path, 'model_name']);
    draft.origin(at('deployments'), input, [...entries[0]!.path, 'model_name']);

    group.strategy = strategyOf(entries, g);
    if (group.strategy === 'ordered') {
      if (entries.some((e) => e.order === undefined))
        input.report(
          'warning',
          'import-changed',
          entries.find((e) => e.order === undefined)!.path,
          `model group ${JSON.stringify(name)} gives some deployments an order and not others; those without one go last`,
        );
      for (const e of entries) {
        const i = deploymentIndex.get(e.deployment)!;
        const d = draft.policy.deployments[i]!;
        const order = e.order ?? Math.max(0, ...entries.map((x) => x.order ?? 0)) + 1;
        if (d.order !== undefined && d.order !== order)
          input.report(
            'warning',
            'import-conflict',
            e.path,
            `deployment ${JSON.stringify(e.deployment)} has order ${d.order} in another group; it keeps that one`,
          );
        else d.order = order;
      }
      draft.comment(at('strategy'), `inferred: the entries of ${JSON.stringify(name)} carry litellm_params.order`);
    } else if (g.strategyAt)
      draft.comment(at('strategy'), `from routing_strategy: ${g.litellmStrategy} (${input.where(g.strategyAt)}), one strategy for the whole LiteLLM proxy`);
    else draft.comment(at('strategy'), `inferred: the config sets no routing_strategy, so LiteLLM shuffles by weight (simple-shuffle)`);

    // Retries: per entry when the group differs from the proxy, else the proxy's.
    const policy = g.groupRetries.get(name);
    const own = [...new Set(entries.flatMap((e) => (e.numRetries === undefined ? [] : [e.numRetries])))];
    if (policy?.count !== undefined && policy.count > 0 && !own.includes(policy.count)) own.push(policy.count);
    if (own.length > 1)
      input.report(
        'warning',
        'import-conflict',
        entries[0]!.path,
        `the entries of ${JSON.stringify(name)} disagree on num_retries (${own.join(', ')}); the group retries ${Math.max(...own)} times`,
      );
    const count = own.length > 0 ? Math.max(...own) : g.numRetries;
    const retries: NonNullable<ModelGroupInput['retries']> = {};
    if (count !== undefined) retries.count = count;
    const retryOn = policy ? policy.retryOn : g.retryOn;
    if (retryOn) retries.retryOn = retryOn;
    if (Object.keys(retries).length > 0) group.retries = retries;
    if (count === undefined) draft.comment(at(), "retries: defaulted, the config sets no num_retries (Switchyard's default is 2)");

    // Timeouts.
    const fallbackTimeout = g.timeoutMs ?? g.requestTimeoutMs;
    const effective = entries.map((e) => e.timeoutMs ?? fallbackTimeout);
    const known = effective.filter((v): v is number => v !== undefined);
    const timeouts: NonNullable<ModelGroupInput['timeouts']> = {};
    let requestMs: number | undefined;
    if (known.length > 0) {
      requestMs = mostCommon(known, g.timeoutMs);
      timeouts.request = msToDuration(requestMs);
      entries.forEach((e, k) => {
        const ms = effective[k];
        if (ms === undefined || ms === requestMs) return;
        const prev = ownTimeout.get(e.deployment);
        if (prev && prev.ms !== ms) {
          input.report(
            'warning',
            'import-conflict',
            [...e.path, 'litellm_params', 'timeout'],
            `deployment ${JSON.stringify(e.deployment)} has timeout ${secondsText(prev.ms)} at ${input.where(prev.at)}; it keeps that one`,
          );
          return;
        }
        ownTimeout.set(e.deployment, { ms, at: [...e.path, 'litellm_params', 'timeout'] });
      });
    } else draft.comment(at(), "timeouts: defaulted, the config sets no timeout (Switchyard's default request timeout is 30s)");
    const streams = [...new Set(entries.flatMap((e) => (e.streamTimeoutMs === undefined ? [] : [e.streamTimeoutMs])))];
    if (streams.length > 1)
      input.report(
        'warning',
        'import-conflict',
        entries[0]!.path,
        `the entries of ${JSON.stringify(name)} disagree on stream_timeout; the group keeps the smallest`,
      );
    if (streams.length > 0) timeouts.streamFirstToken = msToDuration(Math.min(...streams));
    if (Object.keys(timeouts).length > 0) group.timeouts = timeouts;

    const fallbacks = g.fallbacks.lists.get(name);
    if (fallbacks) {
      group.fallbacks = fallbacks.to;
      draft.origin(at('fallbacks'), input, fallbacks.path);
      fallbacks.to.forEach((_, k) => draft.origin(at('fallbacks', k), input, [...fallbacks.path, k]));
    }
    const cwf = g.contextWindowFallbacks.lists.get(name);
    if (cwf) {
      group.contextWindowFallbacks = cwf.to;
      draft.origin(at('contextWindowFallbacks'), input, cwf.path);
      cwf.to.forEach((_, k) => draft.origin(at('contextWindowFallbacks', k), input, [...cwf.path, k]));
    }

    // Workload: not interactive when router_settings could not hold this group's values.
    const why: string[] = [];
    if (g.numRetries !== undefined && count !== undefined && count > g.numRetries)
      why.push(`its num_retries ${count} exceeds router_settings.num_retries ${g.numRetries}`);
    if (g.timeoutMs !== undefined && requestMs !== undefined && requestMs > g.timeoutMs)
      why.push(`its timeout ${secondsText(requestMs)} exceeds router_settings.timeout ${secondsText(g.timeoutMs)}`);
    if (why.length > 0) {
      group.workload = 'cost_sensitive';
      draft.comment(at('workload'), `inferred: ${why.join(' and ')}, so it is not one of the interactive groups router_settings were set for`);
    } else group.workload = 'interactive';
    draft.policy.modelGroups.push(group);
  }

  for (const [id, t] of ownTimeout) {
    const i = deploymentIndex.get(id)!;
    draft.policy.deployments[i]!.timeout = msToDuration(t.ms);
    draft.comment(['deployments', i, 'timeout'], `from litellm_params.timeout at ${input.where(t.at)}, which differs from its group's`);
  }

  // Fallbacks must name groups of the model list: checked here, where the input line is known.
  for (const [kind, lists] of [
    ['fallbacks', g.fallbacks.lists],
    ['context_window_fallbacks', g.contextWindowFallbacks.lists],
  ] as const)
    for (const [from, { to, path }] of lists) {
      if (!names.has(from)) input.report('error', 'import-unknown-group', path, `${kind} of ${JSON.stringify(from)}, which is no model_name of model_list`);
      to.forEach((t, k) => {
        if (!names.has(t))
          input.report(
            'error',
            'import-unknown-group',
            [...path, k],
            `${kind} of ${JSON.stringify(from)} name ${JSON.stringify(t)}, which is no model_name of model_list`,
          );
      });
    }
  void formatPath;
}

function strategyOf(entries: readonly GroupEntry[], g: RouterGlobals): Strategy {
  if (entries.some((e) => e.order !== undefined)) return 'ordered';
  const weighted = entries.some((e) => e.weighted);
  if (weighted && (g.strategy === 'latency_based' || g.strategy === 'cost_based')) return 'usage_based';
  return g.strategy;
}
