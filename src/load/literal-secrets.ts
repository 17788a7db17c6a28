/**
 * Literal credentials anywhere in a policy: not only in the fields that
 * take a secret reference (the schema catches those), but in a description,
 * a URL, batch metadata, a tag or a key the schema does not know. The
 * check runs on the value before the schema, so `validate`, `compile`,
 * `check` and `diff` all refuse it. Messages name the path and the kind of
 * credential, never the value.
 */
import { diagnostic, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { formatPath, type Path } from '../diagnostics/path.ts';
import { SECRET_KEY_NAME, secretKind } from '../diagnostics/secret-text.ts';
import { SECRET_REF_PATTERN } from '../model/common.ts';
import { SECRET_HINT, subject } from './messages.ts';

/** A value named like a secret is one when it is a single word this long (`password: hunter2!`). */
const MIN_NAMED_SECRET = 8;

function kindOf(value: string, key: string | undefined): string | undefined {
  if (SECRET_REF_PATTERN.test(value)) return undefined;
  const found = secretKind(value);
  if (found) return found;
  if (key !== undefined && SECRET_KEY_NAME.test(key) && value.length >= MIN_NAMED_SECRET && !/\s/.test(value)) return `a value of the property \`${key}\``;
  return undefined;
}

export function literalSecretDiagnostics(value: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: Path, what: string, kind: string) =>
    out.push(
      diagnostic('error', 'literal-secret', `${what} looks like a literal credential (${kind}): a policy holds only secret references`, formatPath(path), {
        hint: SECRET_HINT,
      }),
    );
  const seen = new Set<object>();
  // `name` is the property a value sits under; an array's items sit under the array's (`apiKeys[0]`).
  const walk = (v: unknown, path: Path, name: string | undefined): void => {
    if (typeof v === 'string') {
      const kind = kindOf(v, name);
      if (kind) report(path, subject(path), kind);
      return;
    }
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...path, i], name));
      return;
    }
    for (const [k, item] of Object.entries(v)) {
      // A key that is itself a credential is reported at its object: its path would print it.
      const keyKind = secretKind(k);
      if (keyKind) report(path, `A property name in ${path.length ? `\`${formatPath(path)}\`` : 'the policy'}`, keyKind);
      else walk(item, [...path, k], k);
    }
  };
  walk(value, [], undefined);
  return out;
}
