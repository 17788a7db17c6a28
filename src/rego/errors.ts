/** Errors a Rego user can cause, with OPA's codes and `file:row:` prefixes. */

export interface Location {
  file: string;
  row: number;
  col: number;
}

export type RegoErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_type_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'eval_conflict_error'
  | 'eval_type_error'
  | 'eval_builtin_error'
  | 'eval_internal_error';

export interface RegoError {
  code: string;
  /** Formatted like OPA: `<file>:<row>: <code>: <text>` (without the prefix when there is no location). */
  message: string;
  /** The bare text, without location and code. */
  text: string;
  location?: Location;
}

function formatError(code: string, text: string, location?: Location): string {
  return location ? `${location.file}:${location.row}: ${code}: ${text}` : `${code}: ${text}`;
}

export function makeError(code: string, text: string, location?: Location): RegoError {
  const err: RegoError = { code, text, message: formatError(code, text, location) };
  if (location) err.location = location;
  return err;
}

/** Thrown inside the lexer, parser, compiler and evaluator; the API turns it into a RegoError. */
export class RegoFailure extends Error {
  readonly error: RegoError;
  constructor(code: string, text: string, location?: Location) {
    const err = makeError(code, text, location);
    super(err.message);
    this.error = err;
  }
}
