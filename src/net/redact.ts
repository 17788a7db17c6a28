/**
 * URLs as they may be printed. A URL flag (--prometheus, --to, --target,
 * --database-url, --redis) may carry a password (`redis://:pw@host`), a
 * token as the user name (`https://ghp_x@host`) or a key in its query
 * (`?api_key=`, `?sig=`); none of them may reach a log, an error message or
 * JSON output.
 */
import { isSecretParam } from '../diagnostics/secret-text.ts';

/** The URL with its password, a lone user name (a token) and secret query values replaced by `***`. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return redactUnparsed(url);
  }
  // `notaurl:pw@host` parses, as an opaque path with no host: the URL parser sees no credentials in it
  if (u.host === '') return redactUnparsed(url);
  if (u.password) u.password = '***';
  else if (u.username) u.username = '***';
  for (const k of [...u.searchParams.keys()]) if (isSecretParam(k)) u.searchParams.set(k, '***');
  // URLSearchParams encodes * as %2A
  return u.toString().replace(/%2A%2A%2A/g, '***');
}

/** What is not a URL with a host: anything before an `@` after the scheme (or `//`), and values of key-like parameters. */
function redactUnparsed(text: string): string {
  return text
    .replace(/\/\/[^@/?#]*@/, '//***@')
    .replace(/^([A-Za-z][A-Za-z0-9+.-]*:)(?!\/\/)[^@/?#]*@/, '$1***@')
    .replace(/([?&][^=&#]*=)[^&#]*/g, (m, k: string) => (isSecretParam(k.slice(1, -1)) ? `${k}***` : m));
}

/** The credentials a URL carries (its password, a lone user name, secret query values), as written and decoded; none for a URL that does not parse. */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  return [u.password, u.password ? '' : u.username, ...[...u.searchParams].filter(([k]) => isSecretParam(k)).map(([, v]) => v)]
    .flatMap((s) => {
      try {
        return [s, decodeURIComponent(s)];
      } catch {
        return [s];
      }
    })
    .filter((s) => s.length >= 3);
}

/** Removes the credentials of `url` (in any spelling) from a message a client library produced. */
export function scrubSecret(message: string, url: string): string {
  let out = message.split(url).join(redactUrl(url));
  for (const s of urlSecrets(url)) out = out.split(s).join('***');
  return out;
}
