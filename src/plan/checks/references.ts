/** Every id a policy mentions must name something the policy defines. */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath, type Path } from '../../diagnostics/path.ts';
import { closest } from '../../diagnostics/suggest.ts';
import type { Policy } from '../../model/policy.ts';
import { q } from './index-by-id.ts';

export function checkReferences(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const providers = new Set(policy.providers.map((p) => p.id));
  const deployments = new Set(policy.deployments.map((d) => d.id));
  const groups = new Set(policy.modelGroups.map((g) => g.name));
  const pools = new Set(policy.gpuPools.map((p) => p.id));
  const tenants = new Set(policy.tenants.map((t) => t.id));
  const unknown = (known: Set<string>, code: string, kind: string, owner: string, ref: string, path: Path) => {
    if (known.has(ref)) return;
    // Only unknown references pay for the suggestion; the common path is a Set lookup.
    const near = closest(ref, [...known]);
    const hint = near ? `did you mean ${q(near)}?` : `known: ${[...known].sort().slice(0, 8).map(q).join(', ')}${known.size > 8 ? ', …' : ''}`;
    out.push(diagnostic('error', code, `${owner} refers to unknown ${kind} ${q(ref)}`, formatPath(path), known.size ? { hint } : {}));
  };

  policy.deployments.forEach((d, i) => {
    const owner = `deployment ${q(d.id)}`;
    unknown(providers, 'unknown-provider', 'provider', owner, d.provider, ['deployments', i, 'provider']);
    if (d.pool !== undefined) unknown(pools, 'unknown-pool', 'GPU pool', owner, d.pool, ['deployments', i, 'pool']);
  });
  policy.modelGroups.forEach((g, i) => {
    const owner = `model group ${q(g.name)}`;
    g.deployments.forEach((ref, j) => unknown(deployments, 'unknown-deployment', 'deployment', owner, ref, ['modelGroups', i, 'deployments', j]));
    g.fallbacks.forEach((ref, j) => unknown(groups, 'unknown-group', 'model group', `${owner} (fallbacks)`, ref, ['modelGroups', i, 'fallbacks', j]));
    g.contextWindowFallbacks.forEach((ref, j) =>
      unknown(groups, 'unknown-group', 'model group', `${owner} (contextWindowFallbacks)`, ref, ['modelGroups', i, 'contextWindowFallbacks', j]),
    );
  });
  policy.tenants.forEach((t, i) =>
    t.allowedGroups.forEach((ref, j) =>
      unknown(groups, 'unknown-group', 'model group', `tenant ${q(t.id)} (allowedGroups)`, ref, ['tenants', i, 'allowedGroups', j]),
    ),
  );
  policy.gpuPools.forEach((p, i) =>
    p.models.forEach((m, j) =>
      m.spansPools.forEach((ref, k) =>
        unknown(pools, 'unknown-pool', 'GPU pool', `model ${q(m.model)} of pool ${q(p.id)} (spansPools)`, ref, ['gpuPools', i, 'models', j, 'spansPools', k]),
      ),
    ),
  );
  policy.batchProfiles.forEach((b, i) => {
    unknown(providers, 'unknown-provider', 'provider', `batch profile ${q(b.id)}`, b.provider, ['batchProfiles', i, 'provider']);
    if (b.tenant !== undefined) unknown(tenants, 'unknown-tenant', 'tenant', `batch profile ${q(b.id)}`, b.tenant, ['batchProfiles', i, 'tenant']);
  });
  return out;
}
