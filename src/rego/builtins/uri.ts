/**
 * uri.parse and uri.is_valid, with Go's net/url reading: uri.parse returns
 * scheme, hostname, port, path (decoded), raw_path, raw_query and fragment,
 * each only when present.
 */
import { ObjectValue } from '../value.ts';
import { builtinError, stringOperand } from './operands.ts';
import type { Builtin } from './types.ts';

const URI = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

/** Percent-decoding; a bad escape is Go's "invalid URL escape". */
function percentDecode(s: string): string {
  const bad = /%(?![0-9a-fA-F]{2})/.exec(s);
  if (bad) throw new Error(`invalid URL escape ${JSON.stringify(s.slice(bad.index, bad.index + 3))}`);
  return decodeURIComponent(s.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
}

function parseURI(s: string): ObjectValue {
  if (/[\x00-\x1f\x7f]/.test(s)) throw new Error('net/url: invalid control character in URL');
  if (s.startsWith(':')) throw new Error('missing protocol scheme');
  const m = URI.exec(s);
  if (!m) throw new Error(`invalid URI ${JSON.stringify(s)}`);
  const [, scheme, authority, rawPath = '', query, fragment] = m;
  const out = new ObjectValue();
  if (scheme) out.set('scheme', scheme.toLowerCase());
  if (authority !== undefined) {
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    const hm = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
    if (!hm) throw new Error(`invalid port ${JSON.stringify(hostPort.slice(hostPort.lastIndexOf(':')))} after host`);
    const hostname = hm[1]!.replace(/^\[|\]$/g, '');
    if (hostname) out.set('hostname', percentDecode(hostname));
    if (hm[2]) out.set('port', hm[2]);
  }
  if (rawPath) {
    out.set('path', percentDecode(rawPath));
    out.set('raw_path', rawPath);
  }
  if (query) out.set('raw_query', query);
  if (fragment) out.set('fragment', percentDecode(fragment));
  return out;
}

export const URI_BUILTINS: Builtin[] = [
  {
    name: 'uri.parse',
    arity: 1,
    call([a]) {
      try {
        return parseURI(stringOperand('uri.parse', a!, 1));
      } catch (e) {
        if (e instanceof Error && !('code' in e)) throw builtinError('uri.parse', e.message);
        throw e;
      }
    },
  },
  {
    name: 'uri.is_valid',
    arity: 1,
    call([a]) {
      if (typeof a !== 'string' || a === '') return false;
      try {
        parseURI(a);
        return true;
      } catch {
        return false;
      }
    },
  },
];
