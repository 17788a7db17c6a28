/**
 * What publish, rollback and bundles share: the target option and the
 * mapping of src/publish errors to one-line messages and exit codes. Kept
 * apart from publish.ts so rollback and bundles do not load the compiler.
 */
import { BundleIntegrityError, UnknownVersionError } from '../publish/bundle.ts';
import { NoCurrentBundleError } from '../publish/read.ts';
import { SourceError } from '../publish/source.ts';
import { parseTarget, TargetError, type Target } from '../publish/target.ts';
import { EXIT, UserError } from './context.ts';

export const PREFIX_HELP = `key prefix for a redis:// target (keys <prefix>bundle:<version>, <prefix>bundles, <prefix>bundles:current)`;

/** The target option of publish, rollback and bundles, checked. */
export function targetOption(spec: string, prefix: string): Target {
  if (!/^[A-Za-z0-9:_{}.-]*$/.test(prefix)) throw new UserError(`--prefix ${JSON.stringify(prefix)} may hold only letters, digits and : _ - . { }`);
  try {
    return parseTarget(spec, { prefix });
  } catch (e) {
    if (e instanceof TargetError) throw new UserError(e.message, EXIT.usage);
    throw e;
  }
}

/** Errors of src/publish the user can act on, as one-line UserErrors with their exit codes. */
export async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BundleIntegrityError) throw new UserError(`refusing bundle: ${e.message}`, EXIT.policy);
    if (e instanceof SourceError) throw new UserError(e.message, e.missing ? EXIT.usage : EXIT.policy);
    if (e instanceof TargetError || e instanceof UnknownVersionError || e instanceof NoCurrentBundleError) throw new UserError(e.message, EXIT.usage);
    throw e;
  }
}

export const shortHash = (h: string) => h.slice(0, 19);
export const shortCommit = (c: string | null) => (c === null ? 'no commit' : `commit ${c.slice(0, 12)}`);
