/**
 * switchyard serve's settings: every mistake is one line on stderr with exit
 * 2 before anything listens, URLs are never echoed with their password, and a
 * start that fails after the request log was opened releases its data
 * directory; a canary that cannot start ends the process by itself, with
 * everything it opened closed. (Serving itself is tested in test/gateway/.)
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planHash } from '../../src/plan/hash.ts';
import { rollbackBundle } from '../../src/publish/rollback.ts';
import { parseTarget, type Target } from '../../src/publish/target.ts';
import { cli } from '../fixtures/cli.ts';
import { type RedisServer, redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import type { StandIn } from '../fixtures/upstream-standins.ts';
import type { VaultStandIn } from '../fixtures/vault-server.ts';
import { publishPlan } from '../gateway/bundles.ts';
import { compileOrThrow, PROVIDER_ENV, standInPolicy, startStandIns, startVaultWithKeys } from '../gateway/harness.ts';
import { serveToExit } from '../gateway/serve-process.ts';
import { tempDir } from '../publish/helpers.ts';
import { deployment, group, plan } from '../runtime/plans.ts';

const PASSWORD = 'pw-never-printed-4c1d';

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-serve-cli-'));
  // Its deployment names a provider the plan lacks: the gateway refuses it, after the request log is opened.
  const p = plan([deployment('d')], [group('g', ['d'])], {
    web: { id: 'web', description: null, apiKeys: [], allowedGroups: ['g'], rpm: null, tpm: null, monthlyBudgetUsd: null },
  });
  p.hash = planHash(p);
  file = join(dir, 'plan.json');
  writeFileSync(file, JSON.stringify(p));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serve = (...args: string[]) => cli('serve', '--plan', file, '--port', '0', ...args);

describe('switchyard serve: usage errors', () => {
  it.each([
    [['--port', '70000'], 'switchyard: --port must be a port number (0-65535), got "70000"'],
    [['--max-body', 'lots'], 'switchyard: --max-body must be a size such as 10mb or 65536, got "lots"'],
    [['--shutdown-timeout', 'soon'], 'switchyard: --shutdown-timeout must be a duration such as 30s, got "soon"'],
    [['--memory', '--redis', 'redis://127.0.0.1:1'], 'switchyard: --memory and --redis exclude each other'],
    [
      ['--redis', `http://user:${PASSWORD}@cache:6379`],
      'switchyard: --redis: router state URL "http://cache:6379" is not a redis:// or rediss:// URL with a host',
    ],
    // parses with no host (an opaque path), so nothing after the scheme is shown
    [['--redis', `notaurl:${PASSWORD}@cache`], 'switchyard: --redis: router state URL "notaurl:" is not a redis:// or rediss:// URL with a host'],
    [['--redis', `//u:${PASSWORD}@cache`], 'switchyard: --redis: router state URL that does not parse is not a redis:// or rediss:// URL with a host'],
    [['--no-request-log', '--database-url', `postgres://u:${PASSWORD}@db/x`], 'switchyard: --no-request-log excludes --database-url and --data-dir'],
    [['--no-request-log', '--data-dir', 'x'], 'switchyard: --no-request-log excludes --database-url and --data-dir'],
    [['--database-url', `postgres://u:${PASSWORD}@db/x`, '--data-dir', 'x'], 'switchyard: --database-url and --data-dir exclude each other'],
    [['--memory', '--database-url', `mysql://u:${PASSWORD}@db/x`], 'switchyard: --database-url must be a postgres:// or postgresql:// URL, not mysql://...'],
  ])('%j', async (args, message) => {
    const r = await serve(...args);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
  });

  it('--bundle: exclusive with --plan, its prefix checked, an empty or unreachable target refused before anything listens', async () => {
    const empty = join(dir, 'no-bundles');
    mkdirSync(empty, { recursive: true });
    const bundle = (...args: string[]) => cli('serve', '--port', '0', '--memory', '--no-request-log', ...args);
    expect(await serve('--bundle', empty)).toEqual({ code: 2, stdout: '', stderr: 'switchyard: --plan and --bundle exclude each other\n' });
    expect(await bundle('--bundle-prefix', 'ops:')).toEqual({ code: 2, stdout: '', stderr: 'switchyard: --bundle-prefix needs --bundle\n' });
    expect(await bundle('--bundle', empty, '--bundle-prefix', 'a b')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: --bundle-prefix "a b" may hold only letters, digits and : _ - . { }\n',
    });
    expect(await bundle('--bundle', empty, '--canary-version', 'v')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: --canary-version and --canary-percent go together\n',
    });
    expect(await bundle('--canary-version', 'v', '--canary-percent', '10')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: --canary-version needs --bundle\n',
    });
    expect(await bundle('--bundle', empty, '--canary-version', 'v', '--canary-percent', '100')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: --canary-percent must be a number above 0 and below 100, got "100"\n',
    });
    expect(await bundle('--bundle', empty, '--canary-window', '500ms')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: --canary-window must be a duration from 1s to 1d such as 60s, got "500ms"\n',
    });
    expect(await bundle('--bundle', empty, '--canary-window', '2d')).toMatchObject({ code: 2, stderr: expect.stringContaining('--canary-window must be') });
    expect(await bundle('--bundle', empty, '--canary-min-samples', '0')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: --canary-min-samples must be a whole number from 1 to 1000000, got "0"\n',
    });
    expect(await bundle('--canary-window', '30s')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: --canary-window and --canary-min-samples need --bundle\n',
    });
    expect(await bundle('--bundle', empty)).toEqual({
      code: 2,
      stdout: '',
      stderr: `switchyard: ${empty} has no current bundle; run switchyard publish first\n`,
    });
    expect(await bundle('--bundle', `redis://u:${PASSWORD}@127.0.0.1:1`)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'switchyard: cannot reach Redis at redis://u:***@127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n',
    });
  });

  it('reads the database URL from SWITCHYARD_DATABASE_URL, out of the process list, and never prints it', async () => {
    process.env.SWITCHYARD_DATABASE_URL = `mysql://u:${PASSWORD}@db/x`;
    try {
      const r = await serve('--memory');
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('switchyard: --database-url must be a postgres:// or postgresql:// URL, not mysql://...\n');
    } finally {
      delete process.env.SWITCHYARD_DATABASE_URL;
    }
  });

  it('--no-request-log on the command line overrides SWITCHYARD_DATABASE_URL', async () => {
    process.env.SWITCHYARD_DATABASE_URL = `mysql://u:${PASSWORD}@db/x`;
    try {
      // The URL is not even checked: the start goes on until the plan is refused.
      expect(await serve('--memory', '--no-request-log')).toEqual({ code: 2, stdout: '', stderr: 'switchyard: deployment d: provider p is not in the plan\n' });
    } finally {
      delete process.env.SWITCHYARD_DATABASE_URL;
    }
  });

  it('refuses a data directory another live process holds', async () => {
    const data = join(dir, 'held');
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data);
    // PID 1 is alive on every Linux machine, and it is not this process.
    writeFileSync(join(data, 'lock'), `1@${hostname()}\n`);
    const r = await serve('--memory', '--data-dir', data);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `switchyard: request log data directory ${data} is in use by 1@${hostname()} (lock file ${join(data, 'lock')}): give each gateway its own directory, or a --database-url\n`,
    );
  });

  it('a plan the gateway cannot serve: one line, exit 2, the data directory released', async () => {
    const data = join(dir, 'released');
    const r = await serve('--memory', '--data-dir', data);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'switchyard: deployment d: provider p is not in the plan\n' });
    // PGlite was still opening in its worker: the lock goes once that connection is closed, as it opens.
    const lock = join(data, 'lock');
    for (let i = 0; i < 1_200 && existsSync(lock); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(lock)).toBe(false);
  }, 90_000);
});

describe('switchyard serve --canary-version: a canary that cannot start', () => {
  const missing = redisServerMissing();
  let standIns: Record<string, StandIn>;
  let vault: VaultStandIn;
  let redis: RedisServer | undefined;
  let target: Target;
  let vStable: string;
  let vCanary: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    standIns = await startStandIns();
    vault = await startVaultWithKeys();
    if (!missing) redis = await startRedisServer();
    env = { ...PROVIDER_ENV, VAULT_ADDR: vault.addr, VAULT_TOKEN: vault.token };
    target = parseTarget(tempDir('switchyard-serve-canary-start-'));
    vStable = await publishPlan(target, compileOrThrow(await standInPolicy((id) => standIns[id]!.base)), Date.UTC(2026, 0, 1));
    // The canary's Anthropic key names a variable nobody set: its secrets fail after the gateway and its pools were made.
    const policy = await standInPolicy((id) => standIns[id]!.base);
    policy.providers.find((p) => p.id === 'anthropic')!.apiKey = 'env:SWITCHYARD_TEST_UNSET_CANARY_KEY';
    vCanary = await publishPlan(target, compileOrThrow(policy), Date.UTC(2026, 0, 2));
    await rollbackBundle(target, vStable);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(Object.values(standIns ?? {}).map((s) => s.close()));
    await vault?.close();
    await redis?.dispose();
  });

  it('a version the bundle does not hold: one line, exit 2, and the process ends by itself', async () => {
    const r = await serveToExit(['--bundle', target.display, '--canary-version', 'v-missing', '--canary-percent', '10', '--memory', '--no-request-log'], env);
    expect(r).toEqual({
      code: 2,
      stderr: `switchyard: no bundle version "v-missing" in ${target.display}; known versions: ${vStable}, ${vCanary}\n`,
      hung: false,
    });
  }, 90_000);

  it.skipIf(missing !== null)(
    'a canary that fails once the gateway runs: exit 2 naming it, no listening, and the Redis connection, upstream pools and request log closed (the process ends by itself, the data directory is released)',
    async () => {
      const data = join(dir, 'canary-start');
      const r = await serveToExit(
        ['--bundle', target.display, '--canary-version', vCanary, '--canary-percent', '10', '--redis', redis!.url, '--data-dir', data],
        env,
      );
      expect(r.hung).toBe(false);
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines.at(-1)).toBe(
        `switchyard: canary ${vCanary}: env:SWITCHYARD_TEST_UNSET_CANARY_KEY: environment variable SWITCHYARD_TEST_UNSET_CANARY_KEY is not set`,
      );
      // Everything before it is the gateway's JSON log: the store it opened, and no listening.
      const logged = lines.slice(0, -1).map((l) => JSON.parse(l) as { msg: string });
      expect(logged.map((l) => l.msg)).toContain('state store');
      expect(logged.map((l) => l.msg)).not.toContain('listening');
      expect(existsSync(join(data, 'lock'))).toBe(false);
    },
    120_000,
  );
});
