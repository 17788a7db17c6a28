/**
 * What a policy of real-world providers needs said before it runs: groups
 * the gateway cannot serve (every deployment pass-through), pass-through
 * providers LiteLLM may not know, and policies with nothing to route.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/path.ts';
import { closest } from '../../diagnostics/suggest.ts';
import { LITELLM_PASSTHROUGH_PROVIDERS, serviceOfLitellmPrefix } from '../../model/closed-sets.ts';
import type { Policy } from '../../model/policy.ts';
import { indexById, q } from './index-by-id.ts';

/** LiteLLM provider names that have a kind of their own here, which the gateway serves. */
const OWN_KINDS: Record<string, string> = { openai: 'openai', azure: 'azure_openai', anthropic: 'anthropic', hosted_vllm: 'vllm' };

function servedAs(litellmProvider: string): string | undefined {
  const service = serviceOfLitellmPrefix(litellmProvider);
  if (service !== null) return `kind openai_compatible with service ${service}`;
  const kind = OWN_KINDS[litellmProvider];
  return kind === undefined ? undefined : `kind ${kind}`;
}

/** A group whose every deployment is pass-through: LiteLLM serves it, the gateway and the simulator do not. */
export function checkPassthroughGroups(policy: Policy): Diagnostic[] {
  const providers = indexById(policy.providers, (p) => p.id);
  const deployments = indexById(policy.deployments, (d) => d.id);
  const out: Diagnostic[] = [];
  policy.modelGroups.forEach((g, i) => {
    const through = g.deployments.filter((id) => {
      const d = policy.deployments[deployments.get(id) ?? -1];
      return d !== undefined && policy.providers[providers.get(d.provider) ?? -1]?.kind === 'passthrough';
    });
    if (through.length === 0 || through.length < g.deployments.length) return;
    const next = g.fallbacks.length > 0 ? `its fallbacks (${g.fallbacks.join(', ')}) serve its requests there` : 'its requests fail there';
    out.push(
      diagnostic(
        'warning',
        'passthrough-only-group',
        `model group ${q(g.name)} has only pass-through deployments (${through.join(', ')}): LiteLLM serves it, but \`switchyard serve\` and \`simulate\` cannot, and ${next}`,
        formatPath(['modelGroups', i, 'deployments']),
        { hint: 'add a deployment the gateway can call (openai, azure_openai, anthropic, vllm or openai_compatible), or a fallback group' },
      ),
    );
  });
  return out;
}

/** A pass-through provider naming a LiteLLM provider we do not list, or one the gateway could serve itself. */
export function checkPassthroughProviders(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const known: readonly string[] = LITELLM_PASSTHROUGH_PROVIDERS;
  policy.providers.forEach((p, i) => {
    if (p.kind !== 'passthrough' || !p.litellm) return;
    const name = p.litellm.provider;
    const at = formatPath(['providers', i, 'litellm', 'provider']);
    const own = servedAs(name);
    if (own !== undefined)
      out.push(
        diagnostic(
          'warning',
          'passthrough-has-kind',
          `provider ${q(p.id)} passes ${q(name)} through to LiteLLM, but Switchyard serves it itself as ${own}`,
          at,
          {
            hint: `write it as ${own}: the gateway and the simulator then serve its deployments too`,
          },
        ),
      );
    else if (!known.includes(name)) {
      const near = closest(name, known);
      out.push(
        diagnostic(
          'warning',
          'unknown-litellm-provider',
          `provider ${q(p.id)} names the LiteLLM provider ${q(name)}, which is not in Switchyard's list of LiteLLM providers`,
          at,
          { hint: near ? `did you mean ${q(near)}?` : "check the name against LiteLLM's provider list (docs.litellm.ai/docs/providers)" },
        ),
      );
    }
  });
  return out;
}

/** Providers, deployments or pools with no model group: everything compiles, but nothing is routed. */
export function checkNothingRouted(policy: Policy): Diagnostic[] {
  if (policy.modelGroups.length > 0 || (policy.deployments.length === 0 && policy.gpuPools.length === 0)) return [];
  const has = [
    policy.deployments.length > 0 ? `${policy.deployments.length} deployment(s)` : null,
    policy.gpuPools.length > 0 ? `${policy.gpuPools.length} GPU pool(s)` : null,
  ].filter((x) => x !== null);
  return [
    diagnostic(
      'warning',
      'no-model-groups',
      `the policy has ${has.join(' and ')} but no model groups: nothing is routed, the LiteLLM config lists no models and the router serves nothing`,
      'modelGroups',
      { hint: 'add modelGroups naming the deployments clients may call' },
    ),
  ];
}
