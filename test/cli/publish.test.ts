import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCurrentBundle } from '../../src/publish/read.ts';
import { cli } from '../fixtures/cli.ts';
import { freePort, redisServerMissing, startRedisServer, type RedisServer } from '../fixtures/redis-server.ts';
import { makeWorkspace, type Workspace } from '../fixtures/workspace.ts';
import { snapshot } from '../publish/helpers.ts';

const VERSION = /\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{12}/;

let ws: Workspace;
let bundles: string;
beforeEach(async () => {
  ws = makeWorkspace();
  bundles = join(ws.dir, 'bundles');
  expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
});
afterEach(() => ws.cleanup());

const publish = (to: string, ...more: string[]) => cli('publish', '--to', to, '--from', ws.out, '-p', ws.policies, ...more);
const versionOf = (s: string) => VERSION.exec(s)![0];
/** Files in a bundle: those the compile listed in its manifest, plus the manifest. */
const fileCount = () => (JSON.parse(readFileSync(join(ws.out, '.switchyard-manifest.json'), 'utf8')) as { files: string[] }).files.length + 1;

describe('switchyard publish / rollback / bundles (directory)', () => {
  it('publishes, says "already published" for the same output, rolls back, and lists versions', async () => {
    const first = await publish(bundles, '--commit', '0123456789abcdef0123456789abcdef01234567');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(`^published \\S+ to .*: ${fileCount()} files, plan reference sha256:[0-9a-f]{12}, commit 0123456789ab\\ncurrent: \\S+\\n$`),
    );
    const v1 = versionOf(first.stdout);

    const before = snapshot(bundles);
    const again = await publish(bundles);
    expect(again).toMatchObject({ code: 0, stdout: `already published as ${v1} (current)\n` });
    expect(snapshot(bundles)).toEqual(before);

    ws.edit('tenants.ts', 'rpm: 120,', 'rpm: 240,');
    expect((await cli('compile', '-p', ws.policies, '--out', ws.out)).code).toBe(0);
    const second = await publish(bundles);
    expect(second.code).toBe(0);
    const v2 = versionOf(second.stdout);
    expect(v2 > v1).toBe(true);
    expect(second.stdout).toContain(`(was ${v1})`);
    expect(second.stdout).toContain('no commit'); // the workspace is not a git repository

    const list = await cli('bundles', '--target', bundles);
    expect(list.code).toBe(0);
    expect(
      list.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => `${l.slice(0, 1)} ${versionOf(l)}`),
    ).toEqual([`  ${v1}`, `* ${v2}`]);

    const back = await cli('rollback', '--target', bundles, '--to', v1);
    expect(back.code).toBe(0);
    expect(back.stdout).toContain(`current: ${v1} (was ${v2})`);
    expect(back.stdout).toContain(`${fileCount()} files verified`);
    expect((await readCurrentBundle(bundles)).version).toBe(v1);

    // the policy that is compiled now is v2's: publishing it again names v2, which is not current
    const old = await publish(bundles);
    expect(old.code).toBe(0);
    expect(old.stdout).toContain(`already published as ${v2} (not current; current is ${v1})`);
    expect(old.stdout).toContain(`switchyard rollback --target ${bundles} --to ${v2}`);

    const json = JSON.parse((await cli('bundles', '--target', bundles, '--json')).stdout);
    expect(json).toMatchObject({
      current: v1,
      bundles: [
        { version: v1, current: true },
        { version: v2, current: false },
      ],
    });
  });

  it('rollback to an unknown version exits 2; to a tampered version exits 1 naming the file; current is unchanged', async () => {
    const v1 = versionOf((await publish(bundles)).stdout);
    writeFileSync(join(ws.out, 'docs/readiness-gate.md'), `${readFileSync(join(ws.out, 'docs/readiness-gate.md'), 'utf8')}x\n`);
    const v2 = versionOf((await publish(bundles, '--no-recompile')).stdout);

    const unknown = await cli('rollback', '--target', bundles, '--to', '20200101T000000.000Z-000000000000');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`switchyard: no bundle version "20200101T000000.000Z-000000000000" in ${bundles}; known versions: ${v1}, ${v2}\n`);

    writeFileSync(join(bundles, 'versions', v1, 'files', 'litellm', 'config.yaml'), 'model_list: []\n');
    const tampered = await cli('rollback', '--target', bundles, '--to', v1);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/^switchyard: refusing bundle: bundle \S+ in .*: litellm\/config\.yaml does not match the manifest/);
    expect((await readCurrentBundle(bundles)).version).toBe(v2);

    expect((await cli('rollback', '--target', bundles)).code).toBe(2); // --to is required
  });

  it('refuses stale or incomplete generated/ and writes nothing', async () => {
    ws.edit('tenants.ts', 'rpm: 120,', 'rpm: 240,');
    const stale = await publish(bundles);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/refusing to publish: .*generated\/ is out of date with .*policies:\n/);
    expect(stale.stderr).toMatch(/^ {2}differs {3}\S*generated\/plan\.json$/m);
    expect(stale.stderr).toMatch(/run: switchyard compile/);

    // --no-recompile publishes what was compiled, as long as it is complete and plan.json is intact
    expect((await publish(bundles, '--no-recompile')).code).toBe(0);
    rmSync(join(ws.out, 'sql/routing_analytics.sql'));
    const before = snapshot(bundles);
    const incomplete = await publish(bundles, '--no-recompile');
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toMatch(/is incomplete: sql\/routing_analytics\.sql is listed in \.switchyard-manifest\.json/);

    rmSync(join(ws.out, '.switchyard-manifest.json'));
    const uncompiled = await publish(bundles);
    expect(uncompiled.code).toBe(2);
    expect(uncompiled.stderr).toMatch(/has no \.switchyard-manifest\.json.*run switchyard compile first/);
    expect(snapshot(bundles)).toEqual(before);
  });

  it('--no-recompile still refuses an edited plan.json', async () => {
    const plan = join(ws.out, 'plan.json');
    writeFileSync(plan, readFileSync(plan, 'utf8').replace('"reference"', '"edited"'));
    const r = await publish(bundles, '--no-recompile');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/plan\.json: plan hash mismatch/);
  });

  it('records git HEAD of the compiled output, and refuses policies that do not compile', async () => {
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: ws.dir, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'policies');
    const head = git('rev-parse', 'HEAD');
    const r = await publish(bundles, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'published', commit: head, files: fileCount() });
    expect((await readCurrentBundle(bundles)).manifest.commit).toBe(head);

    ws.edit('tenants.ts', 'rpm: 120,', 'rpm: -5,');
    const bad = await publish(bundles);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/refusing to publish: .* does not compile/);
  });

  it('rejects a target it cannot use', async () => {
    writeFileSync(join(ws.dir, 'notes.txt'), 'mine');
    const foreign = await publish(ws.dir);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/refusing to publish into/);
    expect((await publish('s3://bucket/bundles')).code).toBe(2);
    expect((await cli('bundles', '--target', join(ws.dir, 'none'))).stdout).toMatch(/holds no bundles/);
  });
});

const redisMissing = redisServerMissing();
describe.skipIf(redisMissing !== null)('switchyard publish / rollback (Redis)', () => {
  let server: RedisServer;
  let admin: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    await admin.quit();
    await server.dispose();
  });

  it('publishes, no-ops, rolls back and refuses tampering; never prints the password', async () => {
    // The server really requires the password, so the URL's password is used, not just carried.
    await admin.config('SET', 'requirepass', 's3cret-pw');
    const denied = await publish(`redis://:wrong@127.0.0.1:${server.port}/0`);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/WRONGPASS|invalid password/i);
    expect(denied.stderr).not.toContain('wrong@');
    const url = `redis://:s3cret-pw@127.0.0.1:${server.port}/0`;
    const prefix = `cli${Date.now()}:`;
    const first = await publish(url, '--prefix', prefix);
    expect(first.code).toBe(0);
    const v1 = versionOf(first.stdout);
    expect(first.stdout).toContain(`to redis://:***@127.0.0.1:${server.port}/0:`);

    const keysBefore = (await admin.keys(`${prefix}*`)).sort();
    expect(keysBefore).toEqual([`${prefix}bundle:${v1}`, `${prefix}bundles`, `${prefix}bundles:current`]);
    const again = await publish(url, '--prefix', prefix);
    expect(again.stdout).toBe(`already published as ${v1} (current)\n`);

    ws.edit('tenants.ts', 'rpm: 120,', 'rpm: 240,');
    await cli('compile', '-p', ws.policies, '--out', ws.out);
    const v2 = versionOf((await publish(url, '--prefix', prefix, '--json')).stdout);
    expect(await admin.get(`${prefix}bundles:current`)).toBe(v2);

    const unknown = await cli('rollback', '--target', url, '--prefix', prefix, '--to', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no bundle version "nope" in redis:\/\/:\*\*\*@/);

    const back = await cli('rollback', '--target', url, '--prefix', prefix, '--to', v1);
    expect(back.code).toBe(0);
    expect(await admin.get(`${prefix}bundles:current`)).toBe(v1);

    await admin.hset(`${prefix}bundle:${v2}`, 'file:vllm/pool-a/llama-3.1-8b-instruct.yaml', 'tensor-parallel-size: 8\n');
    const tampered = await cli('rollback', '--target', url, '--prefix', prefix, '--to', v2);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(/vllm\/pool-a\/llama-3\.1-8b-instruct\.yaml does not match the manifest/);
    expect(await admin.get(`${prefix}bundles:current`)).toBe(v1);

    const list = await cli('bundles', '--target', url, '--prefix', prefix);
    expect(list.stdout).toMatch(new RegExp(`^\\* ${v1}`, 'm'));
    for (const r of [first, again, unknown, back, tampered, list]) expect(r.stdout + r.stderr).not.toContain('s3cret');
    await admin.config('SET', 'requirepass', '');
  });

  it('an unreachable Redis is exit 2 without the password', async () => {
    const url = `redis://:s3cret-pw@127.0.0.1:${await freePort()}`;
    for (const r of [await publish(url), await cli('rollback', '--target', url, '--to', 'x'), await cli('bundles', '--target', url)]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
      expect(r.stderr).not.toContain('s3cret');
    }
  });
});
