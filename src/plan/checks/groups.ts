/** What a model group needs to route: deployments, positive weights where weights split traffic, an order where order decides. */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/path.ts';
import type { Strategy } from '../../model/model-group.ts';
import type { Policy } from '../../model/policy.ts';
import { indexById, q } from './index-by-id.ts';

/** Strategies that split traffic in proportion to deployment weights. */
const WEIGHTED: ReadonlySet<Strategy> = new Set<Strategy>(['weighted', 'usage_based']);

export function checkEmptyGroups(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  policy.modelGroups.forEach((g, i) => {
    if (g.deployments.length === 0)
      out.push(diagnostic('error', 'empty-group', `model group ${q(g.name)} has no deployments`, formatPath(['modelGroups', i, 'deployments'])));
  });
  return out;
}

/** Reported once per deployment, at its weight, naming the first group whose strategy uses it. */
export function checkWeights(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byId = indexById(policy.deployments, (d) => d.id);
  const reported = new Set<number>();
  for (const g of policy.modelGroups) {
    if (!WEIGHTED.has(g.strategy)) continue;
    for (const ref of g.deployments) {
      const i = byId.get(ref);
      if (i === undefined || reported.has(i)) continue;
      const d = policy.deployments[i]!;
      if (d.weight > 0) continue;
      reported.add(i);
      out.push(
        diagnostic(
          'error',
          'non-positive-weight',
          `deployment ${q(d.id)} has weight ${d.weight}, but model group ${q(g.name)} (${g.strategy}) splits traffic by weight; weights must be positive`,
          formatPath(['deployments', i, 'weight']),
        ),
      );
    }
  }
  return out;
}

export function checkOrderedGroups(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byId = indexById(policy.deployments, (d) => d.id);
  policy.modelGroups.forEach((g, i) => {
    if (g.strategy !== 'ordered') return;
    g.deployments.forEach((ref, j) => {
      const d = byId.get(ref) === undefined ? undefined : policy.deployments[byId.get(ref)!];
      if (d === undefined || d.order !== undefined) return;
      out.push(
        diagnostic(
          'warning',
          'missing-order',
          `deployment ${q(d.id)} in ordered model group ${q(g.name)} has no order; it is tried after the deployments that have one, by id`,
          formatPath(['modelGroups', i, 'deployments', j]),
          { hint: `give deployment ${q(d.id)} an order` },
        ),
      );
    });
  });
  return out;
}

/** A deployment no group routes to is dead configuration, usually a group edit that forgot it. */
export function checkUnusedDeployments(policy: Policy): Diagnostic[] {
  const used = new Set<string>();
  for (const g of policy.modelGroups) for (const ref of g.deployments) used.add(ref);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  policy.deployments.forEach((d, i) => {
    if (seen.has(d.id)) return;
    seen.add(d.id);
    if (!used.has(d.id))
      out.push(diagnostic('warning', 'unused-deployment', `deployment ${q(d.id)} is used by no model group`, formatPath(['deployments', i])));
  });
  return out;
}
