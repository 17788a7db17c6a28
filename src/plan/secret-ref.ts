import type { PlanSecretRef } from './types.ts';

/**
 * `env:NAME` or `vault:path#field` -> its parts, so the runtime and the
 * emitters never re-parse the string. The policy schema already guarantees
 * the format; anything else here is a compiler bug, hence a throw.
 */
export function parseSecretRef(ref: string): PlanSecretRef {
  if (ref.startsWith('env:')) return { ref, scheme: 'env', name: ref.slice(4) };
  if (ref.startsWith('vault:')) {
    const hash = ref.lastIndexOf('#');
    if (hash > 6) return { ref, scheme: 'vault', path: ref.slice(6, hash), field: ref.slice(hash + 1) };
  }
  throw new Error(`not a secret reference: ${ref}`);
}
