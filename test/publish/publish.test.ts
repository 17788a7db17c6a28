/**
 * Publish, rollback, no-op, tamper detection and concurrent readers, on a
 * directory target and on a real redis-server.
 */
import { mkdirSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleIntegrityError, UnknownVersionError } from '../../src/publish/bundle.ts';
import { publishBundle } from '../../src/publish/publish.ts';
import { listBundles, NoCurrentBundleError, readBundle, readCurrentBundle } from '../../src/publish/read.ts';
import { rollbackBundle } from '../../src/publish/rollback.ts';
import { parseTarget, type Target } from '../../src/publish/target.ts';
import { redisServerMissing, startRedisServer, type RedisServer } from '../fixtures/redis-server.ts';
import { referenceFiles, snapshot, tempDir, variant } from './helpers.ts';

interface Harness {
  fresh(): Target;
  /** Replaces one stored file of a version with other bytes. */
  tamper(t: Target, version: string, path: string, content: string): Promise<void>;
  /** Everything stored, for "nothing was written" checks. */
  state(t: Target): Promise<unknown>;
}

const dirs: string[] = [];
const dirHarness: Harness = {
  fresh() {
    const d = tempDir();
    dirs.push(d);
    return parseTarget(join(d, 'bundles'));
  },
  async tamper(t, version, path, content) {
    writeFileSync(join((t as { dir: string }).dir, 'versions', version, 'files', path), content);
  },
  async state(t) {
    return snapshot((t as { dir: string }).dir);
  },
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const redisMissing = redisServerMissing();
let server: RedisServer | undefined;
let admin: Redis | undefined;
let prefixes = 0;
const redisHarness: Harness = {
  fresh: () => parseTarget(server!.url, { prefix: `t${++prefixes}:` }),
  async tamper(t, version, path, content) {
    await admin!.hset(`${(t as { prefix: string }).prefix}bundle:${version}`, `file:${path}`, content);
  },
  async state(t) {
    const keys = (await admin!.keys(`${(t as { prefix: string }).prefix}*`)).sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const type = await admin!.type(k);
      out[k] = type === 'hash' ? await admin!.hgetall(k) : type === 'zset' ? await admin!.zrange(k, 0, -1) : await admin!.get(k);
    }
    return out;
  },
};

function suite(name: string, h: () => Harness, skip: string | null) {
  describe.skipIf(skip !== null)(`publish to ${name}`, () => {
    it('publishes, lists, reads back verified, and rolls back', async () => {
      const t = h().fresh();
      const a = await referenceFiles();
      const b = variant(a, 1);
      await expect(readCurrentBundle(t)).rejects.toThrow(NoCurrentBundleError);

      const ra = await publishBundle(t, a, { commit: 'abc123' });
      expect(ra.status).toBe('published');
      const rb = await publishBundle(t, b, { commit: 'def456' });
      expect(rb).toMatchObject({ status: 'published', previous: ra.version });
      expect(rb.version > ra.version).toBe(true);

      const cur = await readCurrentBundle(t);
      expect(cur.version).toBe(rb.version);
      expect(cur.manifest).toMatchObject({ commit: 'def456', planHash: cur.plan.hash, bundleFormat: 1 });
      expect(cur.files.get('docs/readiness-gate.md')).toContain('variant 1');
      expect(Object.keys(cur.manifest.files)).toEqual([...a.keys()].sort());

      const list = await listBundles(t);
      expect(list.map((x) => [x.version, x.current])).toEqual([
        [ra.version, false],
        [rb.version, true],
      ]);

      const back = await rollbackBundle(t, ra.version);
      expect(back).toMatchObject({ version: ra.version, previous: rb.version, changed: true });
      expect((await readCurrentBundle(t)).files.get('docs/readiness-gate.md')).not.toContain('variant');
      expect((await rollbackBundle(t, ra.version)).changed).toBe(false);
      expect((await readBundle(t, rb.version)).manifest.commit).toBe('def456');
    });

    it('publishing the same files again is a no-op, against the current or an older version', async () => {
      const harness = h();
      const t = harness.fresh();
      const a = await referenceFiles();
      const first = await publishBundle(t, a, { commit: null });
      const before = await harness.state(t);
      const again = await publishBundle(t, a, { commit: 'other' });
      expect(again).toMatchObject({ status: 'unchanged', version: first.version, current: first.version });
      expect(await harness.state(t)).toEqual(before);

      const second = await publishBundle(t, variant(a, 2), { commit: null });
      const mid = await harness.state(t);
      const old = await publishBundle(t, a, { commit: null });
      expect(old).toMatchObject({ status: 'unchanged', version: first.version, current: second.version });
      expect(await harness.state(t)).toEqual(mid);
    });

    it('refuses a tampered version on read and on rollback, naming the file, and leaves current alone', async () => {
      const harness = h();
      const t = harness.fresh();
      const a = await referenceFiles();
      const ra = await publishBundle(t, a, { commit: null });
      const rb = await publishBundle(t, variant(a, 3), { commit: null });
      await harness.tamper(t, ra.version, 'litellm/config.yaml', 'model_list: []\n');

      await expect(readBundle(t, ra.version)).rejects.toThrow(/litellm\/config\.yaml does not match the manifest/);
      await expect(rollbackBundle(t, ra.version)).rejects.toThrow(BundleIntegrityError);
      expect((await readCurrentBundle(t)).version).toBe(rb.version);

      // re-publishing the tampered content's original does not reuse the damaged version
      const re = await publishBundle(t, a, { commit: null });
      expect(re.status).toBe('published');
      expect(re.warnings.join('\n')).toMatch(/litellm\/config\.yaml does not match/);

      await harness.tamper(t, re.version, 'plan.json', '{}\n');
      await expect(readCurrentBundle(t)).rejects.toThrow(/plan\.json does not match the manifest/);
    });

    it('rollback to an unknown version is a clear error and changes nothing', async () => {
      const harness = h();
      const t = harness.fresh();
      const r = await publishBundle(t, await referenceFiles(), { commit: null });
      const before = await harness.state(t);
      for (const v of ['20990101T000000.000Z-000000000000', '../../etc', 'latest']) {
        const e = await rollbackBundle(t, v).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(UnknownVersionError);
        expect((e as Error).message).toContain(`no bundle version ${JSON.stringify(v)}`);
        expect((e as Error).message).toContain(r.version);
      }
      expect(await harness.state(t)).toEqual(before);
    });

    it('concurrent readers only ever see whole, verified versions while publishes and rollbacks run', async () => {
      const t = h().fresh();
      const base = await referenceFiles();
      const variants = Array.from({ length: 6 }, (_, i) => variant(base, 100 + i));
      const expected = new Map(variants.map((v, i) => [v.get('docs/readiness-gate.md')!.toString('utf8'), i]));
      const first = await publishBundle(t, variants[0]!, { commit: null });
      const published = [first.version];
      let writing = true;
      const writer = (async () => {
        try {
          for (let round = 0; round < 3; round++) {
            for (const v of variants.slice(1)) {
              const r = await publishBundle(t, v, { commit: null });
              if (r.status === 'published') published.push(r.version);
              else await rollbackBundle(t, r.version);
            }
            await rollbackBundle(t, published[round % published.length]!);
          }
        } finally {
          writing = false;
        }
      })();
      let reads = 0;
      const seen = new Set<string>();
      const reader = async () => {
        while (writing || reads < 5) {
          const b = await readCurrentBundle(t); // throws on any partial or mixed bundle
          expect(expected.has(b.files.get('docs/readiness-gate.md')!)).toBe(true);
          seen.add(b.version);
          reads++;
        }
      };
      await Promise.all([writer, reader(), reader(), reader()]);
      expect(reads).toBeGreaterThan(5);
      expect(seen.size).toBeGreaterThan(1);
      expect(new Set(published).size).toBe(published.length);
      expect((await listBundles(t)).map((x) => x.version)).toEqual([...published].sort());
    });

    it('concurrent publishers of different content each get their own version, in order', async () => {
      const t = h().fresh();
      const base = await referenceFiles();
      const rs = await Promise.all([1, 2, 3, 4].map((i) => publishBundle(t, variant(base, 200 + i), { commit: null })));
      expect(rs.every((r) => r.status === 'published')).toBe(true);
      const list = await listBundles(t);
      expect(list.map((x) => x.version).sort()).toEqual(rs.map((r) => r.version).sort());
      expect(list.filter((x) => x.current)).toHaveLength(1);
      for (const r of rs) await readBundle(t, r.version);
    });
  });
}

suite('a directory', () => dirHarness, null);
suite('Redis', () => redisHarness, redisMissing);

describe('directory target specifics', () => {
  it('keeps versions/<version>/ whole and current as a relative symlink; ignores a staging directory left by a crash', async () => {
    const t = dirHarness.fresh() as Extract<Target, { kind: 'dir' }>;
    const r = await publishBundle(t, await referenceFiles(), { commit: null });
    const snap = snapshot(t.dir);
    expect(snap.current).toBe(`-> versions/${r.version}`);
    expect(snap[`versions/${r.version}/manifest.json`]).toContain('"planHash"');
    expect(snap[`versions/${r.version}/files/plan.json`]).toBeDefined();
    expect(Object.keys(snap).filter((k) => k.includes('.tmp-') || k.includes('.current-'))).toEqual([]);

    mkdirSync(join(t.dir, 'versions', '.tmp-999-deadbeef', 'files'), { recursive: true });
    writeFileSync(join(t.dir, 'versions', '.tmp-999-deadbeef', 'files', 'plan.json'), '{');
    expect((await listBundles(t)).map((x) => x.version)).toEqual([r.version]);
    expect((await readCurrentBundle(t)).version).toBe(r.version);
  });

  it('refuses to publish into a directory that is not a bundle directory', async () => {
    const d = tempDir();
    dirs.push(d);
    writeFileSync(join(d, 'notes.txt'), 'mine');
    await expect(publishBundle(parseTarget(d), await referenceFiles(), { commit: null })).rejects.toThrow(/refusing to publish into/);
    expect(snapshot(d)).toEqual({ 'notes.txt': 'mine' });
  });

  it('a missing file in a published version is named', async () => {
    const t = dirHarness.fresh() as Extract<Target, { kind: 'dir' }>;
    const r = await publishBundle(t, await referenceFiles(), { commit: null });
    unlinkSync(join(t.dir, 'versions', r.version, 'files', 'sql', 'routing_analytics.sql'));
    await expect(readCurrentBundle(t)).rejects.toThrow(/sql\/routing_analytics\.sql is listed in the manifest but missing/);
  });
});

beforeAll(async () => {
  if (redisMissing) return;
  server = await startRedisServer();
  admin = new Redis(server.url);
});
afterAll(async () => {
  await admin?.quit();
  await server?.dispose();
});
