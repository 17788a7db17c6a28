import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Wall time of a whole command in ms, Node start-up included. */
export function timeCommand(cmd: string, args: string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function medianOf(runs: number, f: () => number): { median: number; runs: number[] } {
  const xs = Array.from({ length: runs }, f);
  return { median: median(xs), runs: xs };
}

export const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

let ticksPerSecond: number | null | undefined;

/**
 * CPU time (user + system, ms) of every child this process has waited for,
 * from /proc/self/stat (cutime, cstime); null where there is no /proc. On a
 * shared machine a command's wall time says more about its neighbours than
 * about it: its CPU time is the steadier figure.
 */
function childrenCpuMs(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
  if (ticksPerSecond === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    ticksPerSecond = r.status === 0 && n > 0 ? n : null;
  }
  if (ticksPerSecond === null) return null;
  // Fields after "pid (comm) " start at field 3 (state); cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

/** Wall and CPU time of one run of `f` (which runs and waits for child processes); cpuMs is NaN without /proc. */
export function timeChildren(f: () => void): { wallMs: number; cpuMs: number } {
  const c0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  f();
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const c1 = childrenCpuMs();
  return { wallMs, cpuMs: c0 === null || c1 === null ? NaN : c1 - c0 };
}
