import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/request-log/data-dir-lock.ts';
import { RequestLogError } from '../../src/request-log/errors.ts';

describe('request-log data directory lock', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const fresh = () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-lock-'));
    return dir;
  };
  const owner = () => readFileSync(join(dir, 'lock'), 'utf8');
  const me = `${process.pid}@${hostname()}\n`;

  it('is held by one writer at a time, and free again once released', () => {
    const lock = lockDataDir(fresh());
    expect(owner()).toBe(me);
    expect(() => lockDataDir(dir)).toThrow(RequestLogError);
    lock.release();
    lock.release();
    const again = lockDataDir(dir);
    expect(owner()).toBe(me);
    again.release();
  });

  it('takes over a lock whose process is gone, including its own pid from before a restart', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(fresh(), 'lock'), `${gone}@${hostname()}\n`);
    lockDataDir(dir).release();
    // A restarted container often gets the pid its predecessor had: not held by this process, so stale.
    writeFileSync(join(dir, 'lock'), me);
    const lock = lockDataDir(dir);
    expect(owner()).toBe(me);
    lock.release();
    // Garbage in the file is not an owner either.
    writeFileSync(join(dir, 'lock'), 'garbage');
    lockDataDir(dir).release();
  });

  it('refuses a lock held by a live process, or by another host it cannot check', () => {
    writeFileSync(join(fresh(), 'lock'), `1@${hostname()}\n`);
    expect(() => lockDataDir(dir)).toThrow(`request log data directory ${dir} is in use by 1@${hostname()}`);
    writeFileSync(join(dir, 'lock'), `${process.pid}@another-host\n`);
    expect(() => lockDataDir(dir)).toThrow(`is in use by ${process.pid}@another-host`);
  });

  it('reports a directory it cannot create as a RequestLogError', () => {
    const parent = fresh();
    writeFileSync(join(parent, 'file'), '');
    expect(() => lockDataDir(join(parent, 'file', 'sub'))).toThrow(RequestLogError);
    chmodSync(parent, 0o700);
  });
});
