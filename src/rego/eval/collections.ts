/**
 * Reading Rego collections by key and member. Kept apart from the evaluator
 * so the rule-document code (documents.ts), which the evaluator calls, can
 * use them without importing the evaluator back.
 */
import { ObjectValue, SetValue, type Value } from '../value.ts';

export function lookup(v: Value | undefined, key: Value): Value | undefined {
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) return typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < v.length ? v[key] : undefined;
  if (v instanceof SetValue) return v.has(key) ? key : undefined;
  return v.get(key);
}

/** Members of a collection as [key, value] pairs (sets: [member, member]). */
export function members(v: Value): Array<[Value, Value]> | null {
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (v instanceof SetValue) return v.sorted().map((x) => [x, x]);
  if (v instanceof ObjectValue) return v.entries();
  return null;
}

/** The string an integer key reads as in a base document object. */
export function dataKey(container: Value | undefined, key: Value): Value {
  return container instanceof ObjectValue && (typeof key === 'number' || typeof key === 'bigint') && Number.isInteger(Number(key)) ? String(key) : key;
}
