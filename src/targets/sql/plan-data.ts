/**
 * The parts of the analytics SQL that come from the plan: literals, the
 * VALUES lists of deployments, groups and tenants, the default cost baseline
 * and the SLO objectives turned into SQL predicates. Everything here is
 * ordered by id so the file is byte-stable for a given plan.
 */
import { sqlString } from '../../escape/sql.ts';
import { compareStrings } from '../../plan/defaults.ts';
import type { CompiledPlan, PlanDeployment, PlanGroup, PlanSloTarget } from '../../plan/types.ts';

/** A SQL numeric literal; JavaScript's shortest form (`2.5`, `1e-7`) is valid PostgreSQL. */
function sqlNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

export interface SqlColumn {
  name: string;
  /** A PostgreSQL type; every view column is cast to it, so CREATE OR REPLACE VIEW never sees a changed type. */
  type: string;
}

/**
 * `SELECT <casts> FROM (VALUES ...) AS v(...)`; with no rows, a typed empty
 * query (VALUES cannot be empty).
 */
export function valuesQuery(columns: readonly SqlColumn[], rows: readonly (readonly string[])[]): string {
  const select = columns.map((c) => `v.${c.name}::${c.type} AS ${c.name}`).join(', ');
  if (rows.length === 0) return `SELECT ${columns.map((c) => `NULL::${c.type} AS ${c.name}`).join(', ')}\nWHERE false`;
  const body = rows.map((r) => `  (${r.join(', ')})`).join(',\n');
  return `SELECT ${select}\nFROM (VALUES\n${body}\n) AS v(${columns.map((c) => c.name).join(', ')})`;
}

const sortedIds = <T>(rec: Record<string, T>) => Object.keys(rec).sort(compareStrings);

export const DEPLOYMENT_COLUMNS: readonly SqlColumn[] = [
  { name: 'deployment', type: 'text' },
  { name: 'provider', type: 'text' },
  { name: 'provider_kind', type: 'text' },
  { name: 'model', type: 'text' },
  { name: 'input_per_1m', type: 'numeric' },
  { name: 'output_per_1m', type: 'numeric' },
];

export function deploymentRows(plan: CompiledPlan): string[][] {
  return sortedIds(plan.deployments).map((id) => {
    const d = plan.deployments[id]!;
    return [
      sqlString(d.id),
      sqlString(d.provider),
      sqlString(d.providerKind),
      sqlString(d.model),
      sqlNumber(d.pricing.inputPer1M),
      sqlNumber(d.pricing.outputPer1M),
    ];
  });
}

export const GROUP_COLUMNS: readonly SqlColumn[] = [
  { name: 'model_group', type: 'text' },
  { name: 'workload', type: 'text' },
  { name: 'fallback_chain', type: 'text' },
];

/** The declared chain (the group, then its fallbacks) as the fallback views print chains (`a > b > c`), so a pattern can be compared with the policy. */
export function groupRows(plan: CompiledPlan): string[][] {
  return sortedIds(plan.groups).map((name) => {
    const g = plan.groups[name]!;
    return [sqlString(g.name), sqlString(g.workload), sqlString([g.name, ...g.fallbacks].join(' > '))];
  });
}

export const TENANT_COLUMNS: readonly SqlColumn[] = [
  { name: 'tenant', type: 'text' },
  { name: 'monthly_budget_usd', type: 'numeric' },
];

export function tenantRows(plan: CompiledPlan): string[][] {
  return sortedIds(plan.tenants).map((id) => {
    const t = plan.tenants[id]!;
    return [sqlString(t.id), t.monthlyBudgetUsd === null ? 'NULL' : sqlNumber(t.monthlyBudgetUsd)];
  });
}

/** What one request of the group's traffic mix costs on the deployment, in USD per 1M requests' worth of tokens. */
function blendedPrice(d: PlanDeployment, g: PlanGroup | undefined): number {
  const input = g?.traffic?.meanInputTokens ?? 1;
  const output = g?.traffic?.meanOutputTokens ?? 1;
  return input * d.pricing.inputPer1M + output * d.pricing.outputPer1M;
}

function mostExpensive(plan: CompiledPlan, ids: readonly string[], g: PlanGroup | undefined): string | null {
  let best: PlanDeployment | null = null;
  for (const id of [...ids].sort(compareStrings)) {
    const d = plan.deployments[id];
    if (d !== undefined && (best === null || blendedPrice(d, g) > blendedPrice(best, g))) best = d;
  }
  return best?.id ?? null;
}

/**
 * The default single-provider baseline: what the traffic would cost with no
 * routing at all, i.e. everything sent to the primary interactive
 * deployment. The primary group is the busiest interactive group that no
 * other group falls back to (the entry of the interactive chain; by
 * monthly requests, then name); within it, the deployment that is dearest
 * at the group's token mix (then id). Without interactive groups, any group
 * takes part; without groups, the dearest deployment of the plan.
 */
export function baselineDeployment(plan: CompiledPlan): string | null {
  const groups = sortedIds(plan.groups).map((n) => plan.groups[n]!);
  const targets = new Set(groups.flatMap((g) => [...g.fallbacks, ...g.contextWindowFallbacks]));
  const interactive = groups.filter((g) => g.workload === 'interactive' && g.deployments.length > 0);
  const entries = interactive.filter((g) => !targets.has(g.name));
  const candidates = entries.length > 0 ? entries : interactive.length > 0 ? interactive : groups.filter((g) => g.deployments.length > 0);
  let primary: PlanGroup | undefined;
  for (const g of candidates) if (primary === undefined || (g.traffic?.monthlyRequests ?? 0) > (primary.traffic?.monthlyRequests ?? 0)) primary = g;
  return primary !== undefined ? mostExpensive(plan, primary.deployments, primary) : mostExpensive(plan, Object.keys(plan.deployments), undefined);
}

export interface Objective {
  /** The SLO target ids the objectives come from, sorted. */
  targets: string[];
  /** `expr` meets every objective of every target of the metric; `NULL::boolean` when the plan has none. */
  predicate: (expr: string) => string;
  /** Greatest lower bound (`>=`, `>`), or null. */
  min: number | null;
  /** Least upper bound (`<=`, `<`), or null. */
  max: number | null;
}

/** The plan's objectives for one SLO metric (all targets of that metric, in id order). */
export function objective(plan: CompiledPlan, metric: string): Objective {
  const targets: PlanSloTarget[] = sortedIds(plan.slos.targets)
    .map((id) => plan.slos.targets[id]!)
    .filter((t) => t.metric === metric);
  const all = targets.flatMap((t) => t.objective);
  const lower = all.filter((o) => o.op === '>=' || o.op === '>').map((o) => o.value);
  const upper = all.filter((o) => o.op === '<=' || o.op === '<').map((o) => o.value);
  return {
    targets: targets.map((t) => t.id),
    predicate: (expr) => (all.length === 0 ? 'NULL::boolean' : `(${all.map((o) => `${expr} ${o.op} ${sqlNumber(o.value)}`).join(' AND ')})`),
    min: lower.length > 0 ? Math.max(...lower) : null,
    max: upper.length > 0 ? Math.min(...upper) : null,
  };
}

/** A bound as a typed SQL literal (NULL when absent), scaled (e.g. by 100 for a percentage). */
export function boundLiteral(value: number | null, scale = 1): string {
  return value === null ? 'NULL::numeric' : `${sqlNumber(Number((value * scale).toPrecision(12)))}::numeric`;
}
