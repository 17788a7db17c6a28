/**
 * Secret references in LiteLLM's form. The proxy resolves any config value
 * `os.environ/NAME` through `get_secret` (litellm/proxy/proxy_server.py,
 * `_check_for_os_environ_vars`), so a secret is never written out.
 *
 * `env:NAME` -> `os.environ/NAME`.
 *
 * `vault:<mount>/<name>#key` -> `os.environ/<name>` plus
 * `general_settings.key_management_system: hashicorp_vault`. With that
 * setting `get_secret` reads `<name>` from Vault's KV v2 engine at
 * `<mount>/data/<name>` and returns the field `key` of the secret
 * (litellm/secret_managers/main.py and hashicorp_secret_manager.py, BerriAI/litellm;
 * docs: https://docs.litellm.ai/docs/secret_managers/hashicorp_vault, "How it
 * works" and "Expected Secret Format"). `key_management_settings.hosted_keys`
 * lists exactly those names, so every other `os.environ/` value is still read
 * from the environment. The Vault integration is a LiteLLM Enterprise feature.
 *
 * No faithful form, hence an error Diagnostic (never a literal):
 * - a field other than `key`: LiteLLM reads only `data.data.key`;
 * - a path without a mount, or a second mount: the mount is one setting for
 *   the whole proxy (`secret` in the code read; newer releases read
 *   HCP_VAULT_MOUNT_NAME).
 * The config then names an environment variable derived from the reference
 * (`SWITCHYARD_VAULT_...`) that nothing sets, so the deployment fails closed
 * rather than picking up some other key.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { PlanSecretRef } from '../../plan/types.ts';

export const DEFAULT_VAULT_MOUNT = 'secret';

export class SecretMapper {
  /** Names read from Vault (hosted_keys), in first-use order. */
  readonly vaultNames: string[] = [];
  /** Names read from the environment, in first-use order. */
  readonly envNames: string[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** The one Vault mount: `secret` when any reference uses it (every LiteLLM release reads it), else the first one's. */
  readonly mount: string | null;

  /** `refs`: every reference the config will name, in output order. */
  constructor(refs: readonly PlanSecretRef[]) {
    const mounts = refs.flatMap((r) => (r.scheme === 'vault' && r.path.indexOf('/') > 0 ? [r.path.slice(0, r.path.indexOf('/'))] : []));
    this.mount = mounts.includes(DEFAULT_VAULT_MOUNT) ? DEFAULT_VAULT_MOUNT : (mounts[0] ?? null);
  }

  /** The config value for `ref`, found at plan path `at`. */
  value(ref: PlanSecretRef, at: string): string {
    if (ref.scheme === 'env') return `os.environ/${this.use(this.envNames, ref.name)}`;
    const slash = ref.path.indexOf('/');
    const mount = slash > 0 ? ref.path.slice(0, slash) : null;
    const name = slash > 0 ? ref.path.slice(slash + 1) : ref.path;
    const problem =
      ref.field !== 'key'
        ? `LiteLLM's Vault integration reads only the field "key" of a KV v2 secret, and ${ref.ref} names the field "${ref.field}"`
        : mount === null || name === ''
          ? `LiteLLM reads Vault secrets as <mount>/<name>, and ${ref.ref} has no mount`
          : mount !== this.mount
            ? `LiteLLM reads every Vault secret from one mount ("${this.mount}"), and ${ref.ref} is on "${mount}"`
            : null;
    if (problem === null) {
      return `os.environ/${this.use(this.vaultNames, name)}`;
    }
    const bridge = bridgeName(ref);
    // One Diagnostic per reference site, however many deployments use the provider.
    if (!this.diagnostics.some((d) => d.path === at && d.message.includes(ref.ref)))
      this.diagnostics.push(
        diagnostic('error', 'litellm-vault-unsupported', `${problem}; the LiteLLM config names os.environ/${bridge} instead, which nothing sets`, at, {
          hint: `store the secret in the field "key" (vault:${ref.path}#key), on the mount the other Vault references use, or reference it as env:NAME`,
        }),
      );
    return `os.environ/${this.use(this.envNames, bridge)}`;
  }

  private use(list: string[], name: string): string {
    if (!list.includes(name)) list.push(name);
    return name;
  }
}

/** `vault:secret/a/b#api_key` -> `SWITCHYARD_VAULT_SECRET_A_B_API_KEY`. */
function bridgeName(ref: Extract<PlanSecretRef, { scheme: 'vault' }>): string {
  return `SWITCHYARD_VAULT_${`${ref.path}_${ref.field}`
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`;
}
