/**
 * Credentials of an imported config become secret references, never values.
 *
 * - `os.environ/NAME` (LiteLLM resolves it through `get_secret`,
 *   litellm/proxy/proxy_server.py) -> `env:NAME`; with
 *   `general_settings.key_management_system: hashicorp_vault`, a name LiteLLM
 *   reads from Vault (all of them, or those in `key_management_settings.hosted_keys`)
 *   -> `vault:secret/NAME#key`, the inverse of src/targets/litellm/secrets.ts.
 * - a literal -> `env:<GENERATED_NAME>`, and a warning at its line telling
 *   the user to export that variable. The literal itself goes nowhere: not
 *   into the policy, a comment, a diagnostic or a log line.
 */
import type { Path } from '../diagnostics/path.ts';
import { DEFAULT_VAULT_MOUNT } from '../targets/litellm/secrets.ts';
import { type Input, isObj } from './input.ts';

const ENV_PREFIX = 'os.environ/';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VAULT_NAME = /^[A-Za-z0-9_.-][A-Za-z0-9_./-]*$/;

export interface SecretValue {
  ref: string;
  /** Why the reference looks the way it does, for a comment beside it. */
  note?: string;
}

/** Every `os.environ/NAME` in a document, so generated names never reuse one. */
function environNames(v: unknown, out: Set<string>): Set<string> {
  if (typeof v === 'string' && v.startsWith(ENV_PREFIX)) out.add(v.slice(ENV_PREFIX.length));
  else if (Array.isArray(v)) for (const x of v) environNames(x, out);
  else if (isObj(v)) for (const x of Object.values(v)) environNames(x, out);
  return out;
}

export const isEnvironRef = (v: unknown): v is string => typeof v === 'string' && v.startsWith(ENV_PREFIX);

export class SecretImporter {
  private readonly taken: Set<string>;
  /** Literal -> generated name, so one key used twice is one variable. Kept in memory only. */
  private readonly literals = new Map<string, string>();
  private readonly vaultAll: boolean;
  private readonly vaultKeys: Set<string>;

  constructor(private readonly input: Input) {
    this.taken = environNames(input.value, new Set());
    const general = input.get(['general_settings']);
    const kms = isObj(general) ? general.key_management_system : undefined;
    const hosted = isObj(general) && isObj(general.key_management_settings) ? general.key_management_settings.hosted_keys : undefined;
    this.vaultKeys = new Set(Array.isArray(hosted) ? hosted.filter((h): h is string => typeof h === 'string') : []);
    this.vaultAll = kms === 'hashicorp_vault' && !Array.isArray(hosted);
    if (kms !== 'hashicorp_vault') this.vaultKeys.clear();
  }

  /**
   * The reference for the credential at `path`; `suggested` names the
   * variable a literal moves to (made unique and upper-case). Undefined
   * (with an error reported) when the value cannot be referenced.
   */
  reference(value: unknown, path: Path, suggested: string): SecretValue | undefined {
    if (isEnvironRef(value)) {
      const name = value.slice(ENV_PREFIX.length);
      if (this.vaultAll || this.vaultKeys.has(name)) {
        if (VAULT_NAME.test(name) && !name.includes('..'))
          return {
            ref: `vault:${DEFAULT_VAULT_MOUNT}/${name}#key`,
            note: `read from Vault by LiteLLM's key manager (field "key"); mount "${DEFAULT_VAULT_MOUNT}" assumed, as LiteLLM's default`,
          };
      } else if (ENV_NAME.test(name)) return { ref: `env:${name}` };
      this.input.report(
        'error',
        'import-secret-name',
        path,
        `${JSON.stringify(name)} is not an environment variable name Switchyard can reference`,
        'rename the variable to letters, digits and _',
      );
      return undefined;
    }
    if (value === undefined || value === null || value === '') return undefined;
    const literal = String(value);
    let name = this.literals.get(literal);
    if (name === undefined) {
      name = this.fresh(suggested);
      this.literals.set(literal, name);
    }
    this.input.report(
      'warning',
      'import-literal-secret',
      path,
      `a literal secret: the policy reads env:${name} instead, and the value is written nowhere`,
      `export ${name} with this value where Switchyard or LiteLLM runs, then remove the literal from the config`,
    );
    return { ref: `env:${name}`, note: `was a literal secret at ${this.input.where(path)}; export ${name} with its value` };
  }

  /** A generated variable name no other reference of the document uses. */
  fresh(suggested: string): string {
    let base = suggested
      .toUpperCase()
      .replace(/[^A-Z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '');
    if (!/^[A-Z_]/.test(base)) base = `SWITCHYARD_${base}`;
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}
