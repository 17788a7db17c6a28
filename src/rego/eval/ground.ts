import type { Term } from '../ast.ts';
import { ObjectValue, SetValue, type Value } from '../value.ts';

/** The value of a ground term (scalars and composites of scalars), or undefined if it has vars. */
export function groundValue(t: Term): Value | undefined {
  switch (t.type) {
    case 'scalar':
      return t.value;
    case 'array': {
      const out: Value[] = [];
      for (const i of t.items) {
        const v = groundValue(i);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case 'set': {
      const out = new SetValue();
      for (const i of t.items) {
        const v = groundValue(i);
        if (v === undefined) return undefined;
        out.add(v);
      }
      return out;
    }
    case 'object': {
      const out = new ObjectValue();
      for (const [k, v] of t.entries) {
        const kv = groundValue(k);
        const vv = groundValue(v);
        if (kv === undefined || vv === undefined) return undefined;
        out.set(kv, vv);
      }
      return out;
    }
    default:
      return undefined;
  }
}
