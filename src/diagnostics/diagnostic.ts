/** Where in a policy file something is; line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

import type { RiskLevel, Severity } from '../model/closed-sets.ts';

export { RISK_LEVELS, type RiskLevel, type Severity } from '../model/closed-sets.ts';

/**
 * The one shape every stage reports problems in: the loader, the semantic
 * checks, the emitters and the risk rules. `path` is the policy path in the
 * form `modelGroups[2].fallbacks[0]` (see path.ts), `code` a stable
 * kebab-case identifier users can search for.
 */
export interface Diagnostic {
  severity: Severity;
  code: string;
  message: string;
  path: string;
  source?: SourceLocation;
  hint?: string;
  /** Set on risk-rule findings. */
  level?: RiskLevel;
  /** A risk rule's title and documentation link (from its METADATA annotations). */
  title?: string;
  link?: string;
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');

export function diagnostic(
  severity: Severity,
  code: string,
  message: string,
  path: string,
  extra: { source?: SourceLocation; hint?: string } = {},
): Diagnostic {
  const d: Diagnostic = { severity, code, message, path };
  if (extra.source) d.source = extra.source;
  if (extra.hint) d.hint = extra.hint;
  return d;
}

/** Order for printing: by file, line, column, then path, so output is stable. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.source?.file ?? '';
  const fb = b.source?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const la = a.source?.line ?? 0;
  const lb = b.source?.line ?? 0;
  if (la !== lb) return la - lb;
  const ca = a.source?.column ?? 0;
  const cb = b.source?.column ?? 0;
  if (ca !== cb) return ca - cb;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
