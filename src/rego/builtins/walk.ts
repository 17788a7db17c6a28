/**
 * walk. In OPA `walk(x, [path, value])` is a relation: it yields one
 * [path, value] pair for every node of x, x itself first (path []), then
 * children depth-first with object keys and set members in sorted order.
 * Here it follows the ordinary Builtin contract and returns an ARRAY of all
 * those pairs; the evaluator iterates that array as the relation's outputs,
 * because index.ts lists `walk` in RELATIONS.
 */
import { ObjectValue, SetValue, type Value } from '../value.ts';
import type { Builtin } from './types.ts';

function visit(path: Value[], v: Value, out: Value[][]): void {
  out.push([path, v]);
  if (Array.isArray(v)) v.forEach((x, i) => visit([...path, i], x, out));
  else if (v instanceof ObjectValue) for (const [k, x] of v.sortedEntries()) visit([...path, k], x, out);
  else if (v instanceof SetValue) for (const x of v.sorted()) visit([...path, x], x, out);
}

export const WALK: Builtin[] = [
  {
    name: 'walk',
    arity: 1,
    call([v]) {
      const out: Value[][] = [];
      visit([], v!, out);
      return out;
    },
  },
];
