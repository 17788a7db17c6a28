/**
 * Simulator speed: one simulated hour of the reference plan at peak (every
 * group's traffic, ~350,000 requests) per built-in scenario, each through
 * the real router. Prints wall and CPU time per scenario (goal: under 5 s of
 * wall time on one core) and requests simulated per second; then, from a
 * CPU profile of the baseline hour, the share of time spent in the router
 * (src/runtime), in the simulator's models and event loop (src/simulate) and
 * in garbage collection, so a slow run says where its time went.
 */
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { parsePlan } from '../../src/plan/read.ts';
import { simulateScenario } from '../../src/simulate/run.ts';
import { allBuiltins, BASELINE } from '../../src/simulate/scenario.ts';

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

export async function main(): Promise<void> {
  const scenarios = allBuiltins(plan);
  console.log(`reference plan, 1 h at peak per scenario (${scenarios.length} built-ins), seed 1, one process, one scenario at a time`);
  // Warm the JIT on a short run, as any second scenario of a CLI run is.
  await simulateScenario(plan, BASELINE, { durationMs: 120_000, seed: 1 });
  let worst = 0;
  for (const s of scenarios) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = await simulateScenario(plan, s, { durationMs: HOUR, seed: 1 });
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e3;
    worst = Math.max(worst, wall);
    console.log(
      `  ${s.name.padEnd(34)} ${r.totals.requests.toLocaleString('en-US').padStart(9)} requests  ${(wall / 1000).toFixed(2).padStart(6)} s wall  ${(cpu / 1000).toFixed(2).padStart(6)} s CPU  ${Math.round(
        r.totals.requests / (wall / 1000),
      )
        .toLocaleString('en-US')
        .padStart(9)} requests/s  ${Math.round(r.events / (wall / 1000))
        .toLocaleString('en-US')
        .padStart(9)} events/s`,
    );
  }
  console.log(`slowest scenario: ${(worst / 1000).toFixed(2)} s wall (goal: under 5 s per simulated hour on one core)`);
  const shares = await profileShares(() => simulateScenario(plan, BASELINE, { durationMs: HOUR, seed: 1 }));
  const text = Object.entries(shares)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
    .join(', ');
  console.log(`where the baseline hour's CPU time goes (sampled profile, self time): ${text}`);
}
