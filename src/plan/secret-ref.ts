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

/**
 * The environment variable a `vault:` reference is delivered in when a
 * process reads it from its environment (a Vault agent or secret operator
 * fills it): `vault:secret/switchyard/openai#key` -> `VAULT_SECRET_SWITCHYARD_OPENAI_KEY`.
 * Deterministic, so the generated config and the deployment agree on it.
 */
export function vaultEnvName(ref: Extract<PlanSecretRef, { scheme: 'vault' }>): string {
  return `VAULT_${`${ref.path}_${ref.field}`
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`;
}
