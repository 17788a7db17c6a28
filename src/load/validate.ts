/** The pure middle of the loader: a plain value in, a Policy or Diagnostics out. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { Policy } from '../model/policy.ts';
import { zodIssuesToDiagnostics } from './zod-diagnostics.ts';

export function validatePolicy(value: unknown): { policy?: Policy; diagnostics: Diagnostic[] } {
  const result = Policy.safeParse(value);
  if (result.success) return { policy: result.data, diagnostics: [] };
  return { diagnostics: zodIssuesToDiagnostics(Policy, result.error.issues, value) };
}
