/**
 * Simulator speed: one simulated hour of the reference plan at peak (every
 * group's traffic, ~140,000 requests) per built-in scenario, each through
 * the real router. Prints wall and CPU time per scenario (goal: under 5 s of
 * wall time on one core) and requests simulated per second, each the median
 * of several runs; the whole `switchyard simulate --scenario traffic:x2`
 * command, wall and CPU time (goal: 5 s CPU); then, from a
 * CPU profile of the baseline hour, the share of time spent in the router
 * (src/runtime), in the simulator's models and event loop (src/simulate) and
 * in garbage collection, so a slow run says where its time went.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePlan } from '../../src/plan/read.ts';
import { simulateScenario } from '../../src/simulate/run.ts';
import { allBuiltins, BASELINE } from '../../src/simulate/scenario.ts';
import { fmt, median, timeChildren, timeCommand } from './stats.ts';

const HOUR = 3_600_000;
const plan = parsePlan(readFileSync(new URL('../../generated/plan.json', import.meta.url), 'utf8'));

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
}

/** Self time of a CPU profile by where the code lives. */
async function profileShares(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  await run();
  const { profile } = await post<{ profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } }>('Profiler.stop');
  session.disconnect();
  const where = new Map<number, string>();
  for (const n of profile.nodes) {
    const url = n.callFrame.url;
    where.set(
      n.id,
      n.callFrame.functionName === '(garbage collector)'
        ? 'garbage collection'
        : url.includes('/src/runtime/')
          ? 'router (src/runtime)'
          : url.includes('/src/simulate/')
            ? 'simulator (src/simulate)'
            : url === ''
              ? 'V8 and promise machinery'
              : 'other',
    );
  }
  const time: Record<string, number> = {};
  let total = 0;
  profile.samples.forEach((id, i) => {
    const k = where.get(id) ?? 'other';
    const dt = profile.timeDeltas[i] ?? 0;
    time[k] = (time[k] ?? 0) + dt;
    total += dt;
  });
  return Object.fromEntries(Object.entries(time).map(([k, v]) => [k, v / total]));
}

/** Runs per figure; each figure is the median. */
const RUNS = 3;
const CLI_RUNS = 5;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function main(): Promise<void> {
  const scenarios = allBuiltins(plan);
  console.log(
    `reference plan, 1 h at peak per scenario (${scenarios.length} built-ins), seed 1, one process, one scenario at a time; median of ${RUNS} runs each`,
  );
  // Warm the JIT on a short run, as any second scenario of a CLI run is.
  await simulateScenario(plan, BASELINE, { durationMs: 120_000, seed: 1 });
  let worst = 0;
  for (const s of scenarios) {
    const walls: number[] = [];
    const cpus: number[] = [];
    let requests = 0;
    let events = 0;
    for (let i = 0; i < RUNS; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      const r = await simulateScenario(plan, s, { durationMs: HOUR, seed: 1 });
      walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1e3);
      requests = r.totals.requests;
      events = r.events;
    }
    const wall = median(walls);
    const cpu = median(cpus);
    worst = Math.max(worst, wall);
    console.log(
      `  ${s.name.padEnd(34)} ${requests.toLocaleString('en-US').padStart(9)} requests  ${(wall / 1000).toFixed(2).padStart(6)} s wall  ${(cpu / 1000).toFixed(2).padStart(6)} s CPU  ${Math.round(
        requests / (wall / 1000),
      )
        .toLocaleString('en-US')
        .padStart(9)} requests/s  ${Math.round(events / (wall / 1000))
        .toLocaleString('en-US')
        .padStart(9)} events/s`,
    );
  }
  console.log(`slowest scenario: ${(worst / 1000).toFixed(2)} s wall (goal: under 5 s per simulated hour on one core)`);

  // The command as a user runs it, Node start-up and loading included.
  const args = [join(ROOT, 'bin/switchyard.mjs'), 'simulate', '--scenario', 'traffic:x2', '--json'];
  timeCommand('node', args, ROOT); // warms jiti's transpile cache
  const cli = Array.from({ length: CLI_RUNS }, () => timeChildren(() => timeCommand('node', args, ROOT)));
  const cliCpu = median(cli.map((r) => r.cpuMs));
  console.log(
    `switchyard simulate --scenario traffic:x2 (1 h): median ${fmt(median(cli.map((r) => r.wallMs)))} wall, ${Number.isNaN(cliCpu) ? 'CPU n/a' : `${fmt(cliCpu)} CPU`} over ${CLI_RUNS} runs (goal: 5 s CPU or less)`,
  );
  const shares = await profileShares(() => simulateScenario(plan, BASELINE, { durationMs: HOUR, seed: 1 }));
  const text = Object.entries(shares)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
    .join(', ');
  console.log(`where the baseline hour's CPU time goes (sampled profile, self time): ${text}`);
}
