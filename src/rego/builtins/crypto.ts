/**
 * crypto.*: digests and HMACs (hex of the string's UTF-8 bytes), a
 * constant-time MAC comparison, and private keys as JSON Web Keys
 * (node:crypto reads PKCS#1, PKCS#8 and SEC 1 PEM). The x509 certificate
 * builtins answer with Go's x509.Certificate structure marshalled to JSON,
 * which only Go defines byte for byte: they are registered (so policies
 * compile and tests can replace them with `with`) and fail with a clear error.
 */
import { createHash, createHmac, createPrivateKey, timingSafeEqual } from 'node:crypto';
import { fromJSON, type Value } from '../value.ts';
import { builtinError, stringOperand } from './operands.ts';
import type { Builtin } from './types.ts';

function digest(name: string, algorithm: string): Builtin {
  return {
    name,
    arity: 1,
    call: ([s]) =>
      createHash(algorithm)
        .update(stringOperand(name, s!, 1), 'utf8')
        .digest('hex'),
  };
}

function hmac(name: string, algorithm: string): Builtin {
  return {
    name,
    arity: 2,
    call: ([x, k]) =>
      createHmac(algorithm, stringOperand(name, k!, 2))
        .update(stringOperand(name, x!, 1), 'utf8')
        .digest('hex'),
  };
}

/** PEM text, given as is or base64-encoded (as OPA accepts both). */
function pemText(name: string, s: string): string {
  if (s.includes('-----BEGIN')) return s;
  // Go's decoder skips line breaks only.
  const bad = /[^A-Za-z0-9+/=\r\n]/.exec(s);
  const bare = s.replace(/[\r\n]/g, '');
  if (bad || bare.length % 4 !== 0) throw builtinError(name, `illegal base64 data at input byte ${bad ? bad.index : Math.max(bare.length - 1, 0)}`);
  return Buffer.from(s, 'base64').toString('utf8');
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function privateKeyJWK(name: string, pem: string): Value {
  try {
    return fromJSON(createPrivateKey(pem).export({ format: 'jwk' }));
  } catch (e) {
    throw builtinError(name, `failed to parse private key: ${(e as Error).message.split('\n')[0]}`);
  }
}

function goDefined(name: string, arity: number): Builtin {
  return {
    name,
    arity,
    call() {
      throw builtinError(name, "not supported by Switchyard's Rego engine: the result is Go's x509 structures as JSON (use --engine opa-wasm, or OPA)");
    },
  };
}

export const CRYPTO: Builtin[] = [
  digest('crypto.md5', 'md5'),
  digest('crypto.sha1', 'sha1'),
  digest('crypto.sha256', 'sha256'),
  hmac('crypto.hmac.md5', 'md5'),
  hmac('crypto.hmac.sha1', 'sha1'),
  hmac('crypto.hmac.sha256', 'sha256'),
  hmac('crypto.hmac.sha512', 'sha512'),
  {
    name: 'crypto.hmac.equal',
    arity: 2,
    call([a, b]) {
      const x = Buffer.from(stringOperand('crypto.hmac.equal', a!, 1), 'utf8');
      const y = Buffer.from(stringOperand('crypto.hmac.equal', b!, 2), 'utf8');
      return x.length === y.length && timingSafeEqual(x, y);
    },
  },
  {
    name: 'crypto.x509.parse_rsa_private_key',
    arity: 1,
    call([s]) {
      const name = 'crypto.x509.parse_rsa_private_key';
      const pem = pemText(name, stringOperand(name, s!, 1));
      const block = pem.match(PEM_BLOCK)?.[0];
      if (!block) throw builtinError(name, 'failed to parse a PEM private key');
      return privateKeyJWK(name, block);
    },
  },
  {
    name: 'crypto.parse_private_keys',
    arity: 1,
    call([s]) {
      const name = 'crypto.parse_private_keys';
      const text = stringOperand(name, s!, 1);
      if (text === '') return [];
      const pem = pemText(name, text);
      return (pem.match(PEM_BLOCK) ?? []).filter((b) => /PRIVATE KEY-----/.test(b)).map((b) => privateKeyJWK(name, b));
    },
  },
  goDefined('crypto.x509.parse_certificates', 1),
  goDefined('crypto.x509.parse_and_verify_certificates', 1),
  goDefined('crypto.x509.parse_and_verify_certificates_with_options', 2),
  goDefined('crypto.x509.parse_certificate_request', 1),
  goDefined('crypto.x509.parse_keypair', 2),
];
