/** object.get, object.keys, object.union, object.union_n, object.remove, object.filter, object.subset. */
import { compare, equal, ObjectValue, SetValue, typeName, type Value } from '../value.ts';
import { arrayOperand, elementError, objectOperand } from './operands.ts';
import { BuiltinError, operandTypeError, type Builtin } from './types.ts';

/** Follows a path of keys (object keys, array indices, set members) like OPA's Value.Find; undefined when it leads nowhere. */
function find(v: Value, path: Value[]): Value | undefined {
  let cur: Value = v;
  for (const key of path) {
    if (cur instanceof ObjectValue) {
      const next = cur.get(key);
      if (next === undefined) return undefined;
      cur = next;
    } else if (Array.isArray(cur)) {
      if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= cur.length) return undefined;
      cur = cur[key]!;
    } else if (cur instanceof SetValue) {
      if (!cur.has(key)) return undefined;
      cur = key;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** Right wins, except that two objects under the same key merge recursively. */
function mergeObjects(a: ObjectValue, b: ObjectValue): ObjectValue {
  const out = new ObjectValue(a.entries());
  for (const [k, vb] of b.entries()) {
    const va = a.get(k);
    out.set(k, va instanceof ObjectValue && vb instanceof ObjectValue ? mergeObjects(va, vb) : vb);
  }
  return out;
}

function keysOperand(name: string, v: Value): SetValue {
  if (Array.isArray(v)) return new SetValue(v);
  if (v instanceof SetValue) return v;
  if (v instanceof ObjectValue) return new SetValue(v.keys());
  throw operandTypeError(name, 2, ['object', 'set', 'array'], typeName(v));
}

function objectSubset(sup: ObjectValue, sub: ObjectValue): boolean {
  return sub.entries().every(([k, subV]) => {
    const supV = sup.get(k);
    if (supV === undefined) return false;
    if (equal(subV, supV)) return true;
    if (supV instanceof ObjectValue && subV instanceof ObjectValue) return objectSubset(supV, subV);
    if (supV instanceof SetValue && subV instanceof SetValue) return setSubset(supV, subV);
    if (Array.isArray(supV) && Array.isArray(subV)) return arraySubset(supV, subV);
    return false;
  });
}

const setSubset = (sup: SetValue, sub: SetValue): boolean => sub.values().every((x) => sup.has(x));

/** The sub array appears in the super array as a contiguous run. */
function arraySubset(sup: Value[], sub: Value[]): boolean {
  if (sub.length > sup.length) return false;
  for (let start = 0; start + sub.length <= sup.length; start++) {
    if (sub.every((x, i) => compare(sup[start + i]!, x) === 0)) return true;
  }
  return false;
}

/**
 * OPA counts down the set's size on every array member the set holds, so a
 * repeated member counts twice and an empty array holds nothing, not even
 * the empty set. Kept as OPA has it.
 */
function arraySetSubset(sup: Value[], sub: SetValue): boolean {
  let unmatched = sub.size;
  for (const x of sup) {
    if (sub.has(x)) unmatched--;
    if (unmatched === 0) return true;
  }
  return false;
}

export const OBJECTS: Builtin[] = [
  {
    name: 'object.get',
    arity: 3,
    call([o, key, fallback]) {
      const obj = objectOperand('object.get', o!, 1);
      if (!Array.isArray(key)) return obj.get(key!) ?? fallback!;
      if (key.length === 0) return obj;
      return find(obj, key) ?? fallback!;
    },
  },
  {
    name: 'object.keys',
    arity: 1,
    call: ([o]) => new SetValue(objectOperand('object.keys', o!, 1).keys()),
  },
  {
    name: 'object.union',
    arity: 2,
    call([a, b]) {
      const x = objectOperand('object.union', a!, 1);
      const y = objectOperand('object.union', b!, 2);
      return mergeObjects(x, y);
    },
  },
  {
    name: 'object.union_n',
    arity: 1,
    call([a]) {
      const xs = arrayOperand('object.union_n', a!, 1);
      let out = new ObjectValue();
      for (const x of xs) {
        if (!(x instanceof ObjectValue)) throw elementError('object.union_n', 1, xs, x, ['object']);
        out = mergeObjects(out, x);
      }
      return out;
    },
  },
  {
    name: 'object.remove',
    arity: 2,
    call([o, keys]) {
      const obj = objectOperand('object.remove', o!, 1);
      const drop = keysOperand('object.remove', keys!);
      return new ObjectValue(obj.entries().filter(([k]) => !drop.has(k)));
    },
  },
  {
    name: 'object.filter',
    arity: 2,
    call([o, keys]) {
      const obj = objectOperand('object.filter', o!, 1);
      const keep = keysOperand('object.filter', keys!);
      return new ObjectValue(obj.entries().filter(([k]) => keep.has(k)));
    },
  },
  {
    name: 'object.subset',
    arity: 2,
    call([sup, sub]) {
      if (sup instanceof ObjectValue && sub instanceof ObjectValue) return objectSubset(sup, sub);
      if (sup instanceof SetValue && sub instanceof SetValue) return setSubset(sup, sub);
      if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
      if (Array.isArray(sup) && sub instanceof SetValue) return arraySetSubset(sup, sub);
      throw new BuiltinError('eval_type_error', 'object.subset: both arguments object.subset must be of the same type or array and set');
    },
  },
];
