import { SwitchyardError } from '../errors.ts';

/** A secret reference that cannot be resolved. The message names the reference, never a value. */
export class SecretError extends SwitchyardError {
  constructor(message: string) {
    super(message, 'secret-unresolved');
  }
}
