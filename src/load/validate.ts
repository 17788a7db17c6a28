/** The pure middle of the loader: a plain value in, a Policy or Diagnostics out. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { Policy } from '../model/policy.ts';
import { literalSecretDiagnostics } from './literal-secrets.ts';
import { zodIssuesToDiagnostics } from './zod-diagnostics.ts';

export function validatePolicy(value: unknown): { policy?: Policy; diagnostics: Diagnostic[] } {
  const result = Policy.safeParse(value);
  const schema = result.success ? [] : zodIssuesToDiagnostics(Policy, result.error.issues, value);
  // A credential is refused wherever it is, not only in the fields that take a reference (those the schema reported already).
  const reported = new Set(schema.filter((d) => d.code === 'literal-secret').map((d) => d.path));
  const secrets = literalSecretDiagnostics(value).filter((d) => !reported.has(d.path));
  if (result.success && secrets.length === 0) return { policy: result.data, diagnostics: [] };
  return { diagnostics: [...schema, ...secrets] };
}
