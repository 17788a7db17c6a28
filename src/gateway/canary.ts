/**
 * Canary: a share of requests runs on a second plan while the rest stays on
 * the stable one, and the canary is dropped on its own when it does worse
 * than the plan allows (canary-judge.ts). Which requests: a stable hash of
 * the tenant and the request id (FNV-1a, 10,000 buckets), so the split is
 * even, does not depend on arrival order, and is the same in every gateway.
 */

const CANARY_BUCKETS = 10_000;

/** 0..9999, the same for the same tenant and request id in every process. */
export function canaryBucket(tenant: string, requestId: string): number {
  let h = 0x811c9dc5;
  const s = `${tenant}\u0000${requestId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % CANARY_BUCKETS;
}

/** Runs on the canary when its bucket is below `percent` of the buckets. */
export const inCanary = (bucket: number, percent: number): boolean => bucket < Math.round(percent * (CANARY_BUCKETS / 100));
