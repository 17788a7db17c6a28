/**
 * Every request is attributed to the tenant whose key it carries; one key
 * reference in two tenants makes that attribution (limits, budgets, audit)
 * ambiguous.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/path.ts';
import type { Policy } from '../../model/policy.ts';
import { q } from './index-by-id.ts';

export function checkTenantKeys(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const owner = new Map<string, number>();
  policy.tenants.forEach((t, i) => {
    t.apiKeys.forEach((ref, k) => {
      const first = owner.get(ref);
      if (first === undefined) owner.set(ref, i);
      else if (first !== i) {
        const other = policy.tenants[first]!;
        out.push(
          diagnostic(
            'error',
            'shared-tenant-key',
            `tenant ${q(t.id)} shares API key reference ${q(ref)} with tenant ${q(other.id)} (tenants[${first}])`,
            formatPath(['tenants', i, 'apiKeys', k]),
            { hint: 'give each tenant its own key, so requests, limits and costs are attributed to one tenant' },
          ),
        );
      }
    });
  });
  return out;
}
