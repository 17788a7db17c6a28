/**
 * Locates Debian's prometheus binaries for the tests that run them. A missing
 * binary fails the test with the install command: these tests never skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const INSTALL = "install Debian's prometheus package: apt-get update && apt-get install -y prometheus";

export function prometheusBinary(name: 'promtool' | 'prometheus'): string {
  const candidates = [`/usr/bin/${name}`, `/usr/local/bin/${name}`];
  for (const c of candidates) if (existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const found = which.stdout.trim();
  if (which.status === 0 && found !== '') return found;
  throw new Error(`${name} not found (looked in ${candidates.join(', ')} and PATH): ${INSTALL}`);
}

export interface RunResult {
  code: number;
  output: string;
}

export function promtool(args: string[], cwd?: string): RunResult {
  const r = spawnSync(prometheusBinary('promtool'), args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}
