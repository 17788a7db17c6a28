/**
 * IP addresses and CIDR blocks as Go's net package reads and prints them:
 * IPv4 dotted quads, IPv6 (with "::" and an embedded IPv4 tail), addresses
 * as bigints with their bit width.
 */
import { isIP } from 'node:net';

export interface Addr {
  value: bigint;
  bits: 32 | 128;
}

export interface Cidr {
  first: bigint;
  last: bigint;
  prefix: number;
  bits: 32 | 128;
}

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255 || (p.length > 1 && p.startsWith('0'))) return null;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

export function parseIP(s: string): Addr | null {
  if (isIP(s) === 4) {
    const v = parseV4(s);
    return v === null ? null : { value: v, bits: 32 };
  }
  if (isIP(s) !== 6 || s.includes('%')) return null;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (x: string | undefined) => (x ? x.split(':').map((g) => BigInt(`0x${g}`)) : []);
  const h = groups(head);
  const r = groups(rest);
  const all = rest === undefined ? h : [...h, ...new Array<bigint>(8 - h.length - r.length).fill(0n), ...r];
  if (all.length !== 8) return null;
  const value = all.reduce((acc, g) => (acc << 16n) | g, 0n);
  // An IPv4-mapped address is an IPv4 address to Go.
  if (value >> 32n === 0xffffn) return { value: value & 0xffffffffn, bits: 32 };
  return { value, bits: 128 };
}

export function parseCIDR(s: string): Cidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const addr = parseIP(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(p)) return null;
  const bits = isIP(s.slice(0, slash)) === 6 ? 128 : addr.bits;
  const prefix = Number(p);
  if (prefix > bits) return null;
  const value = bits === 128 && addr.bits === 32 ? addr.value | (0xffffn << 32n) : addr.value;
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  const cidr = { first, last: first | ((1n << hostBits) - 1n), prefix, bits: bits as 32 | 128 };
  return bits === 128 && addr.bits === 32 && prefix >= 96 ? toV4(cidr) : cidr;
}

function toV4(c: Cidr): Cidr {
  return { first: c.first & 0xffffffffn, last: c.last & 0xffffffffn, prefix: c.prefix - 96, bits: 32 };
}

export function formatIP(a: Addr): string {
  if (a.bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((a.value >> s) & 0xffn)).join('.');
  const groups = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((a.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (of two or more) of zero groups becomes "::", the first on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export const formatCIDR = (c: Cidr): string => `${formatIP({ value: c.first, bits: c.bits })}/${c.prefix}`;
