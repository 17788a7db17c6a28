/**
 * graph.reachable and graph.reachable_paths over an adjacency object
 * (node -> array or set of neighbours). Nodes missing from the object have
 * no edges; a neighbour list that is neither array nor set counts as none,
 * as in OPA.
 */
import { ObjectValue, SetValue, typeName, type Value } from '../value.ts';
import { operandTypeError, type Builtin } from './types.ts';
import { members } from './operands.ts';

function graphOperand(name: string, v: Value): ObjectValue {
  if (!(v instanceof ObjectValue)) throw operandTypeError(name, 1, ['object'], typeName(v));
  return v;
}

function initialOperand(name: string, v: Value): Value[] {
  if (!Array.isArray(v) && !(v instanceof SetValue)) throw operandTypeError(name, 2, ['set', 'array'], typeName(v));
  return members(v);
}

function neighbours(graph: ObjectValue, node: Value): Value[] {
  const edges = graph.get(node);
  return Array.isArray(edges) || edges instanceof SetValue ? members(edges) : [];
}

export const GRAPH: Builtin[] = [
  {
    name: 'graph.reachable',
    arity: 2,
    call([g, i]) {
      const graph = graphOperand('graph.reachable', g!);
      const queue = initialOperand('graph.reachable', i!);
      const seen = new SetValue();
      while (queue.length > 0) {
        const node = queue.shift()!;
        if (seen.has(node) || graph.get(node) === undefined) continue;
        seen.add(node);
        queue.push(...neighbours(graph, node));
      }
      return seen;
    },
  },
  {
    // Every maximal path from an initial node: a path ends where a node has no
    // unvisited neighbours (a cycle) or where the next node is not in the graph.
    name: 'graph.reachable_paths',
    arity: 2,
    call([g, i]) {
      const graph = graphOperand('graph.reachable_paths', g!);
      const out = new SetValue();
      const walk = (node: Value, path: Value[], onPath: SetValue) => {
        const next = neighbours(graph, node).filter((n) => !onPath.has(n) && graph.get(n) !== undefined);
        if (next.length === 0) {
          out.add(path);
          return;
        }
        for (const n of next) walk(n, [...path, n], new SetValue([...onPath, n]));
      };
      for (const start of initialOperand('graph.reachable_paths', i!)) {
        if (graph.get(start) === undefined) continue;
        walk(start, [start], new SetValue([start]));
      }
      return out;
    },
  },
];
