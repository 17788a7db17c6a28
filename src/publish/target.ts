/**
 * Where bundles are published: a directory or a Redis server. Redis URLs
 * may carry a password; `display` is the form safe to print.
 */
import { SwitchyardError } from '../errors.ts';
import { redactUrl } from '../net/redact.ts';

export { redactUrl, scrubSecret } from '../net/redact.ts';

export type Target = { kind: 'dir'; dir: string; display: string } | { kind: 'redis'; url: string; prefix: string; display: string };

export const DEFAULT_REDIS_PREFIX = 'switchyard:';

/** A target string the user got wrong. */
export class TargetError extends SwitchyardError {
  constructor(message: string) {
    super(message, 'bundle-target');
  }
}

export function parseTarget(spec: string, opts: { prefix?: string } = {}): Target {
  if (spec.trim() === '') throw new TargetError('the target is empty; give a directory or a redis:// URL');
  if (/^rediss?:\/\//i.test(spec)) {
    let u: URL;
    try {
      u = new URL(spec);
    } catch {
      throw new TargetError(`not a valid Redis URL: ${redactUrl(spec)}`);
    }
    if (!u.hostname) throw new TargetError(`Redis URL has no host: ${redactUrl(spec)}`);
    return { kind: 'redis', url: spec, prefix: opts.prefix ?? DEFAULT_REDIS_PREFIX, display: redactUrl(spec) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec))
    throw new TargetError(`unsupported target ${JSON.stringify(`${spec.split('://')[0]}://…`)}; give a directory or a redis:// URL`);
  return { kind: 'dir', dir: spec, display: spec };
}
