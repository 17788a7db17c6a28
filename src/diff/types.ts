/**
 * The semantic diff between two compiled plans: what a policy change does to
 * live traffic. This is the `diff` the risk rules see (input.diff) and the
 * JSON `switchyard diff --json` prints, so its shape is a contract: add
 * fields, never rename them. Percentages are points (0-100), money USD.
 */

export interface Change<T> {
  before: T;
  after: T;
}

export type EntityStatus = 'added' | 'removed' | 'changed';

export interface GroupDiff {
  status: EntityStatus;
  /** Expected traffic share per provider id, in percent; each side sums to 100 (or is empty when the group is absent). */
  providerShare: Change<Record<string, number>>;
  deploymentShare: Change<Record<string, number>>;
  fallbacks: { before: string[]; after: string[]; added: string[]; removed: string[]; reordered: boolean };
  contextWindowFallbacks: { before: string[]; after: string[]; added: string[]; removed: string[]; reordered: boolean };
  /** Field names of the breaker that became more permissive (loosened) or stricter (tightened). */
  circuitBreaker: { loosened: string[]; tightened: string[] };
  retries: { loosened: string[]; tightened: string[] };
  strategy: Change<string | null> | null;
  monthlyCostUsd: Change<number>;
}

export interface TenantDiff {
  status: EntityStatus;
  rpm: Change<number | null>;
  tpm: Change<number | null>;
  monthlyBudgetUsd: Change<number | null>;
  allowedGroups: { added: string[]; removed: string[] };
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface ArtifactDiff {
  path: string;
  status: EntityStatus;
  /** Unified diff text. */
  patch: string;
}

export interface PlanDiff {
  baseHash: string | null;
  headHash: string;
  /** Only entities that changed appear. */
  groups: Record<string, GroupDiff>;
  tenants: Record<string, TenantDiff>;
  /** Deployment id -> changed fields (limits, prices, weight...); also in the groups they serve. */
  deployments: Record<string, { status: EntityStatus; changes: FieldChange[] }>;
  /** `<pool>/<servedName>` -> changed fields (vLLM knobs and capacity). */
  poolModels: Record<string, { status: EntityStatus; changes: FieldChange[] }>;
  batchProfiles: Record<string, { status: EntityStatus; changes: FieldChange[] }>;
  cost: { monthlyBeforeUsd: number; monthlyAfterUsd: number; changePercent: number | null };
  artifacts: ArtifactDiff[];
}
