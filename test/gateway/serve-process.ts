/** `switchyard serve` as a real process for the tests that need one (shutdown, two gateways on one Redis). */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from '../fixtures/workspace.ts';

export interface Served {
  child: ChildProcess;
  /** http://host:port */
  url: string;
  stderr(): string;
  exit: Promise<number | null>;
}

/** Starts `switchyard serve <args>` and resolves once it logs that it listens. */
export async function serveProcess(args: readonly string[], env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [join(REPO, 'bin/switchyard.mjs'), 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
    child.stderr!.on('data', () => {
      const m = /"msg":"listening","url":"([^"]+)"/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exit.then(() => reject(new Error(`serve exited: ${err}`)));
  });
  return { child, url, stderr: () => err, exit };
}

/** SIGTERM, then the exit code. */
export async function stopServe(s: Served): Promise<number | null> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
  return s.exit;
}

/**
 * Runs `switchyard serve <args>` expecting it to end by itself (a start that
 * fails): its exit code and stderr; `hung` when it was still running after
 * `guardMs` and had to be killed (a guard against a hang, not a speed goal).
 */
export async function serveToExit(
  args: readonly string[],
  env: Record<string, string>,
  guardMs = 60_000,
): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  const child = spawn(process.execPath, [join(REPO, 'bin/switchyard.mjs'), 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, guardMs);
  const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  clearTimeout(guard);
  return { code, stderr, hung };
}
