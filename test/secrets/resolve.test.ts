import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretResolver, SecretError } from '../../src/secrets/resolve.ts';
import { freePort } from '../fixtures/ports.ts';
import { startVault, type VaultStandIn } from '../fixtures/vault-server.ts';

let vault: VaultStandIn;
beforeAll(async () => {
  vault = await startVault();
  vault.secrets.set('secret/switchyard/openai', { data: { key: 'sk-openai-test-value', org: 'org-1' } });
  vault.secrets.set('secret/old', { data: { key: 'gone' }, deleted: true });
  vault.secrets.set('secret/burnt', { data: { key: 'gone' }, destroyed: true });
});
afterAll(() => vault.close());

const resolver = (env: NodeJS.ProcessEnv = {}) => createSecretResolver({ env: { VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token, ...env } });

describe('secret references', () => {
  it('reads env: from the environment and vault: from Vault KV v2, one request per path', async () => {
    vault.requests.length = 0;
    const r = resolver({ OPENAI_KEY: 'sk-env-value' });
    const all = await r.resolveAll(['env:OPENAI_KEY', 'vault:secret/switchyard/openai#key', 'vault:secret/switchyard/openai#org']);
    expect(Object.fromEntries(all)).toEqual({
      'env:OPENAI_KEY': 'sk-env-value',
      'vault:secret/switchyard/openai#key': 'sk-openai-test-value',
      'vault:secret/switchyard/openai#org': 'org-1',
    });
    expect(vault.requests).toEqual(['/v1/secret/data/switchyard/openai']);
  });

  it.each([
    ['env:MISSING', /env:MISSING: environment variable MISSING is not set/],
    ['vault:secret/nothing#key', /vault secret\/nothing: no such secret/],
    ['vault:secret/old#key', /latest version was deleted/],
    ['vault:secret/burnt#key', /latest version was destroyed/],
    ['vault:secret/switchyard/openai#nope', /field "nope" is missing/],
    ['vault:other/x#key', /no such secret/],
    ['vault:secret#key', /must be <mount>\/<path>/],
    ['vault:secret/../sys/x#key', /must be <mount>\/<path>/],
    ['plain-literal', /is not a secret reference/],
  ])('%s is an error naming the reference, never a value', async (ref, message) => {
    const err = await resolver()
      .resolve(ref)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(SecretError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('sk-openai-test-value');
  });

  it('a wrong token is permission denied; no Vault settings is a clear error', async () => {
    await expect(createSecretResolver({ env: { VAULT_ADDR: vault.addr, VAULT_TOKEN: 'wrong' } }).resolve('vault:secret/switchyard/openai#key')).rejects.toThrow(
      /permission denied/,
    );
    await expect(createSecretResolver({ env: {} }).resolve('vault:secret/switchyard/openai#key')).rejects.toThrow(/set VAULT_ADDR and VAULT_TOKEN/);
  });

  it('a failed read is retried by the next resolve (reload), a successful one is not repeated', async () => {
    vault.requests.length = 0;
    const r = resolver();
    await expect(r.resolve('vault:secret/later#key')).rejects.toThrow(/no such secret/);
    vault.secrets.set('secret/later', { data: { key: 'v2' } });
    expect(await r.resolve('vault:secret/later#key')).toBe('v2');
    expect(await r.resolve('vault:secret/later#key')).toBe('v2');
    expect(vault.requests).toEqual(['/v1/secret/data/later', '/v1/secret/data/later']);
  });

  it('a dead Vault is an error within the time limit, not a hang', async () => {
    const port = await freePort();
    const r = createSecretResolver({ env: {}, vault: { addr: `http://127.0.0.1:${port}`, token: 't', timeoutMs: 2000 } });
    await expect(r.resolve('vault:secret/switchyard/openai#key')).rejects.toThrow(
      `cannot reach http://127.0.0.1:${port}/v1/secret/data/switchyard/openai (ECONNREFUSED)`,
    );
  });
});
