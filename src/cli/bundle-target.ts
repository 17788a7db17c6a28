import { parseTarget, type Target } from '../publish/target.ts';
import { UserError } from './context.ts';

export const PREFIX_HELP = `key prefix for a redis:// target (keys <prefix>bundle:<version>, <prefix>bundles, <prefix>bundles:current)`;

/** The target option of publish, rollback and bundles, checked. */
export function targetOption(spec: string, prefix: string, flag = '--prefix'): Target {
  if (!/^[A-Za-z0-9:_{}.-]*$/.test(prefix)) throw new UserError(`${flag} ${JSON.stringify(prefix)} may hold only letters, digits and : _ - . { }`);
  return parseTarget(spec, { prefix });
}

export const shortHash = (h: string) => h.slice(0, 19);
export const shortCommit = (c: string | null) => (c === null ? 'no commit' : `commit ${c.slice(0, 12)}`);
