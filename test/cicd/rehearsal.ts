/**
 * Runs a pipeline's shell script as its runner would (bash, errexit), with
 * `npx switchyard` going to this checkout's real bin and `sleep` a no-op, so
 * the publish, gate and rollback steps can be rehearsed against a bundle
 * directory in seconds.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../fixtures/workspace.ts';

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
  /** `switchyard ...` command lines that reached the fake npx, in order. */
  calls: string[];
}

export interface Runner {
  dir: string;
  /** Runs `script` with `bash <flags>` in `cwd`. FAKE_SWITCHYARD_RC in env makes every switchyard call exit with it instead of running. */
  run(script: string, opts: { cwd: string; env?: Record<string, string>; bashFlags?: string[] }): ScriptResult;
  cleanup(): void;
}

export function makeRunner(): Runner {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-cicd-'));
  const bin = join(dir, 'bin');
  spawnSync('mkdir', ['-p', bin]);
  writeFileSync(
    join(bin, 'npx'),
    [
      '#!/usr/bin/env bash',
      '[ "$1" = switchyard ] || { echo "fake npx: only switchyard is installed" >&2; exit 127; }',
      'shift',
      'printf "switchyard %s\\n" "$*" >> "$SWITCHYARD_CALLS"',
      'if [ -n "${FAKE_SWITCHYARD_RC:-}" ]; then exit "$FAKE_SWITCHYARD_RC"; fi',
      `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(REPO, 'bin/switchyard.mjs'))} "$@"`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n');
  for (const f of ['npx', 'sleep']) chmodSync(join(bin, f), 0o755);
  let n = 0;
  return {
    dir,
    run(script, opts) {
      n++;
      const file = join(dir, `script-${n}.sh`);
      const calls = join(dir, `calls-${n}.txt`);
      writeFileSync(file, script);
      writeFileSync(calls, '');
      const r = spawnSync('bash', [...(opts.bashFlags ?? ['--noprofile', '--norc', '-e']), file], {
        cwd: opts.cwd,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', ...opts.env, PATH: `${bin}:${process.env.PATH}`, SWITCHYARD_CALLS: calls },
        timeout: 120_000,
      });
      return {
        code: r.status ?? -1,
        stdout: r.stdout,
        stderr: r.stderr,
        calls: readFileSync(calls, 'utf8')
          .split('\n')
          .filter((l) => l !== ''),
      };
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `key=value` lines (GITHUB_OUTPUT, GitLab dotenv) as a record. */
export function readKeyValues(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A loopback port nothing listens on: the gate's Prometheus is unreachable there. */
export const DEAD_PROMETHEUS = 'http://127.0.0.1:9';
