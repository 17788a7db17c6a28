/**
 * providers.aws.sign_req: AWS Signature Version 4, header method, single
 * chunk (as AWS documents it). Signs host, the request's own headers except
 * authorization, user-agent and x-amzn-trace-id (proxies rewrite those),
 * x-amz-date and x-amz-content-sha256 (the payload's SHA-256, or
 * UNSIGNED-PAYLOAD when disable_payload_signing is set), and the session
 * token when one is given. Returns the request with those headers added.
 */
import { createHash, createHmac } from 'node:crypto';
import { ObjectValue, toJSON, type Value } from '../value.ts';
import { builtinError, numberOperand, objectOperand } from './operands.ts';
import type { Builtin } from './types.ts';

const NAME = 'providers.aws.sign_req';
const UNSIGNED = new Set(['authorization', 'user-agent', 'x-amzn-trace-id']);

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const hmac = (key: string | Buffer, s: string): Buffer => createHmac('sha256', key).update(s).digest();

/** RFC 3986 escaping as SigV4 wants it (unreserved characters kept). */
const uriEscape = (s: string, keepSlash: boolean): string =>
  Array.from(Buffer.from(s, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/') ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');

function configString(cfg: ObjectValue, key: string, required: boolean): string | undefined {
  const v = cfg.get(key);
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') throw builtinError(NAME, `aws_config.${key} must be a string`);
  return v;
}

const amzDate = (ns: bigint): string =>
  new Date(Number(ns / 1_000_000n))
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

function signRequest(req: ObjectValue, cfg: ObjectValue, ns: bigint): ObjectValue {
  const access = configString(cfg, 'aws_access_key', true)!;
  const secret = configString(cfg, 'aws_secret_access_key', true)!;
  const service = configString(cfg, 'aws_service', true)!;
  const region = configString(cfg, 'aws_region', true)!;
  const token = configString(cfg, 'aws_session_token', false);
  const method = req.get('method');
  const url = req.get('url');
  if (typeof method !== 'string' || typeof url !== 'string') throw builtinError(NAME, 'request needs method and url strings');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw builtinError(NAME, `invalid url ${JSON.stringify(url)}`);
  }
  const raw = req.get('raw_body');
  const body = typeof raw === 'string' ? raw : req.get('body') !== undefined ? JSON.stringify(toJSON(req.get('body')!)) : '';
  const date = amzDate(ns);
  const day = date.slice(0, 8);
  const given = req.get('headers');
  const headers = new Map<string, [string, string]>();
  if (given instanceof ObjectValue) for (const [k, v] of given) if (typeof k === 'string' && typeof v === 'string') headers.set(k.toLowerCase(), [k, v]);
  const payloadHash = cfg.get('disable_payload_signing') === true ? 'UNSIGNED-PAYLOAD' : (headers.get('x-amz-content-sha256')?.[1] ?? sha256(body));
  headers.set('host', ['Host', u.host]);
  headers.set('x-amz-date', ['X-Amz-Date', date]);
  headers.set('x-amz-content-sha256', ['X-Amz-Content-Sha256', payloadHash]);
  if (token) headers.set('x-amz-security-token', ['X-Amz-Security-Token', token]);
  const signed = [...headers.keys()].filter((k) => !UNSIGNED.has(k)).sort();
  const query = [...u.searchParams]
    .map(([k, v]) => [uriEscape(k, false), uriEscape(v, false)])
    .sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : a[1]! < b[1]! ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  // Canonical headers end each with a newline, so joining adds the blank line SigV4 wants before the list.
  const canonical = [
    method.toUpperCase(),
    uriEscape(decodeURIComponent(u.pathname || '/'), true),
    query,
    signed.map((k) => `${k}:${headers.get(k)![1].trim().replace(/\s+/g, ' ')}\n`).join(''),
    signed.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const out = new ObjectValue();
  for (const [, [k, v]] of headers) if (k !== 'Host') out.set(k, v);
  out.set('Authorization', `AWS4-HMAC-SHA256 Credential=${access}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`);
  return new ObjectValue(req.entries()).set('headers', out);
}

export const AWS: Builtin[] = [
  {
    name: NAME,
    arity: 3,
    call([r, c, t]): Value {
      const n = numberOperand(NAME, t!, 3);
      return signRequest(objectOperand(NAME, r!, 1), objectOperand(NAME, c!, 2), typeof n === 'bigint' ? n : BigInt(Math.trunc(n)));
    },
  },
];
