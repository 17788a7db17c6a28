/**
 * Secret references in LiteLLM's form. The proxy resolves any config value
 * `os.environ/NAME` through `get_secret` (litellm/secret_managers/main.py),
 * so a secret is never written out.
 *
 * By default every reference is an environment variable:
 * - `env:NAME` -> `os.environ/NAME`;
 * - `vault:<path>#<field>` -> `os.environ/VAULT_<PATH>_<FIELD>`
 *   (src/plan/secret-ref.ts, vaultEnvName), a variable the deployment fills
 *   from Vault: a Vault agent template, the Vault Secrets Operator or the
 *   External Secrets Operator. The header lists each such variable with the
 *   reference it must hold.
 *
 * Only with `targets.litellm.enterprise` are Vault references read by
 * LiteLLM itself (`general_settings.key_management_system: hashicorp_vault`),
 * because that integration is narrow and fails quietly, as read in
 * BerriAI/litellm:
 * - HashicorpSecretManager.__init__ raises unless `premium_user` (LiteLLM
 *   Enterprise) (litellm/secret_managers/hashicorp_secret_manager.py
 *   @00e06b862370b670316c20336cb2bf1534ea7685);
 * - it reads `<mount>/data/<name>` and returns `data.data.key`, nothing else
 *   (get_url hard-codes the mount `secret`; newer releases read
 *   HCP_VAULT_MOUNT_NAME; _get_secret_value_from_json_response reads "key");
 * - a failed read is logged and returns None; get_secret then falls back to
 *   os.getenv(name) (main.py @033d7ba414acf6fcdcd1245c6c96c63500429c65), which for a
 *   name like `switchyard/openai` is unset: the deployment gets api_key None and
 *   no error at start-up.
 * So with Enterprise on, a reference LiteLLM cannot read exactly (another
 * field, no mount, a second mount) is an error, never a best effort.
 */
import { diagnostic, type Diagnostic } from '../../diagnostics/diagnostic.ts';
import { vaultEnvName } from '../../plan/secret-ref.ts';
import type { PlanSecretRef } from '../../plan/types.ts';

export const DEFAULT_VAULT_MOUNT = 'secret';

/** An environment variable the config reads that the deployment must fill from Vault. */
export interface VaultEnv {
  name: string;
  ref: string;
}

export class SecretMapper {
  /** Names LiteLLM reads from Vault itself (Enterprise: hosted_keys), in first-use order. */
  readonly vaultNames: string[] = [];
  /** Names read from the environment, in first-use order. */
  readonly envNames: string[] = [];
  /** The environment variables that stand for vault: references (not Enterprise). */
  readonly vaultEnv: VaultEnv[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** Enterprise only: the one Vault mount, `secret` when any reference uses it, else the first one's. */
  readonly mount: string | null;

  /** `refs`: every reference the config will name, in output order. */
  constructor(
    refs: readonly PlanSecretRef[],
    private readonly enterprise: boolean,
  ) {
    const mounts = refs.flatMap((r) => (r.scheme === 'vault' && r.path.indexOf('/') > 0 ? [r.path.slice(0, r.path.indexOf('/'))] : []));
    this.mount = enterprise ? (mounts.includes(DEFAULT_VAULT_MOUNT) ? DEFAULT_VAULT_MOUNT : (mounts[0] ?? null)) : null;
  }

  /** The config value for `ref`, found at plan path `at`. */
  value(ref: PlanSecretRef, at: string): string {
    if (ref.scheme === 'env') return `os.environ/${this.env(ref.name, ref.ref, at)}`;
    if (!this.enterprise) {
      const name = vaultEnvName(ref);
      if (!this.vaultEnv.some((v) => v.name === name)) this.vaultEnv.push({ name, ref: ref.ref });
      return `os.environ/${this.env(name, ref.ref, at)}`;
    }
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
      if (!this.vaultNames.includes(name)) this.vaultNames.push(name);
      return `os.environ/${name}`;
    }
    const fallback = vaultEnvName(ref);
    // One Diagnostic per reference site, however many deployments use the provider.
    if (!this.diagnostics.some((d) => d.path === at && d.message.includes(ref.ref)))
      this.diagnostics.push(
        diagnostic(
          'error',
          'litellm-vault-unsupported',
          `${problem}; LiteLLM would return None for it without an error, so the config names os.environ/${fallback} instead, which nothing sets`,
          at,
          {
            hint: `store the secret in the field "key" (vault:${ref.path}#key) on the mount the other Vault references use, or turn targets.litellm.enterprise off to have the deployment fill ${fallback} from Vault`,
          },
        ),
      );
    return `os.environ/${this.env(fallback, ref.ref, at)}`;
  }

  /** Records an environment variable; two references that would share one variable are an error. */
  private env(name: string, ref: string, at: string): string {
    if (!this.envNames.includes(name)) this.envNames.push(name);
    const owner = this.owners.get(name);
    if (owner === undefined) this.owners.set(name, ref);
    else if (owner !== ref)
      this.diagnostics.push(
        diagnostic('error', 'litellm-secret-env-clash', `${ref} and ${owner} would both be read from the environment variable ${name}`, at, {
          hint: 'rename one of the references: each environment variable holds one secret',
        }),
      );
    return name;
  }

  private readonly owners = new Map<string, string>();
}
