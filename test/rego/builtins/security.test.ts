/** crypto.*, io.jwt.*, providers.aws.sign_req, uuid.*, rand.intn and net.cidr_*. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromJSON, ObjectValue, SetValue } from '../../../src/rego/value.ts';
import { builtinErr, call, ok } from './call.ts';

describe('crypto', () => {
  it('hashes and MACs the UTF-8 bytes, compares MACs', () => {
    expect(call('crypto.sha256', ['abc'])).toEqual(ok('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'));
    expect(call('crypto.md5', [''])).toEqual(ok('d41d8cd98f00b204e9800998ecf8427e'));
    expect(call('crypto.hmac.sha256', ['The quick brown fox jumps over the lazy dog', 'key'])).toEqual(
      ok('f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'),
    );
    expect(call('crypto.hmac.equal', ['abc', 'abc'])).toEqual(ok(true));
    expect(call('crypto.hmac.equal', ['abc', 'abd'])).toEqual(ok(false));
  });

  it('reads private keys as JWKs and refuses what it cannot read', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const keys = call('crypto.parse_private_keys', [pem]) as { value: Array<Record<string, string>> };
    expect(keys.value).toHaveLength(1);
    expect(keys.value[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(call('crypto.parse_private_keys', [Buffer.from(pem).toString('base64')])).toEqual(keys);
    expect(call('crypto.parse_private_keys', [''])).toEqual(ok([]));
    expect(call('crypto.x509.parse_rsa_private_key', ['not base64!'])).toMatchObject({
      message: expect.stringContaining('illegal base64 data at input byte 3'),
    });
    expect(call('crypto.x509.parse_certificates', ['x'])).toMatchObject({ message: expect.stringContaining('not supported') });
  });
});

describe('io.jwt', () => {
  const payload = fromJSON({ iss: 'switchyard', aud: 'gateway', exp: 2000000000, nbf: 1000000000 });
  const header = (alg: string) => fromJSON({ alg, typ: 'JWT' });

  it.each([
    ['RS256', 'rsa', {}],
    ['PS384', 'rsa', {}],
    ['ES256', 'ec', { namedCurve: 'P-256' }],
    ['ES512', 'ec', { namedCurve: 'P-521' }],
    ['EdDSA', 'ed25519', {}],
  ] as const)('signs and verifies %s with JWKs and PEM keys', (alg, type, opts) => {
    const { privateKey, publicKey } = generateKeyPairSync(type as 'rsa', { modulusLength: 2048, ...opts });
    const jwk = fromJSON(privateKey.export({ format: 'jwk' }));
    const signed = call('io.jwt.encode_sign', [header(alg), payload, jwk]) as { value: string };
    const token = signed.value;
    const pem = publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const verifyName = `io.jwt.verify_${alg.toLowerCase()}`;
    expect(call(verifyName, [token, pem])).toEqual(ok(true));
    expect(call(verifyName, [token, JSON.stringify({ keys: [publicKey.export({ format: 'jwk' })] })])).toEqual(ok(true));
    const tampered = `${token.slice(0, -6)}${token.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
    expect(call(verifyName, [tampered, pem])).toEqual(ok(false));
    const other = generateKeyPairSync(type as 'rsa', { modulusLength: 2048, ...opts }).publicKey.export({ format: 'pem', type: 'spki' }) as string;
    expect(call(verifyName, [token, other])).toEqual(ok(false));
  });

  it('checks claims in decode_verify against the query clock', () => {
    const secret = 'shh';
    const key = fromJSON({ kty: 'oct', k: Buffer.from(secret).toString('base64url') });
    const token = (call('io.jwt.encode_sign', [header('HS256'), payload, key]) as { value: string }).value;
    const at = (t: number) => ({ nowNs: BigInt(t) * 1_000_000_000n });
    const verify = (c: object, t = 1500000000) => call('io.jwt.decode_verify', [token, fromJSON(c)], [], at(t));
    expect(verify({ secret, aud: 'gateway', iss: 'switchyard' })).toEqual(
      ok([true, { alg: 'HS256', typ: 'JWT' }, { iss: 'switchyard', aud: 'gateway', exp: 2000000000, nbf: 1000000000 }]),
    );
    expect(verify({ secret, aud: 'gateway' }, 2100000000)).toEqual(ok([false, {}, {}]));
    expect(verify({ secret, aud: 'gateway' }, 900000000)).toEqual(ok([false, {}, {}]));
    expect(verify({ secret })).toEqual(ok([false, {}, {}]));
    expect(verify({ secret: 'wrong', aud: 'gateway' })).toEqual(ok([false, {}, {}]));
    expect(verify({ secret, aud: 'gateway', alg: 'RS256' })).toEqual(ok([false, {}, {}]));
    expect(verify({ secret, aud: 'gateway', time: 2100000000 * 1e9 })).toEqual(ok([false, {}, {}]));
    expect(call('io.jwt.verify_hs256', [token, secret])).toEqual(ok(true));
    expect(call('io.jwt.decode', [token])).toMatchObject({ value: [{ alg: 'HS256' }, { iss: 'switchyard' }, expect.stringMatching(/^[0-9a-f]{64}$/)] });
    expect(call('io.jwt.encode_sign_raw', ['{"alg":"none"}', '{}', '{}'])).toEqual(builtinErr('io.jwt.encode_sign_raw: unknown JWS algorithm: none'));
  });
});

describe('providers.aws.sign_req', () => {
  it("signs AWS's S3 GET example (SigV4 header method) to AWS's published signature", () => {
    const req = fromJSON({ method: 'GET', url: 'https://examplebucket.s3.amazonaws.com/test.txt', headers: { Range: 'bytes=0-9' } });
    const cfg = fromJSON({
      aws_access_key: 'AKIAIOSFODNN7EXAMPLE',
      aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      aws_service: 's3',
      aws_region: 'us-east-1',
    });
    const at = BigInt(Date.UTC(2013, 4, 24)) * 1_000_000n;
    const out = call('providers.aws.sign_req', [req, cfg, at]) as { value: { headers: Record<string, string> } };
    expect(out.value.headers.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
    expect(out.value.headers['X-Amz-Date']).toBe('20130524T000000Z');
  });
});

describe('uuid and rand', () => {
  it('parses UUID fields as google/uuid reports them', () => {
    expect(call('uuid.parse', ['000003e8-48b9-21ee-b200-325096b39f47'])).toEqual(
      ok({
        clocksequence: 12800,
        domain: 'Person',
        id: 1000,
        macvariables: 'local:unicast',
        nodeid: '32-50-96-b3-9f-47',
        time: Number(1693566990121469600n),
        variant: 'RFC4122',
        version: 2,
      }),
    );
    expect(call('uuid.parse', ['{38074da4-0b00-388d-9c3c-362de965547a}'])).toEqual(ok({ variant: 'RFC4122', version: 3 }));
    expect(call('uuid.parse', ['nope'])).toMatchObject({ error: 'eval_builtin_error' });
  });

  it('gives one answer per key within a query and fresh ones in the next', () => {
    const memo = new Map();
    const a = call('uuid.rfc4122', ['k'], [], { memo });
    expect(call('uuid.rfc4122', ['k'], [], { memo })).toEqual(a);
    expect(call('uuid.rfc4122', ['other'], [], { memo })).not.toEqual(a);
    expect((a as { value: string }).value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const r = call('rand.intn', ['k', 1000], [], { memo }) as { value: number };
    expect(r.value).toBeGreaterThanOrEqual(0);
    expect(r.value).toBeLessThan(1000);
    expect(call('rand.intn', ['k', 1000], [], { memo })).toEqual(r);
    expect(call('rand.intn', ['k', 0])).toEqual(ok(0));
  });
});

describe('net.cidr', () => {
  it('answers containment, overlap, expansion and merging for IPv4 and IPv6', () => {
    expect(call('net.cidr_contains', ['10.0.0.0/8', '10.1.2.3'])).toEqual(ok(true));
    expect(call('net.cidr_contains', ['10.0.0.0/8', '11.0.0.0/24'])).toEqual(ok(false));
    expect(call('net.cidr_contains', ['2001:db8::/32', '2001:db8:1::/48'])).toEqual(ok(true));
    expect(call('net.cidr_contains', ['::ffff:10.0.0.0/104', '10.1.1.1'])).toEqual(ok(true));
    expect(call('net.cidr_intersects', ['10.0.0.0/30', '10.0.0.2/31'])).toEqual(ok(true));
    expect(call('net.cidr_intersects', ['10.0.0.0/31', '10.0.0.2/31'])).toEqual(ok(false));
    expect(call('net.cidr_expand', ['2001:db8::/127'])).toEqual(ok(['2001:db8::', '2001:db8::1']));
    expect(call('net.cidr_expand', ['10.0.0.0/8'])).toMatchObject({ message: expect.stringContaining('too large') });
    expect(call('net.cidr_merge', [fromJSON(['10.0.0.0/25', '10.0.0.128/25', '10.0.1.1', '192.168.0.0/16', '192.168.1.0/24'])])).toEqual(
      ok(['10.0.0.0/24', '10.0.1.1/32', '192.168.0.0/16']),
    );
    expect(call('net.cidr_is_valid', ['10.0.0.0/33'])).toEqual(ok(false));
    expect(call('net.cidr_is_valid', ['fe80::/10'])).toEqual(ok(true));
    expect(call('net.cidr_contains_matches', [new SetValue(['10.0.0.0/8']), fromJSON({ a: '10.1.1.1', b: ['192.168.0.1', 'x'] })])).toEqual(
      ok([['10.0.0.0/8', 'a']]),
    );
    expect(call('net.cidr_contains', ['bogus', '10.0.0.1'])).toEqual(builtinErr('net.cidr_contains: invalid CIDR address: bogus'));
    expect(new ObjectValue().size).toBe(0);
  });
});
