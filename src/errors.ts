/**
 * The one error type of Switchyard. Every error a user can cause (a bad flag,
 * an unreadable file, an output directory that cannot be written, a bundle
 * that fails verification) is a SwitchyardError carrying its exit code, so
 * the CLI maps errors to exit codes in one place (src/cli/main.ts) instead of
 * every command catching and re-throwing domain errors.
 *
 * A leaf module: it imports nothing, so every layer except the Rego engine
 * (which depends on nothing of ours) and the runtime (plan types only) may
 * use it.
 */

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, policy: 1, usage: 2, internal: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface SwitchyardErrorOptions {
  /** Exit code when this error ends the CLI; a usage error (2) unless said otherwise. */
  exitCode?: ExitCode;
  /** The error behind this one (kept for --debug, never printed otherwise). */
  cause?: unknown;
}

export class SwitchyardError extends Error {
  readonly exitCode: ExitCode;

  constructor(
    message: string,
    /** A stable, kebab-case name of the kind of error, for --json output and tests. */
    readonly code: string,
    options: SwitchyardErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT.usage;
  }
}
