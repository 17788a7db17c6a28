/**
 * Tenant authentication: `Authorization: Bearer <key>`, the keys being the
 * plan's secret references resolved at start. Keys are kept only as SHA-256
 * digests and compared with timingSafeEqual against every tenant's digests
 * (no early exit), so neither the comparison nor the lookup time tells an
 * attacker how close a guess was or which tenant it matched.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { RtTenant } from '../runtime/tables.ts';

/** Keys longer than this are not keys (and are not hashed). */
const MAX_KEY_LENGTH = 4096;

/** One-shot SHA-256 (no Hash object per request). */
const digest = (key: string): Buffer => hash('sha256', key, 'buffer');

export class TenantKeys {
  private readonly digests: Buffer[] = [];
  private readonly owners: RtTenant[] = [];

  /** `keys`: each tenant with its resolved keys. A key shared by two tenants is refused (it could not say who is calling). */
  constructor(keys: ReadonlyArray<{ tenant: RtTenant; keys: readonly string[] }>) {
    const seen = new Map<string, string>();
    for (const { tenant, keys: list } of keys)
      for (const key of list) {
        const d = digest(key);
        const hex = d.toString('hex');
        const other = seen.get(hex);
        if (other !== undefined && other !== tenant.id)
          throw new Error(`tenants ${other} and ${tenant.id} resolve to the same API key; every tenant needs its own`);
        seen.set(hex, tenant.id);
        this.digests.push(d);
        this.owners.push(tenant);
      }
  }

  get size(): number {
    return this.digests.length;
  }

  /** The tenant whose key the Authorization header carries; null when there is none or it is unknown. */
  authenticate(header: string | undefined): RtTenant | null {
    if (header === undefined || header.length > MAX_KEY_LENGTH + 7) return null;
    if (header.length < 8 || header.charCodeAt(6) !== 0x20 || header.slice(0, 6).toLowerCase() !== 'bearer') return null;
    const key = header.slice(7).trim();
    if (key === '') return null;
    const d = digest(key);
    let found: RtTenant | null = null;
    for (let i = 0; i < this.digests.length; i++) if (timingSafeEqual(d, this.digests[i]!)) found = this.owners[i]!;
    return found;
  }
}
