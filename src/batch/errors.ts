/**
 * Errors of the batch runner a user can act on: bad input, a profile the
 * plan does not have, a provider that refused a request, a journal that
 * disagrees with the prepared files. Each is one line; the CLI prints it
 * with its exit code (src/cli/main.ts).
 */
import { EXIT, type ExitCode, SwitchyardError } from '../errors.ts';

export class BatchError extends SwitchyardError {
  constructor(message: string, options: { exitCode?: ExitCode; cause?: unknown; code?: string } = {}) {
    super(message, options.code ?? 'batch', { exitCode: options.exitCode ?? EXIT.usage, cause: options.cause });
  }
}

/** The provider (or the emulator) answered with an error or could not be reached: not the user's input, exit 1. */
export class BatchApiError extends BatchError {
  /** The request may have taken effect although no answer came back (connection lost, timeout, 5xx). */
  readonly unknownOutcome: boolean;

  constructor(message: string, options: { cause?: unknown; unknownOutcome?: boolean } = {}) {
    super(message, { exitCode: EXIT.policy, cause: options.cause, code: 'batch-api' });
    this.unknownOutcome = options.unknownOutcome ?? false;
  }
}
