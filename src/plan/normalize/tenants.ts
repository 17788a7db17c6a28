import type { Tenant } from '../../model/tenant.ts';
import { compareStrings } from '../defaults.ts';
import { recordOrigin } from '../origins.ts';
import { parseSecretRef } from '../secret-ref.ts';
import type { PlanOrigins, PlanTenant } from '../types.ts';

/** Keys and allowed groups are sets, so they are sorted; their policy positions are recorded for paths back. */
export function normalizeTenant(t: Tenant, i: number, origins: PlanOrigins): PlanTenant {
  const at = ['tenants', t.id] as const;
  recordOrigin(origins, at, ['tenants', i]);
  const sortedWithIndex = (xs: readonly string[]) => xs.map((v, j) => ({ v, j })).sort((a, b) => compareStrings(a.v, b.v));
  const keys = sortedWithIndex(t.apiKeys);
  const groups = sortedWithIndex(t.allowedGroups);
  keys.forEach((k, n) => recordOrigin(origins, [...at, 'apiKeys', n], ['tenants', i, 'apiKeys', k.j]));
  groups.forEach((g, n) => recordOrigin(origins, [...at, 'allowedGroups', n], ['tenants', i, 'allowedGroups', g.j]));
  return {
    id: t.id,
    description: t.description ?? null,
    apiKeys: keys.map((k) => parseSecretRef(k.v)),
    allowedGroups: groups.map((g) => g.v),
    rpm: t.rpm ?? null,
    tpm: t.tpm ?? null,
    monthlyBudgetUsd: t.monthlyBudgetUsd ?? null,
  };
}
