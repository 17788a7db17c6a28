/**
 * The secrets a serving gateway needs, resolved from the plan's references
 * at start (and on reload): every tenant's API keys and every provider's
 * key. Values stay in memory only, in the auth table and the provider
 * headers; an unresolvable reference fails the start naming the reference.
 */
import type { CompiledPlan } from '../plan/types.ts';
import type { SecretResolver } from '../secrets/resolve.ts';

export interface ServingSecrets {
  /** Resolved API keys by tenant id. */
  tenantKeys: Map<string, string[]>;
  /** Resolved key by provider id; null when the plan sets none (a vLLM engine without --api-key). */
  providerKeys: Map<string, string | null>;
}

/** Every reference the plan's serving side reads, for one resolveAll. */
function servingRefs(plan: CompiledPlan): string[] {
  const refs: string[] = [];
  for (const t of Object.values(plan.tenants)) for (const k of t.apiKeys) refs.push(k.ref);
  // A pass-through provider's key is LiteLLM's to read: the gateway never calls it.
  for (const p of Object.values(plan.providers)) if (p.apiKey && p.kind !== 'passthrough') refs.push(p.apiKey.ref);
  return refs;
}

export async function resolveServingSecrets(plan: CompiledPlan, resolver: SecretResolver): Promise<ServingSecrets> {
  const values = await resolver.resolveAll(servingRefs(plan));
  const tenantKeys = new Map<string, string[]>();
  for (const t of Object.values(plan.tenants))
    tenantKeys.set(
      t.id,
      t.apiKeys.map((k) => values.get(k.ref)!),
    );
  const providerKeys = new Map<string, string | null>();
  for (const p of Object.values(plan.providers)) providerKeys.set(p.id, p.apiKey && p.kind !== 'passthrough' ? values.get(p.apiKey.ref)! : null);
  return { tenantKeys, providerKeys };
}
