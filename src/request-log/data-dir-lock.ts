/**
 * One writer per PGlite data directory. PGlite does not lock its directory,
 * and two PostgreSQL instances on one data directory corrupt it, so the
 * writer takes `<dir>/lock` (created exclusively, holding `pid@host`) for as
 * long as it is open. A lock whose process is gone is stale and taken over;
 * a lock from another host cannot be checked and is refused.
 */
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RequestLogError } from './errors.ts';

export interface DirLock {
  readonly file: string;
  release(): void;
}

/** Directories this process holds: its own pid in a lock file is stale unless listed here (a restarted container often gets the same pid). */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Whether the owner written in a lock file still holds it. */
function ownerHolds(owner: string, dir: string): boolean {
  const m = /^(\d+)@(.*)$/.exec(owner);
  if (m === null) return false;
  const pid = Number(m[1]);
  if (m[2] !== hostname()) return true;
  if (pid === process.pid) return held.has(dir);
  return alive(pid);
}

/** Creates `dir` (mode 0700) if needed and locks it; throws a RequestLogError when another live writer holds it. */
export function lockDataDir(dir: string): DirLock {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new RequestLogError(`request log data directory ${dir}: ${(err as Error).message}`);
  }
  const real = realpathSync(dir);
  const file = join(real, 'lock');
  const me = `${process.pid}@${hostname()}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, `${me}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(real);
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          held.delete(real);
          if (readOwner(file) === me) rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new RequestLogError(`cannot lock request log data directory ${dir}: ${(err as Error).message}`);
      const owner = readOwner(file);
      if (ownerHolds(owner, real))
        throw new RequestLogError(
          `request log data directory ${dir} is in use by ${owner} (lock file ${file}): give each gateway its own directory, or a --database-url`,
          'request-log-locked',
        );
      // Stale: the process that wrote it is gone. Whoever removes it first and creates it anew wins.
      rmSync(file, { force: true });
    }
  }
  throw new RequestLogError(`cannot lock request log data directory ${dir}: the lock file ${file} keeps changing hands`, 'request-log-locked');
}
