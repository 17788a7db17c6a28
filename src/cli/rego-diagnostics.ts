import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { RegoError } from '../rego/index.ts';

/** A rule pack that does not compile or evaluate is reported like any other problem, at its file:line. */
export function regoErrorDiagnostics(errors: readonly RegoError[]): Diagnostic[] {
  return errors.map((e) => ({
    severity: 'error',
    code: e.code,
    message: e.text,
    path: '',
    ...(e.location ? { source: { file: e.location.file, line: e.location.row, column: e.location.col } } : {}),
  }));
}
