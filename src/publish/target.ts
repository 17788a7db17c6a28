/**
 * Where bundles are published: a directory or a Redis server. Redis URLs
 * may carry a password; `display` is the form safe to print.
 */
import { SwitchyardError } from '../errors.ts';

export type Target = { kind: 'dir'; dir: string; display: string } | { kind: 'redis'; url: string; prefix: string; display: string };

export const DEFAULT_REDIS_PREFIX = 'switchyard:';

/** A target string the user got wrong. */
export class TargetError extends SwitchyardError {
  constructor(message: string) {
    super(message, 'bundle-target');
  }
}

/** The URL with any password (and a user name beside it) replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** Removes the password of `url` from a message (client libraries may echo it). */
export function scrubSecret(message: string, url: string): string {
  try {
    const u = new URL(url);
    const secrets = [u.password, decodeURIComponent(u.password)].filter((s) => s.length > 0);
    let out = message.split(url).join(redactUrl(url));
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  } catch {
    return message;
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
