/**
 * Turns secret references (`env:NAME`, `vault:path#field`) into their
 * values, for the serving side (gateway, batch runner) at start and on
 * reload. The compiler never resolves secrets: generated files carry only
 * references.
 *
 * A path read from Vault is fetched once per resolver, however many fields
 * of it are used. Values are returned, never logged; errors name the
 * reference only.
 */
import { SecretError } from './errors.ts';
import { readKv2, type VaultConfig } from './vault.ts';

export { SecretError } from './errors.ts';

export interface SecretResolverOptions {
  env?: NodeJS.ProcessEnv;
  /** Vault settings; default from VAULT_ADDR / VAULT_TOKEN / VAULT_NAMESPACE in `env`. */
  vault?: VaultConfig;
}

export interface SecretResolver {
  resolve(ref: string): Promise<string>;
  /** Every reference at once; fails on the first that cannot be resolved, naming it. */
  resolveAll(refs: Iterable<string>): Promise<Map<string, string>>;
}

function vaultFromEnv(env: NodeJS.ProcessEnv): VaultConfig | undefined {
  const addr = env.VAULT_ADDR;
  const token = env.VAULT_TOKEN;
  if (!addr || !token) return undefined;
  return { addr, token, ...(env.VAULT_NAMESPACE ? { namespace: env.VAULT_NAMESPACE } : {}) };
}

export function createSecretResolver(opts: SecretResolverOptions = {}): SecretResolver {
  const env = opts.env ?? process.env;
  const vault = opts.vault ?? vaultFromEnv(env);
  const paths = new Map<string, Promise<Record<string, unknown>>>();

  const resolve = async (ref: string): Promise<string> => {
    if (ref.startsWith('env:')) {
      const name = ref.slice(4);
      const v = env[name];
      if (v === undefined || v === '') throw new SecretError(`${ref}: environment variable ${name} is not set`);
      return v;
    }
    const hash = ref.lastIndexOf('#');
    if (!ref.startsWith('vault:') || hash < 7 || hash === ref.length - 1)
      throw new SecretError(`${JSON.stringify(ref)} is not a secret reference (env:NAME or vault:path#field)`);
    if (!vault) throw new SecretError(`${ref}: set VAULT_ADDR and VAULT_TOKEN to read secrets from Vault`);
    const path = ref.slice(6, hash);
    const field = ref.slice(hash + 1);
    let data = paths.get(path);
    if (!data) {
      data = readKv2(vault, path);
      paths.set(path, data);
      // A failed read is not cached: a reload retries it.
      data.catch(() => paths.delete(path));
    }
    const v = (await data)[field];
    if (typeof v !== 'string' || v === '') throw new SecretError(`${ref}: field "${field}" is ${v === undefined ? 'missing' : 'not a non-empty string'}`);
    return v;
  };

  return {
    resolve,
    async resolveAll(refs) {
      const unique = [...new Set(refs)].sort();
      const values = await Promise.all(unique.map(resolve));
      return new Map(unique.map((r, i) => [r, values[i]!]));
    },
  };
}
