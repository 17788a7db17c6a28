/**
 * net.cidr_*: containment, intersection, expansion, merging and validity of
 * CIDR blocks (IPv4 and IPv6, ip.ts). net.lookup_ip_addr is in network.ts.
 */
import { ObjectValue, SetValue, typeName, type Value } from '../value.ts';
import { type Cidr, formatCIDR, formatIP, parseCIDR, parseIP } from './ip.ts';
import { builtinError, stringOperand } from './operands.ts';
import { operandTypeError, type Builtin } from './types.ts';

/** Expanding more addresses than this is refused: a /8 would be 16 million strings. */
const MAX_EXPAND = 1 << 16;

function cidrOperand(name: string, v: Value, position: number): Cidr {
  const s = stringOperand(name, v, position);
  const c = parseCIDR(s);
  if (!c) throw builtinError(name, `invalid CIDR address: ${s}`);
  return c;
}

/** A CIDR block, or a single address as a block of one. */
function cidrOrIP(s: string): Cidr | null {
  const ip = parseIP(s);
  if (ip) return { first: ip.value, last: ip.value, prefix: ip.bits, bits: ip.bits };
  return parseCIDR(s);
}

const contains = (a: Cidr, b: Cidr): boolean => a.bits === b.bits && a.first <= b.first && b.last <= a.last;

const overlaps = (a: Cidr, b: Cidr): boolean => a.bits === b.bits && a.first <= b.last && b.first <= a.last;

/** Keys and CIDR strings of cidr_contains_matches' operands: a string, or a collection of strings or [string, ...] tuples. */
function entries(name: string, v: Value, position: number): Array<[Value, string]> {
  const text = (x: Value): string => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x) && typeof x[0] === 'string') return x[0];
    throw operandTypeError(name, position, ['string', 'array'], typeName(x));
  };
  if (typeof v === 'string') return [[v, v]];
  if (Array.isArray(v)) return v.map((x, i) => [i, text(x)]);
  if (v instanceof SetValue) return v.sorted().map((x) => [x, text(x)]);
  if (v instanceof ObjectValue) return v.sortedEntries().map(([k, x]) => [k, text(x)]);
  throw operandTypeError(name, position, ['string', 'array', 'set', 'object'], typeName(v));
}

/** The fewest blocks covering exactly the given ones (Go's netaddr-style merge, as OPA's net.cidr_merge). */
function mergeCidrs(blocks: Cidr[]): Cidr[] {
  const out: Cidr[] = [];
  for (const bits of [32, 128] as const) {
    const ranges = blocks
      .filter((b) => b.bits === bits)
      .map((b) => [b.first, b.last] as [bigint, bigint])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: Array<[bigint, bigint]> = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (!last || r[0] > last[1] + 1n) merged.push([r[0], r[1]]);
      else if (r[1] > last[1]) last[1] = r[1];
    }
    for (let [start, end] of merged) {
      while (start <= end) {
        let size = 0;
        while (size < bits && start % (1n << BigInt(size + 1)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= end) size++;
        out.push({ first: start, last: start + (1n << BigInt(size)) - 1n, prefix: bits - size, bits });
        start += 1n << BigInt(size);
      }
    }
  }
  return out;
}

export const NET: Builtin[] = [
  {
    name: 'net.cidr_contains',
    arity: 2,
    call([a, b]) {
      const outer = cidrOperand('net.cidr_contains', a!, 1);
      const s = stringOperand('net.cidr_contains', b!, 2);
      const inner = cidrOrIP(s);
      if (!inner) throw builtinError('net.cidr_contains', `invalid CIDR address: ${s}`);
      return contains(outer, inner);
    },
  },
  {
    name: 'net.cidr_intersects',
    arity: 2,
    call: ([a, b]) => overlaps(cidrOperand('net.cidr_intersects', a!, 1), cidrOperand('net.cidr_intersects', b!, 2)),
  },
  {
    name: 'net.cidr_is_valid',
    arity: 1,
    call: ([a]) => typeof a === 'string' && parseCIDR(a) !== null,
  },
  {
    name: 'net.cidr_expand',
    arity: 1,
    call([a]) {
      const c = cidrOperand('net.cidr_expand', a!, 1);
      if (c.last - c.first >= BigInt(MAX_EXPAND)) throw builtinError('net.cidr_expand', `CIDR too large to expand (more than ${MAX_EXPAND} addresses)`);
      const out = new SetValue();
      for (let v = c.first; v <= c.last; v++) out.add(formatIP({ value: v, bits: c.bits }));
      return out;
    },
  },
  {
    name: 'net.cidr_contains_matches',
    arity: 2,
    call([a, b]) {
      const name = 'net.cidr_contains_matches';
      const outers = entries(name, a!, 1).map(([k, s]) => {
        const c = parseCIDR(s);
        if (!c) throw builtinError(name, `invalid CIDR address: ${s}`);
        return [k, c] as const;
      });
      const out = new SetValue();
      for (const [kb, s] of entries(name, b!, 2)) {
        const inner = cidrOrIP(s);
        if (!inner) throw builtinError(name, `invalid CIDR address: ${s}`);
        for (const [ka, outer] of outers) if (contains(outer, inner)) out.add([ka, kb]);
      }
      return out;
    },
  },
  {
    name: 'net.cidr_merge',
    arity: 1,
    call([a]) {
      const name = 'net.cidr_merge';
      if (!Array.isArray(a) && !(a instanceof SetValue)) throw operandTypeError(name, 1, ['array', 'set'], typeName(a!));
      const blocks = (Array.isArray(a) ? a : a.sorted()).map((x) => {
        if (typeof x !== 'string') throw operandTypeError(name, 1, ['string'], typeName(x));
        const c = cidrOrIP(x);
        if (!c) throw builtinError(name, `invalid CIDR address: ${x}`);
        return c;
      });
      return new SetValue(mergeCidrs(blocks).map(formatCIDR));
    },
  },
];
