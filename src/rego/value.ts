/**
 * Rego values. JSON covers most of them, but Rego also has sets and objects
 * whose keys may be any value (numbers, arrays, even sets), so those two get
 * classes keyed by a canonical string. Arrays are plain JS arrays.
 *
 * Numbers: OPA keeps integers exact at any size. Here an integer within
 * float64's safe range is a JS number and any integer beyond it a bigint
 * (never the other way round: `normalizeNumber` keeps that invariant, so
 * each number has one representation and canonical keys compare by value).
 * Other numbers are JS numbers. Values are immutable once built: builders copy.
 */

import { createHash } from 'node:crypto';

export type Value = null | boolean | number | bigint | string | Value[] | ObjectValue | SetValue;

/** An integer beyond 2^53 as a bigint, a bigint within it as a number: the one representation of a number value. */
export function normalizeNumber(n: number | bigint): number | bigint {
  if (typeof n === 'bigint') return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n;
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return BigInt(n);
  return n === 0 ? 0 : n;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const isNumber = (v: Value | undefined): v is number | bigint => typeof v === 'number' || typeof v === 'bigint';

/** Canonical text of a value: equal values have equal keys (sets and objects independent of insertion order). */
export function canonicalKey(v: Value): string {
  if (v === null) return 'n';
  switch (typeof v) {
    case 'boolean':
      return v ? 't' : 'f';
    case 'number':
      return `#${Object.is(v, -0) ? 0 : v}`;
    case 'bigint':
      return `#${v}`;
    case 'string':
      return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalKey).join(',')}]`;
  if (v instanceof SetValue) return `s{${v.sortedKeys().join(',')}}`;
  return `o{${v
    .sortedEntries()
    .map(([k, val]) => `${canonicalKey(k)}:${canonicalKey(val)}`)
    .join(',')}}`;
}

/**
 * The key a set member or object key is stored under: canonicalKey, except
 * that a top-level string skips JSON escaping (`"` + text). No other
 * canonical key starts with `"` unescaped at the top, so keys stay one per
 * value; strings are by far the most common keys, and this spares a
 * JSON.stringify on every lookup.
 */
const memberKey = (v: Value): string => (typeof v === 'string' ? `"${v}` : canonicalKey(v));

export class SetValue {
  private readonly items = new Map<string, Value>();

  constructor(values: Iterable<Value> = []) {
    for (const v of values) this.items.set(memberKey(v), v);
  }

  get size(): number {
    return this.items.size;
  }

  has(v: Value): boolean {
    return this.items.has(memberKey(v));
  }

  /** Mutates: only for builders that own the set before handing it out. */
  add(v: Value): this {
    this.items.set(memberKey(v), v);
    return this;
  }

  values(): Value[] {
    return [...this.items.values()];
  }

  /** Members in Rego's sort order. */
  sorted(): Value[] {
    return this.values().sort(compare);
  }

  sortedKeys(): string[] {
    return this.sorted().map(canonicalKey);
  }

  [Symbol.iterator](): Iterator<Value> {
    return this.items.values();
  }
}

export class ObjectValue {
  private readonly entriesByKey = new Map<string, [Value, Value]>();

  constructor(entries: Iterable<readonly [Value, Value]> = []) {
    for (const [k, v] of entries) this.entriesByKey.set(memberKey(k), [k, v]);
  }

  static fromRecord(rec: Record<string, Value>): ObjectValue {
    return new ObjectValue(Object.entries(rec));
  }

  get size(): number {
    return this.entriesByKey.size;
  }

  get(k: Value): Value | undefined {
    return this.entriesByKey.get(memberKey(k))?.[1];
  }

  has(k: Value): boolean {
    return this.entriesByKey.has(memberKey(k));
  }

  /** Mutates: only for builders that own the object before handing it out. */
  set(k: Value, v: Value): this {
    this.entriesByKey.set(memberKey(k), [k, v]);
    return this;
  }

  keys(): Value[] {
    return [...this.entriesByKey.values()].map(([k]) => k);
  }

  entries(): Array<[Value, Value]> {
    return [...this.entriesByKey.values()];
  }

  /** Entries sorted by key in Rego's order. */
  sortedEntries(): Array<[Value, Value]> {
    return this.entries().sort((a, b) => compare(a[0], b[0]));
  }

  [Symbol.iterator](): Iterator<[Value, Value]> {
    return this.entriesByKey.values();
  }
}

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'set';

export function typeName(v: Value): TypeName {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof SetValue) return 'set';
  if (v instanceof ObjectValue) return 'object';
  if (typeof v === 'bigint') return 'number';
  return typeof v as 'boolean' | 'number' | 'string';
}

/** OPA's order between types: null < boolean < number < string < array < object < set. */
const TYPE_ORDER: Record<TypeName, number> = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 };

export function compare(a: Value, b: Value): number {
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return TYPE_ORDER[ta] - TYPE_ORDER[tb];
  switch (ta) {
    case 'null':
      return 0;
    case 'boolean':
      return Number(a) - Number(b);
    case 'number':
      // JS compares a bigint with a number exactly.
      return (a as number | bigint) < (b as number | bigint) ? -1 : (a as number | bigint) > (b as number | bigint) ? 1 : 0;
    case 'string':
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 'array': {
      const x = a as Value[];
      const y = b as Value[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    case 'object': {
      const x = (a as ObjectValue).sortedEntries();
      const y = (b as ObjectValue).sortedEntries();
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const ck = compare(x[i]![0], y[i]![0]);
        if (ck !== 0) return ck;
        const cv = compare(x[i]![1], y[i]![1]);
        if (cv !== 0) return cv;
      }
      return x.length - y.length;
    }
    case 'set': {
      const x = (a as SetValue).sorted();
      const y = (b as SetValue).sorted();
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
  }
}

/** Scalars compare directly (one representation per number, see normalizeNumber); composites by canonical text. */
export const equal = (a: Value, b: Value): boolean => {
  if (a === null || typeof a !== 'object' || b === null || typeof b !== 'object') {
    if (typeof a === 'bigint' && typeof b === 'number') return Number.isInteger(b) && a === BigInt(b);
    if (typeof b === 'bigint' && typeof a === 'number') return Number.isInteger(a) && b === BigInt(a);
    return a === b;
  }
  return canonicalKey(a) === canonicalKey(b);
};

/** From parsed JSON (or YAML): plain objects become ObjectValues with string keys. */
export function fromJSON(js: unknown): Value {
  if (js === null || js === undefined) return null;
  if (typeof js === 'boolean' || typeof js === 'string') return js;
  if (typeof js === 'number' || typeof js === 'bigint') return normalizeNumber(js);
  if (Array.isArray(js)) return js.map(fromJSON);
  if (js instanceof SetValue || js instanceof ObjectValue) return js;
  if (js instanceof Set) return new SetValue([...js].map(fromJSON));
  if (js instanceof Map) return new ObjectValue([...js].map(([k, v]) => [fromJSON(k), fromJSON(v)] as const));
  return new ObjectValue(Object.entries(js as Record<string, unknown>).map(([k, v]) => [k, fromJSON(v)] as const));
}

/**
 * To JSON the way OPA serialises results: sets become arrays in sort order,
 * non-string object keys become their JSON text.
 */
export function toJSON(v: Value): unknown {
  // JSON consumers read float64: a bigint becomes the nearest one (json.marshal and print stay exact).
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toJSON);
  if (v instanceof SetValue) return v.sorted().map(toJSON);
  const out: Record<string, unknown> = {};
  for (const [k, val] of v.sortedEntries()) out[typeof k === 'string' ? k : JSON.stringify(toJSON(k))] = toJSON(val);
  return out;
}

/**
 * A short key for a value used as a function argument. User functions are
 * cached by their arguments; keying on the full canonical text of a large
 * document (a rule passing `input.plan`) copied and hashed that text on every
 * call, so such rules went quadratic. Composite arguments are keyed by a
 * digest of their canonical text, computed once per value object (values are
 * immutable once handed out).
 */
const argDigests = new WeakMap<object, string>();

export function argKey(v: Value): string {
  if (v === null || typeof v !== 'object') return canonicalKey(v);
  let key = argDigests.get(v);
  if (key === undefined) {
    key = `~${createHash('sha256').update(canonicalKey(v)).digest('base64')}`;
    argDigests.set(v, key);
  }
  return key;
}
