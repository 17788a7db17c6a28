/**
 * uuid.rfc4122 (a random version 4 UUID, the same for the same key within
 * one query, as OPA caches it) and uuid.parse (the fields google/uuid
 * reports: version, variant, and for time-based UUIDs time, clock sequence
 * and node).
 */
import { randomUUID } from 'node:crypto';
import { normalizeNumber, ObjectValue, type Value } from '../value.ts';
import { builtinError, stringOperand } from './operands.ts';
import type { Builtin } from './types.ts';

const GREGORIAN_TO_UNIX_100NS = 122_192_928_000_000_000n;

function bytesOf(s: string): Buffer | null {
  let hex = s;
  if (hex.length === 45 && hex.toLowerCase().startsWith('urn:uuid:')) hex = hex.slice(9);
  else if (hex.length === 38 && hex.startsWith('{') && hex.endsWith('}')) hex = hex.slice(1, -1);
  if (hex.length === 36) {
    if (hex[8] !== '-' || hex[13] !== '-' || hex[18] !== '-' || hex[23] !== '-') return null;
    hex = hex.replace(/-/g, '');
  }
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return null;
  return Buffer.from(hex, 'hex');
}

function variant(b: number): string {
  if ((b & 0xc0) === 0x80) return 'RFC4122';
  if ((b & 0xe0) === 0xc0) return 'Microsoft';
  if ((b & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

const DOMAINS = ['Person', 'Group', 'Org'];

function parseUUID(s: string): Value {
  const u = bytesOf(s);
  if (!u) throw builtinError('uuid.parse', `invalid UUID ${JSON.stringify(s)}`);
  const version = u[6]! >> 4;
  const out = new ObjectValue().set('version', version).set('variant', variant(u[8]!));
  if (version === 1 || version === 2) {
    const t100 = BigInt(u.readUInt32BE(0)) | (BigInt(u.readUInt16BE(4)) << 32n) | (BigInt(u.readUInt16BE(6) & 0x0fff) << 48n);
    out.set('time', normalizeNumber((t100 - GREGORIAN_TO_UNIX_100NS) * 100n));
    out.set('clocksequence', u.readUInt16BE(8) & 0x3fff);
    const node = u.subarray(10, 16);
    out.set('nodeid', [...node].map((b) => b.toString(16).padStart(2, '0')).join('-'));
    out.set('macvariables', `${node[0]! & 0x02 ? 'local' : 'global'}:${node[0]! & 0x01 ? 'multicast' : 'unicast'}`);
    if (version === 2) {
      out.set('domain', DOMAINS[u[9]!] ?? `Domain${u[9]}`);
      out.set('id', u.readUInt32BE(0));
    }
  }
  return out;
}

export const UUID: Builtin[] = [
  {
    name: 'uuid.rfc4122',
    arity: 1,
    call([k], ctx) {
      const key = `uuid.rfc4122:${stringOperand('uuid.rfc4122', k!, 1)}`;
      let v = ctx.memo.get(key);
      if (v === undefined) {
        v = randomUUID();
        ctx.memo.set(key, v);
      }
      return v;
    },
  },
  { name: 'uuid.parse', arity: 1, call: ([s]) => parseUUID(stringOperand('uuid.parse', s!, 1)) },
];
