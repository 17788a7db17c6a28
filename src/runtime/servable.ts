/**
 * What Switchyard's own serving side (the gateway, and the simulator that
 * stands in for it) can serve of a plan. `passthrough` deployments reach
 * providers only LiteLLM talks to (Bedrock, Vertex AI, Gemini...): the
 * gateway has no adapter for them, so they are taken out of their groups. A
 * group with other deployments is served from those; a group with none is
 * kept, empty, so the router sends its requests down its fallbacks (and
 * answers "no deployment" when it has none). Both are reported, naming the
 * group and why, so `serve` and `simulate` can say so before any traffic.
 */
import type { CompiledPlan, PlanDeployment } from '../plan/types.ts';

export interface UnservedGroup {
  /** Plan path of the group (`groups.<name>`), for Diagnostics and the policy line the compiler's origins map it to. */
  path: string;
  group: string;
  /** The pass-through deployments taken out, with their LiteLLM provider. */
  dropped: { deployment: string; provider: string }[];
  /** Deployments left to serve the group; empty: only its fallbacks serve it. */
  remaining: string[];
  /** One line saying what happens to the group's traffic. */
  message: string;
}

export interface ServablePlan {
  /** The plan without pass-through deployments; the hash is the original's (it names what was compiled). */
  plan: CompiledPlan;
  /** Every group that lost a deployment, sorted by name. */
  unserved: UnservedGroup[];
}

const servedHere = (d: PlanDeployment): boolean => d.providerKind !== 'passthrough';

export function servablePlan(plan: CompiledPlan): ServablePlan {
  const unserved: UnservedGroup[] = [];
  const groups: CompiledPlan['groups'] = {};
  for (const name of Object.keys(plan.groups).sort()) {
    const g = plan.groups[name]!;
    const remaining = g.deployments.filter((id) => servedHere(plan.deployments[id]!));
    groups[name] = remaining.length === g.deployments.length ? g : { ...g, deployments: remaining };
    if (remaining.length === g.deployments.length) continue;
    const dropped = g.deployments
      .filter((id) => !servedHere(plan.deployments[id]!))
      .map((id) => ({ deployment: id, provider: plan.providers[plan.deployments[id]!.provider]!.passthrough?.provider ?? 'unknown' }));
    const through = dropped.map((d) => `${d.deployment} (${d.provider})`).join(', ');
    const fallbacks = g.fallbacks.length > 0 ? `its fallbacks ${g.fallbacks.join(', ')} serve its requests` : 'its requests fail (it has no fallbacks)';
    const message =
      remaining.length > 0
        ? `group "${name}" is served from ${remaining.join(', ')} only: ${through} ${dropped.length === 1 ? 'is a pass-through deployment' : 'are pass-through deployments'} that only LiteLLM can call`
        : `group "${name}" cannot be served by Switchyard: every deployment (${through}) is pass-through, which only LiteLLM can call; ${fallbacks}`;
    unserved.push({ path: `groups.${name}`, group: name, dropped, remaining, message });
  }
  if (unserved.length === 0) return { plan, unserved };
  const deployments = Object.fromEntries(Object.entries(plan.deployments).filter(([, d]) => servedHere(d)));
  return { plan: { ...plan, groups, deployments }, unserved };
}
