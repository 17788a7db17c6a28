/**
 * Ids are keys in the plan (and names in LiteLLM, Prometheus labels, file
 * names), so two definitions with one id would silently overwrite each other.
 * Reported at the second definition, naming where the first one is.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath, type Path } from '../../diagnostics/path.ts';
import type { Policy } from '../../model/policy.ts';
import { servedNameOf } from '../defaults.ts';
import { q } from './index-by-id.ts';

function duplicateIds<T>(
  out: Diagnostic[],
  subject: (id: string) => string,
  items: readonly T[],
  base: Path,
  idOf: (item: T) => string,
  idField: (item: T) => string,
): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const id = idOf(item);
    const j = first.get(id);
    if (j === undefined) {
      first.set(id, i);
      return;
    }
    out.push(
      diagnostic(
        'error',
        'duplicate-id',
        `${subject(id)} is defined twice; the first is at ${formatPath([...base, j])}`,
        formatPath([...base, i, idField(item)]),
        {
          hint: 'rename one of them: ids are keys in the compiled plan',
        },
      ),
    );
  });
}

/** A list of references naming the same thing twice is always a slip (and would double a group's share, or retry a fallback twice). */
function duplicateRefs(out: Diagnostic[], owner: string, field: string, refs: readonly string[], base: Path): void {
  const first = new Map<string, number>();
  refs.forEach((ref, i) => {
    const j = first.get(ref);
    if (j === undefined) first.set(ref, i);
    else out.push(diagnostic('error', 'duplicate-reference', `${owner} lists ${q(ref)} twice in ${field} (also at index ${j})`, formatPath([...base, i])));
  });
}

export function checkDuplicates(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const id = (x: { id: string }) => x.id;
  const idField = () => 'id';
  duplicateIds(out, (x) => `provider ${q(x)}`, policy.providers, ['providers'], id, idField);
  duplicateIds(out, (x) => `deployment ${q(x)}`, policy.deployments, ['deployments'], id, idField);
  duplicateIds(
    out,
    (x) => `model group ${q(x)}`,
    policy.modelGroups,
    ['modelGroups'],
    (g) => g.name,
    () => 'name',
  );
  duplicateIds(out, (x) => `tenant ${q(x)}`, policy.tenants, ['tenants'], id, idField);
  duplicateIds(out, (x) => `GPU pool ${q(x)}`, policy.gpuPools, ['gpuPools'], id, idField);
  duplicateIds(out, (x) => `batch profile ${q(x)}`, policy.batchProfiles, ['batchProfiles'], id, idField);
  // Hugging Face ids are case-insensitive, and so is the catalog.
  duplicateIds(
    out,
    (x) => `model ${q(x)}`,
    policy.models,
    ['models'],
    (m) => m.id.toLowerCase(),
    idField,
  );
  duplicateIds(out, (x) => `SLO target ${q(x)}`, policy.slos.targets, ['slos', 'targets'], id, idField);
  duplicateIds(out, (x) => `alert ${q(x)}`, policy.slos.alerts, ['slos', 'alerts'], id, idField);
  policy.gpuPools.forEach((pool, p) => {
    duplicateIds(
      out,
      (x) => `served model name ${q(x)} in pool ${q(pool.id)}`,
      pool.models,
      ['gpuPools', p, 'models'],
      servedNameOf,
      (m) => (m.servedName === undefined ? 'model' : 'servedName'),
    );
    pool.models.forEach((m, i) =>
      duplicateRefs(out, `model ${q(servedNameOf(m))} of pool ${q(pool.id)}`, 'spansPools', m.spansPools, ['gpuPools', p, 'models', i, 'spansPools']),
    );
  });
  policy.batchProfiles.forEach((b, i) =>
    duplicateIds(
      out,
      (x) => `redaction rule ${q(x)} of batch profile ${q(b.id)}`,
      b.redaction.rules,
      ['batchProfiles', i, 'redaction', 'rules'],
      (r) => r.name,
      () => 'name',
    ),
  );
  policy.modelGroups.forEach((g, i) => {
    const owner = `model group ${q(g.name)}`;
    duplicateRefs(out, owner, 'deployments', g.deployments, ['modelGroups', i, 'deployments']);
    duplicateRefs(out, owner, 'fallbacks', g.fallbacks, ['modelGroups', i, 'fallbacks']);
    duplicateRefs(out, owner, 'contextWindowFallbacks', g.contextWindowFallbacks, ['modelGroups', i, 'contextWindowFallbacks']);
  });
  policy.tenants.forEach((t, i) => {
    duplicateRefs(out, `tenant ${q(t.id)}`, 'allowedGroups', t.allowedGroups, ['tenants', i, 'allowedGroups']);
    duplicateRefs(out, `tenant ${q(t.id)}`, 'apiKeys', t.apiKeys, ['tenants', i, 'apiKeys']);
  });
  return out;
}
