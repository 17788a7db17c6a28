/**
 * Reading a field of a HashiCorp Vault KV version 2 secret over Vault's HTTP
 * API (GET /v1/{mount}/data/{path}, X-Vault-Token; api-docs/secret/kv/kv-v2).
 * `vault:secret/switchyard/openai#key` reads field `key` of path
 * `switchyard/openai` on mount `secret`.
 */
import { limitedFetch } from '../net/limited-fetch.ts';
import { SecretError } from './errors.ts';

export interface VaultConfig {
  /** VAULT_ADDR, e.g. https://vault.internal:8200 */
  addr: string;
  /** VAULT_TOKEN */
  token: string;
  /** VAULT_NAMESPACE (Enterprise) */
  namespace?: string;
  timeoutMs?: number;
  maxBytes?: number;
}

/** Secrets are small: 1 MB is far above any key, far below harm. */
const MAX_SECRET_BYTES = 1 << 20;

/** The key/value data of the latest version of `path` (mount first). */
export async function readKv2(cfg: VaultConfig, path: string): Promise<Record<string, unknown>> {
  const [mount, ...rest] = path.split('/');
  if (!mount || rest.length === 0 || rest.some((s) => s === '' || s === '.' || s === '..'))
    throw new SecretError(`vault path "${path}" must be <mount>/<path> (for example secret/switchyard/openai)`);
  const url = `${cfg.addr.replace(/\/+$/, '')}/v1/${encodeURIComponent(mount)}/data/${rest.map(encodeURIComponent).join('/')}`;
  const headers: Record<string, string> = { 'X-Vault-Token': cfg.token };
  if (cfg.namespace) headers['X-Vault-Namespace'] = cfg.namespace;
  const res = await limitedFetch(url, {
    headers,
    timeoutMs: cfg.timeoutMs ?? 5_000,
    maxBytes: cfg.maxBytes ?? MAX_SECRET_BYTES,
  });
  let body: { data?: { data?: unknown; metadata?: { deletion_time?: string; destroyed?: boolean } } | null; errors?: unknown; warnings?: unknown };
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new SecretError(`vault ${path}: HTTP ${res.status} without a JSON body (is VAULT_ADDR a Vault server?)`);
  }
  if (res.status === 200 && body.data && typeof body.data.data === 'object' && body.data.data !== null) return body.data.data as Record<string, unknown>;
  if (res.status === 404) {
    // A 404 that carries data is a deleted or destroyed version, not a missing path (kv-v2.mdx; vault-client-go#246).
    if (body.data?.metadata?.destroyed) throw new SecretError(`vault ${path}: the latest version was destroyed`);
    if (body.data?.metadata?.deletion_time) throw new SecretError(`vault ${path}: the latest version was deleted`);
    if (Array.isArray(body.warnings) && body.warnings.length > 0) throw new SecretError(`vault ${path}: not found (${String(body.warnings[0])})`);
    throw new SecretError(`vault ${path}: no such secret`);
  }
  if (res.status === 403) throw new SecretError(`vault ${path}: permission denied (check VAULT_TOKEN and its policy)`);
  const errors = Array.isArray(body.errors) ? body.errors.map(String).join('; ').replace(/\s+/g, ' ').trim() : '';
  throw new SecretError(`vault ${path}: HTTP ${res.status}${errors ? ` (${errors})` : ''}`);
}
