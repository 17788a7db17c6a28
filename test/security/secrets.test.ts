/**
 * Secrets: a credential pasted anywhere in a policy is refused by compile
 * (not only by check), reported at its path without being printed in any
 * output format, and never shown in a code frame, whatever the diagnostic on
 * that line is about. Passwords in URL flags never reach the output.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findSecrets, maskSecrets } from '../../src/diagnostics/secret-text.ts';
import { validatePolicy } from '../../src/load/validate.ts';
import { redactUrl } from '../../src/net/redact.ts';
import { cli } from '../fixtures/cli.ts';
import { basePolicy, type BasePolicyInput } from '../fixtures/policies.ts';
import { referencePolicy } from '../fixtures/policies.ts';
import { type Scratch, scratch, tree } from './helpers.ts';

let s: Scratch;
beforeEach(() => {
  s = scratch();
});
afterEach(() => s.cleanup());

// Shaped like real credentials, but not real ones.
const SECRETS = {
  urlPassword: 'hunter2-Pa55word',
  openai: 'sk-proj-Zq8xW2vB7nM4kL1pR6tY9uI3oE5aS0dF',
  anthropic: 'sk-ant-api03-Xk29sLq0Vb7Nw3Jd8Fh2Mz5Rp1Tc6Yg4',
  aws: 'AKIAQWERTYUIOPASDF12',
  github: 'ghp_4fKz9Qm2Lx7Vb1Nc8Rw3Ty6Ju0Hp5Sd2Ga9Xe',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  random: 'Vq7Lw2Xk9Pz4Nb8Mc3Jd6Rf1Ts5Yh0GaQe2Wu7Io',
  azureHex: '9f86d081884c7d659a2feaa0c55ad015',
  named: 'correct-horse-battery',
  sig: 'sv2024Zq8xW2vB7nM4kL1pR6tY9',
};

const CASES: Array<[string, (p: BasePolicyInput) => void, string, string]> = [
  [
    'a password in an apiBase URL',
    (p) => void (p.providers[1]!.apiBase = `https://admin:${SECRETS.urlPassword}@example.openai.azure.com`),
    'providers[1].apiBase',
    SECRETS.urlPassword,
  ],
  [
    'a password without a user in a URL',
    (p) => void (p.providers[2]!.apiBase = `http://:${SECRETS.urlPassword}@pool-a.internal:8000/v1`),
    'providers[2].apiBase',
    SECRETS.urlPassword,
  ],
  [
    'an api_key= query parameter',
    (p) => void (p.providers[1]!.apiBase = `https://example.openai.azure.com/?api_key=${SECRETS.random}`),
    'providers[1].apiBase',
    SECRETS.random,
  ],
  ['a key= parameter in a description', (p) => void (p.description = `proxy at https://gw.example.com/v1?key=${SECRETS.named}`), 'description', SECRETS.named],
  [
    'a token= parameter in a group description',
    (p) => void (p.modelGroups[0]!.description = `see https://x.example.com/?token=${SECRETS.named}`),
    'modelGroups[0].description',
    SECRETS.named,
  ],
  [
    'a sig= parameter (SAS URL) in a tenant description',
    (p) => void (p.tenants[0]!.description = `logs: https://a.blob.core.windows.net/c?sv=2024&sig=${SECRETS.sig}`),
    'tenants[0].description',
    SECRETS.sig,
  ],
  ['an OpenAI key in a description', (p) => void (p.description = `old key ${SECRETS.openai}`), 'description', SECRETS.openai],
  [
    'an Anthropic key in a batch description',
    (p) => void (p.batchProfiles[0]!.description = SECRETS.anthropic),
    'batchProfiles[0].description',
    SECRETS.anthropic,
  ],
  ['an AWS key id in a tag', (p) => void (p.deployments[0]!.tags = [SECRETS.aws]), 'deployments[0].tags[0]', SECRETS.aws],
  [
    'a GitHub token in batch metadata',
    (p) => void (p.batchProfiles[0]!.metadata = { owner: SECRETS.github }),
    'batchProfiles[0].metadata.owner',
    SECRETS.github,
  ],
  ['a JWT in an alert description', (p) => void (p.slos!.alerts![0]!.description = `bearer ${SECRETS.jwt}`), 'slos.alerts[0].description', SECRETS.jwt],
  [
    'a long random string in an SLO description',
    (p) => void (p.slos!.targets![0]!.description = SECRETS.random),
    'slos.targets[0].description',
    SECRETS.random,
  ],
  [
    'an Azure-style hex key in a tenant description',
    (p) => void (p.tenants[1]!.description = `key ${SECRETS.azureHex}`),
    'tenants[1].description',
    SECRETS.azureHex,
  ],
  [
    'a value under a secret-named metadata key',
    (p) => void (p.batchProfiles[0]!.metadata = { password: SECRETS.named }),
    'batchProfiles[0].metadata.password',
    SECRETS.named,
  ],
  ['a secret under an unknown key', (p) => void ((p.providers[0] as Record<string, unknown>).apiToken = SECRETS.named), 'providers[0].apiToken', SECRETS.named],
  ['a credential as a metadata key', (p) => void (p.batchProfiles[0]!.metadata = { [SECRETS.openai]: 'x' }), 'batchProfiles[0].metadata', SECRETS.openai],
  ['a credential as an unknown key', (p) => void ((p.tenants[0] as Record<string, unknown>)[SECRETS.github] = true), 'tenants[0]', SECRETS.github],
];

describe('a literal credential anywhere in a policy', () => {
  it.each(CASES)('%s is refused by compile at its path, and printed in no output format', async (_name, edit, path, secret) => {
    const p = basePolicy();
    edit(p);
    const dir = join(s.dir, 'policy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(p, null, 2));
    const out = join(s.dir, 'out');
    for (const format of ['pretty', 'json', 'github']) {
      const r = await cli('compile', '-p', dir, '--out', out, '--format', format);
      expect(r.code).toBe(1);
      expect(`${r.stdout}${r.stderr}`).not.toContain(secret);
      expect(`${r.stdout}${r.stderr}`).toContain('literal-secret');
    }
    const json = JSON.parse((await cli('compile', '-p', dir, '--out', out, '--json')).stdout) as { diagnostics: { code: string; path: string }[] };
    expect(json.diagnostics.filter((d) => d.code === 'literal-secret').map((d) => d.path)).toContain(path);
    expect(tree(out)).toEqual({});
  });

  it('nothing in the reference policies, nor model names, commit hashes and digests, is taken for a credential', async () => {
    expect(validatePolicy(await referencePolicy()).diagnostics).toEqual([]);
    for (const text of [
      'gpt-4o-2024-08-06-GlobalStandard',
      'meta-llama/Llama-3.1-8B-Instruct',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'deepseek-ai/DeepSeek-R1-Distill-Qwen-32B',
      'hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4',
      'ft:gpt-4o-mini-2024-07-18:acme-corp:support-bot:9aBcDeFg',
      'pinned at 8c22764a7e3675c50d4c7c9a4edb474456022b16',
      'image sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      'https://switchyard-eastus.openai.azure.com/openai/deployments?api-version=2024-10-21',
      'redis://redis.internal:6379/0',
      'env:OPENAI_API_KEY',
    ])
      expect(findSecrets(text), text).toEqual([]);
  });
});

describe('code frames never show a credential, whatever the diagnostic is about', () => {
  it('a TS policy line holding a credential and another mistake shows the credential masked in every frame', async () => {
    const dir = join(s.dir, 'ts');
    mkdirSync(dir);
    const p = basePolicy() as Record<string, any>;
    delete p.description;
    const text = JSON.stringify(p, null, 2).replace(
      '"name": "base",',
      `"name": "base", description: 'gateway https://ops:${SECRETS.urlPassword}@gw.example.com', circuitBreaker: { minRequests: -1 },`,
    );
    writeFileSync(join(dir, 'index.ts'), `export default ${text};\n`);
    const r = await cli('validate', '-p', dir);
    expect(r.code).toBe(1);
    // two diagnostics point at that line: the credential and the negative count
    expect(r.stderr).toMatch(/error literal-secret: `description`/);
    expect(r.stderr).toMatch(/error too-small: `minRequests` must be greater than 0/);
    expect(r.stderr).not.toContain(SECRETS.urlPassword);
    expect(r.stderr.match(/^\s*\d+ \| .*\*\*\*/gm)?.length).toBeGreaterThanOrEqual(2);
  });

  it('an unquoted YAML value is masked in the frame of an unknown-key error on its line', async () => {
    const dir = join(s.dir, 'yaml');
    mkdirSync(dir);
    writeFileSync(join(dir, 'policy.yaml'), `name: y\nproviders:\n  - { id: openai, kind: openai, apiKey: env:K, apiSecret: ${SECRETS.openai} }\n`);
    const r = await cli('validate', '-p', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown-key');
    expect(r.stderr).not.toContain(SECRETS.openai);
    expect(maskSecrets(`apiSecret: ${SECRETS.openai}`)).toBe('apiSecret: ***');
  });
});

describe('passwords in URL flags are redacted in every output', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // The Prometheus HTTP API's answer to an instant query with no series.
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  it('gate --prometheus: the text report and --json name the server without its password or token', async () => {
    const policy = s.policy();
    expect((await cli('compile', '-p', policy, '--out', join(s.dir, 'out'))).code).toBe(0);
    const url = `http://admin:${SECRETS.urlPassword}@${base}/?token=${SECRETS.named}`;
    for (const args of [[], ['--json']]) {
      const r = await cli('gate', '--plan', join(s.dir, 'out', 'plan.json'), '--prometheus', url, ...args);
      expect(r.code).toBe(1); // no data: not ready
      expect(`${r.stdout}${r.stderr}`).not.toMatch(new RegExp(`${SECRETS.urlPassword}|${SECRETS.named}`));
      expect(r.stdout).toContain(`http://admin:***@${base}/?token=***`);
    }
    const bad = await cli('gate', '--plan', join(s.dir, 'out', 'plan.json'), '--prometheus', `ftp://u:${SECRETS.urlPassword}@h/`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain(SECRETS.urlPassword);
  });

  it('publish --to, rollback and bundles --target: an unreachable Redis is named without its password', async () => {
    const url = `redis://:${SECRETS.urlPassword}@127.0.0.1:9/0`;
    for (const args of [
      ['bundles', '--target', url],
      ['rollback', '--target', url, '--to', '20250101T000000.000Z-000000000000'],
    ]) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('redis://:***@127.0.0.1:9/0');
      expect(r.stderr).not.toContain(SECRETS.urlPassword);
    }
  });

  it('batch collect --database-url that is not a postgres:// URL is named without its password', async () => {
    const policy = s.policy();
    expect((await cli('compile', '-p', policy, '--out', join(s.dir, 'out'))).code).toBe(0);
    const r = await cli(
      'batch',
      'collect',
      '--plan',
      join(s.dir, 'out', 'plan.json'),
      '--dir',
      s.dir,
      '--database-url',
      `mysql://app:${SECRETS.urlPassword}@127.0.0.1:9/x`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('switchyard: --database-url must be a postgres:// URL, got mysql://127.0.0.1:9/x\n');
  });

  it('redactUrl hides passwords, tokens used as user names and key-like query values', () => {
    expect(redactUrl(`postgres://app:${SECRETS.urlPassword}@db:5432/x`)).toBe('postgres://app:***@db:5432/x');
    expect(redactUrl(`https://${SECRETS.github}@github.com/o/r`)).toBe('https://***@github.com/o/r');
    expect(redactUrl(`https://h/p?a=1&api_key=${SECRETS.random}&sig=${SECRETS.sig}`)).toBe('https://h/p?a=1&api_key=***&sig=***');
    expect(redactUrl(`not a url //u:${SECRETS.urlPassword}@h?token=${SECRETS.named}`)).not.toMatch(new RegExp(`${SECRETS.urlPassword}|${SECRETS.named}`));
    // parses as a URL with an opaque path and no host, so the URL parser finds no password in it
    expect(redactUrl(`notaurl:${SECRETS.urlPassword}@h`)).toBe('notaurl:***@h');
    expect(redactUrl(`redis:u:${SECRETS.urlPassword}@h:6379`)).toBe('redis:***@h:6379');
    expect(redactUrl('mailto:ops@example.com')).toBe('mailto:***@example.com');
  });
});
