/**
 * Fallbacks must lead somewhere new: not back to the group itself, not round
 * a cycle (a router following the chain would loop, and LiteLLM rejects it),
 * and a context-window fallback must offer a larger window, or a request too
 * long for this group is too long there as well.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { formatPath } from '../../diagnostics/path.ts';
import type { Policy } from '../../model/policy.ts';
import { indexById, q } from './index-by-id.ts';

export function checkSelfFallbacks(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  policy.modelGroups.forEach((g, i) => {
    for (const field of ['fallbacks', 'contextWindowFallbacks'] as const)
      g[field].forEach((ref, j) => {
        if (ref === g.name)
          out.push(diagnostic('error', 'self-fallback', `model group ${q(g.name)} lists itself in ${field}`, formatPath(['modelGroups', i, field, j])));
      });
  });
  return out;
}

/**
 * One depth-first search over the `fallbacks` graph, groups in policy order
 * and edges in declared order. Each back edge closes exactly one cycle, made
 * of the search stack from the edge's target; reporting per back edge names
 * every cycle once, deterministically, in linear time, and removing the
 * reported edges leaves the graph acyclic. Self-loops are self-fallback's.
 */
export function checkFallbackCycles(policy: Policy): Diagnostic[] {
  const groups = policy.modelGroups;
  const byName = indexById(groups, (g) => g.name);
  const edges: { to: number; at: number }[][] = groups.map((g, i) => {
    const seen = new Set<number>();
    const list: { to: number; at: number }[] = [];
    if (byName.get(g.name) !== i) return list; // a duplicate definition; reported by duplicates.ts
    g.fallbacks.forEach((ref, at) => {
      const to = byName.get(ref);
      if (to === undefined || to === i || seen.has(to)) return;
      seen.add(to);
      list.push({ to, at });
    });
    return list;
  });

  const out: Diagnostic[] = [];
  const state = new Uint8Array(groups.length); // 0 unvisited, 1 on the stack, 2 done
  const stackPos = new Int32Array(groups.length).fill(-1);
  for (let root = 0; root < groups.length; root++) {
    if (state[root] !== 0) continue;
    const stack: { node: number; next: number }[] = [{ node: root, next: 0 }];
    state[root] = 1;
    stackPos[root] = 0;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const edge = edges[top.node]![top.next++];
      if (edge === undefined) {
        state[top.node] = 2;
        stackPos[top.node] = -1;
        stack.pop();
        continue;
      }
      if (state[edge.to] === 0) {
        state[edge.to] = 1;
        stackPos[edge.to] = stack.length;
        stack.push({ node: edge.to, next: 0 });
      } else if (state[edge.to] === 1) {
        const names = stack.slice(stackPos[edge.to]!).map((s) => groups[s.node]!.name);
        const cycle = [...names, groups[edge.to]!.name].join(' -> ');
        out.push(
          diagnostic('error', 'fallback-cycle', `fallback cycle: ${cycle}`, formatPath(['modelGroups', top.node, 'fallbacks', edge.at]), {
            hint: `remove ${q(groups[edge.to]!.name)} from the fallbacks of ${q(groups[top.node]!.name)}, or break the cycle elsewhere`,
          }),
        );
      }
    }
  }
  return out;
}

/** Largest context window among a group's known deployments; 0 when none is known (then other checks have reported it). */
function groupMaxWindows(policy: Policy): Map<string, number> {
  const window = new Map<string, number>();
  for (const d of policy.deployments) if (!window.has(d.id)) window.set(d.id, d.contextWindow);
  const out = new Map<string, number>();
  for (const g of policy.modelGroups) {
    if (out.has(g.name)) continue;
    let max = 0;
    for (const ref of g.deployments) max = Math.max(max, window.get(ref) ?? 0);
    out.set(g.name, max);
  }
  return out;
}

export function checkContextWindowFallbacks(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const max = groupMaxWindows(policy);
  policy.modelGroups.forEach((g, i) => {
    const own = max.get(g.name) ?? 0;
    g.contextWindowFallbacks.forEach((ref, j) => {
      const theirs = max.get(ref);
      if (ref === g.name || theirs === undefined || own === 0 || theirs === 0 || theirs > own) return;
      out.push(
        diagnostic(
          'error',
          'context-window-fallback-smaller',
          `model group ${q(g.name)} (largest context window ${own}) has context-window fallback ${q(ref)} whose largest context window (${theirs}) is not larger`,
          formatPath(['modelGroups', i, 'contextWindowFallbacks', j]),
          { hint: 'a context-window fallback is tried for requests too long for this group; it needs a larger window to help' },
        ),
      );
    });
  });
  return out;
}
