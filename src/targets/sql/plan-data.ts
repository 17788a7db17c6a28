/**
 * The parts of the analytics SQL that come from the plan: literals, the
 * VALUES lists of deployments, groups and tenants, the default cost baseline
 * and the SLO objectives turned into SQL predicates. Everything here is
 * ordered by id so the file is byte-stable for a given plan.
 */
import { sqlString } from '../../escape/sql.ts';
import { compareStrings } from '../../plan/defaults.ts';
import type { CompiledPlan, PlanSloTarget } from '../../plan/types.ts';

export { baselineDeployment } from '../../plan/baseline.ts';

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
