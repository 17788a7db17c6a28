/**
 * io.jwt.*: decoding, verification (HS/RS/PS/ES 256-512 and EdDSA) and
 * signing of JSON Web Tokens with node:crypto. Keys for verification are a
 * PEM certificate, a PEM public key, a JWK or a JWK Set (a JSON string);
 * signing keys are JWKs.
 */
import { createHmac, createPrivateKey, createPublicKey, type KeyObject, sign, timingSafeEqual, verify, X509Certificate } from 'node:crypto';
import { fromJSON, isNumber, ObjectValue, toJSON, type Value } from '../value.ts';
import { goJSON } from './encoding.ts';
import { builtinError, objectOperand, stringOperand } from './operands.ts';
import type { Builtin, BuiltinContext } from './types.ts';

const ALGS: Record<string, { hash: string; kind: 'hmac' | 'rsa' | 'pss' | 'ec' | 'eddsa' }> = {
  HS256: { hash: 'sha256', kind: 'hmac' },
  HS384: { hash: 'sha384', kind: 'hmac' },
  HS512: { hash: 'sha512', kind: 'hmac' },
  RS256: { hash: 'sha256', kind: 'rsa' },
  RS384: { hash: 'sha384', kind: 'rsa' },
  RS512: { hash: 'sha512', kind: 'rsa' },
  PS256: { hash: 'sha256', kind: 'pss' },
  PS384: { hash: 'sha384', kind: 'pss' },
  PS512: { hash: 'sha512', kind: 'pss' },
  ES256: { hash: 'sha256', kind: 'ec' },
  ES384: { hash: 'sha384', kind: 'ec' },
  ES512: { hash: 'sha512', kind: 'ec' },
  EdDSA: { hash: '', kind: 'eddsa' },
};

interface Token {
  header: Record<string, unknown>;
  payload: unknown;
  signed: string;
  signature: Buffer;
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64url');

function parseJSON(name: string, text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw builtinError(name, `JWT ${what} had invalid encoding: not JSON`);
  }
}

/** The parts of a compact JWS; a token whose header says cty JWT is unwrapped (a nested token). */
function decode(name: string, jwt: string): Token {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw builtinError(name, 'encoded JWT had no payload');
  const header = parseJSON(name, b64(parts[0]!).toString('utf8'), 'header') as Record<string, unknown>;
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw builtinError(name, 'JWT header is not an object');
  const raw = b64(parts[1]!).toString('utf8');
  const token: Token = { header, payload: undefined, signed: `${parts[0]}.${parts[1]}`, signature: b64(parts[2]!) };
  if (header.cty === 'JWT') return { ...decode(name, raw), signature: token.signature };
  token.payload = parseJSON(name, raw, 'payload');
  return token;
}

function keysFrom(name: string, text: string): KeyObject[] {
  const t = text.trim();
  try {
    if (t.includes('-----BEGIN CERTIFICATE-----')) return [new X509Certificate(t).publicKey];
    if (t.includes('-----BEGIN')) return [createPublicKey(t)];
    const jwk = JSON.parse(t) as { keys?: object[] };
    const list = Array.isArray(jwk.keys) ? jwk.keys : [jwk];
    return list.map((k) => createPublicKey({ key: k as never, format: 'jwk' }));
  } catch (e) {
    throw builtinError(name, `failed to parse a key: ${(e as Error).message.split('\n')[0]}`);
  }
}

function verifySignature(alg: string, signed: string, signature: Buffer, key: KeyObject | string): boolean {
  const a = ALGS[alg];
  if (!a) return false;
  const data = Buffer.from(signed, 'utf8');
  if (a.kind === 'hmac') {
    if (typeof key !== 'string') return false;
    const mac = createHmac(a.hash, key).update(data).digest();
    return mac.length === signature.length && timingSafeEqual(mac, signature);
  }
  if (typeof key === 'string') return false;
  try {
    if (a.kind === 'eddsa') return verify(null, data, key, signature);
    if (a.kind === 'ec') return verify(a.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    if (a.kind === 'pss') return verify(a.hash, data, { key, padding: 6, saltLength: Number(a.hash.slice(3)) / 8 }, signature);
    return verify(a.hash, data, key, signature);
  } catch {
    return false;
  }
}

function verifier(name: string, alg: string): Builtin {
  return {
    name,
    arity: 2,
    call([j, k]) {
      const token = decode(name, stringOperand(name, j!, 1));
      const keyText = stringOperand(name, k!, 2);
      if (ALGS[alg]!.kind === 'hmac') return verifySignature(alg, token.signed, token.signature, keyText);
      return keysFrom(name, keyText).some((key) => verifySignature(alg, token.signed, token.signature, key));
    },
  };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** io.jwt.decode_verify: [valid, header, payload], with the claims checked against the constraints. */
function decodeVerify(jwt: string, c: ObjectValue, ctx: BuiltinContext): Value {
  const name = 'io.jwt.decode_verify';
  const invalid = [false, new ObjectValue(), new ObjectValue()];
  for (const k of c.keys()) {
    if (!['cert', 'secret', 'alg', 'iss', 'aud', 'time'].includes(k as string)) throw builtinError(name, `unknown token validation constraint: ${String(k)}`);
  }
  const token = decode(name, jwt);
  const alg = String(token.header.alg ?? '');
  const want = c.get('alg');
  if (want !== undefined && want !== alg) return invalid;
  const cert = c.get('cert');
  const secret = c.get('secret');
  if ((cert === undefined) === (secret === undefined)) throw builtinError(name, 'exactly one of cert or secret must be given');
  const ok =
    typeof secret === 'string'
      ? verifySignature(alg, token.signed, token.signature, secret)
      : keysFrom(name, String(cert)).some((key) => verifySignature(alg, token.signed, token.signature, key));
  if (!ok) return invalid;
  const payload = token.payload as Record<string, unknown>;
  if (typeof payload !== 'object' || payload === null) return invalid;
  const t = c.get('time');
  const nowNs = isNumber(t) ? BigInt(Math.trunc(Number(t))) : ctx.nowNs;
  const nowSec = Number(nowNs / 1_000_000_000n) + Number(nowNs % 1_000_000_000n) / 1e9;
  for (const claim of ['exp', 'nbf'] as const) {
    if (claim in payload && num(payload[claim]) === undefined) throw builtinError(name, `${claim} value must be a number`);
  }
  if (num(payload.exp) !== undefined && nowSec >= num(payload.exp)!) return invalid;
  if (num(payload.nbf) !== undefined && nowSec < num(payload.nbf)!) return invalid;
  const iss = c.get('iss');
  if (iss !== undefined && payload.iss !== iss) return invalid;
  const aud = c.get('aud');
  const tokenAud = payload.aud;
  if (tokenAud !== undefined) {
    const list = Array.isArray(tokenAud) ? tokenAud : [tokenAud];
    if (aud === undefined || !list.includes(aud)) return invalid;
  } else if (aud !== undefined) return invalid;
  return [true, fromJSON(token.header), fromJSON(payload)];
}

function signingKey(name: string, jwk: Record<string, unknown>, kind: string): KeyObject | Buffer {
  if (kind === 'hmac') {
    if (jwk.kty !== 'oct' || typeof jwk.k !== 'string') throw builtinError(name, 'an HMAC signature needs an "oct" key with "k"');
    return b64(jwk.k);
  }
  try {
    return createPrivateKey({ key: jwk as never, format: 'jwk' });
  } catch (e) {
    throw builtinError(name, `failed to parse the signing key: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Compact JWS over the header and payload texts as given. */
function encodeSign(name: string, headerText: string, payloadText: string, keyText: string): string {
  const header = parseJSON(name, headerText, 'header') as Record<string, unknown>;
  const alg = String(header?.alg ?? '');
  const a = ALGS[alg];
  if (!a) throw builtinError(name, `unknown JWS algorithm: ${alg}`);
  if (header.typ === 'JWT') {
    try {
      JSON.parse(payloadText);
    } catch {
      throw builtinError(name, 'type is JWT but payload is not JSON');
    }
  }
  const jwk = parseJSON(name, keyText, 'key') as Record<string, unknown>;
  const key = signingKey(name, jwk, a.kind);
  const signed = `${Buffer.from(headerText).toString('base64url')}.${Buffer.from(payloadText).toString('base64url')}`;
  const data = Buffer.from(signed);
  let sig: Buffer;
  if (a.kind === 'hmac')
    sig = createHmac(a.hash, key as Buffer)
      .update(data)
      .digest();
  else if (a.kind === 'eddsa') sig = sign(null, data, key as KeyObject);
  else if (a.kind === 'ec') sig = sign(a.hash, data, { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (a.kind === 'pss') sig = sign(a.hash, data, { key: key as KeyObject, padding: 6, saltLength: Number(a.hash.slice(3)) / 8 });
  else sig = sign(a.hash, data, key as KeyObject);
  return `${signed}.${sig.toString('base64url')}`;
}

export const JWT: Builtin[] = [
  {
    name: 'io.jwt.decode',
    arity: 1,
    call([j]) {
      const t = decode('io.jwt.decode', stringOperand('io.jwt.decode', j!, 1));
      return [fromJSON(t.header), fromJSON(t.payload), t.signature.toString('hex')];
    },
  },
  {
    name: 'io.jwt.decode_verify',
    arity: 2,
    call: ([j, c], ctx) => decodeVerify(stringOperand('io.jwt.decode_verify', j!, 1), objectOperand('io.jwt.decode_verify', c!, 2), ctx),
  },
  ...Object.keys(ALGS).map((alg) => verifier(`io.jwt.verify_${alg.toLowerCase()}`, alg)),
  {
    name: 'io.jwt.encode_sign_raw',
    arity: 3,
    call: ([h, p, k]) =>
      encodeSign(
        'io.jwt.encode_sign_raw',
        stringOperand('io.jwt.encode_sign_raw', h!, 1),
        stringOperand('io.jwt.encode_sign_raw', p!, 2),
        stringOperand('io.jwt.encode_sign_raw', k!, 3),
      ),
  },
  {
    name: 'io.jwt.encode_sign',
    arity: 3,
    call([h, p, k]) {
      const name = 'io.jwt.encode_sign';
      const text = (v: Value, i: number) => goJSON(objectOperand(name, v, i));
      return encodeSign(name, text(h!, 1), text(p!, 2), JSON.stringify(toJSON(objectOperand(name, k!, 3))));
    },
  },
];
