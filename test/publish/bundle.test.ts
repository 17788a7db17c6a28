import { describe, expect, it } from 'vitest';
import { buildManifest, BundleIntegrityError, isVersion, manifestText, nextVersion, sha256, verifyBundle } from '../../src/publish/bundle.ts';
import { parseTarget, redactUrl, scrubSecret } from '../../src/publish/target.ts';
import { referenceFiles } from './helpers.ts';

const HASH = `sha256:3a690924f5de${'0'.repeat(52)}`;

describe('version ids', () => {
  it('are the UTC time to the millisecond and the short plan hash', () => {
    const v = nextVersion(HASH, Date.UTC(2025, 2, 1, 10, 15, 0, 123), null);
    expect(v).toBe('20250301T101500.123Z-3a690924f5de');
    expect(isVersion(v)).toBe(true);
    expect(isVersion('../etc')).toBe(false);
  });

  it('always sort after the latest version, even when the clock goes back or two publishes share a millisecond', () => {
    const t = Date.UTC(2025, 2, 1, 10, 15, 0, 999);
    const a = nextVersion(HASH, t, null);
    const b = nextVersion(HASH, t, a);
    const c = nextVersion(HASH, t - 60_000, b);
    expect([a, b, c]).toEqual([a, b, c].slice().sort());
    expect(new Set([a, b, c]).size).toBe(3);
    expect(b).toBe('20250301T101501.000Z-3a690924f5de');
    // a later clock wins over the latest + 1 ms
    expect(nextVersion(HASH, t + 5000, c)).toBe('20250301T101505.999Z-3a690924f5de');
  });
});

describe('verifyBundle', () => {
  it('accepts an intact bundle and names the file that does not match', async () => {
    const files = await referenceFiles();
    const version = nextVersion(HASH, Date.now(), null);
    const manifest = buildManifest(files, { version, commit: null, createdAt: new Date().toISOString() });
    const raw = { version, manifestText: manifestText(manifest), files };
    expect(verifyBundle(raw, 't').files.size).toBe(files.size);

    const edited = new Map(files).set('litellm/config.yaml', Buffer.from('model_list: []\n'));
    expect(() => verifyBundle({ ...raw, files: edited }, 't')).toThrow(/litellm\/config\.yaml does not match the manifest/);
    const missing = new Map(files);
    missing.delete('sql/routing_analytics.sql');
    expect(() => verifyBundle({ ...raw, files: missing }, 't')).toThrow(/sql\/routing_analytics\.sql is listed in the manifest but missing/);
    const extra = new Map(files).set('evil.sh', Buffer.from('rm -rf /'));
    expect(() => verifyBundle({ ...raw, files: extra }, 't')).toThrow(/evil\.sh is not listed/);
    expect(() => verifyBundle({ ...raw, version: nextVersion(HASH, Date.now() + 1000, version) }, 't')).toThrow(BundleIntegrityError);
  });

  it('checks plan.json with parsePlan even when the manifest was rewritten to match an edited plan', async () => {
    const files = await referenceFiles();
    const plan = files.get('plan.json')!.toString('utf8').replace('"reference"', '"edited"');
    const edited = new Map(files).set('plan.json', Buffer.from(plan));
    const version = nextVersion(HASH, Date.now(), null);
    const good = buildManifest(files, { version, commit: null, createdAt: 'x' });
    const forged = { ...good, files: { ...good.files, 'plan.json': sha256(edited.get('plan.json')!) } };
    // buildManifest itself refuses the edited plan
    expect(() => buildManifest(edited, { version, commit: null, createdAt: 'x' })).toThrow(/hash mismatch/);
    expect(() => verifyBundle({ version, manifestText: manifestText(forged), files: edited }, 't')).toThrow(/plan\.json: plan hash mismatch/);
  });
});

describe('targets', () => {
  it('tells directories from Redis URLs and never shows a password', () => {
    expect(parseTarget('/srv/bundles')).toMatchObject({ kind: 'dir', dir: '/srv/bundles' });
    const t = parseTarget('redis://deploy:s3cret@redis.internal:6379/2', { prefix: 'sy:' });
    expect(t).toMatchObject({ kind: 'redis', prefix: 'sy:' });
    expect(t.display).not.toContain('s3cret');
    expect(t.display).toBe('redis://deploy:***@redis.internal:6379/2');
    expect(redactUrl('redis://:p%40ss@h:1')).toBe('redis://:***@h:1');
    expect(scrubSecret('connect to redis://:p%40ss@h:1 failed (p@ss)', 'redis://:p%40ss@h:1')).not.toMatch(/p@ss|p%40ss/);
    expect(() => parseTarget('s3://bucket/x')).toThrow(/unsupported target/);
  });
});
