import { SwitchyardError } from '../errors.ts';

/** A request-log setting that cannot work (a bad URL, a data directory in use). Never carries the database password. */
export class RequestLogError extends SwitchyardError {
  constructor(message: string, code = 'request-log-config') {
    super(message, code);
  }
}
