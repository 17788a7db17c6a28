/**
 * Risk rules speed: the rule pack on the reference plan (goal: 50 ms or less
 * once the engine is loaded) and on a 10,000-deployment plan (goal: 2 s or less).
 */
import { fileURLToPath } from 'node:url';
import { loadPolicy } from '../../src/load/index.ts';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { createBuiltinEngine } from '../../src/risk/builtin-engine.ts';
import { readRulePack } from '../../src/risk/rule-pack.ts';
import { fmt, median } from './stats.ts';
import { syntheticPolicy } from './synthetic-policy.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Median wall and CPU time (user + system of this process, ms) of `runs` runs. On a shared machine the
 * wall time says more about the neighbours than about the engine; the CPU time is the steadier figure.
 */
async function time(runs: number, f: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

export async function main(): Promise<void> {
  const t0 = performance.now();
  const pack = await readRulePack(`${ROOT}policies/risk`);
  const engine = createBuiltinEngine(pack.rules);
  console.log(`rule pack: ${pack.rules.length} files parsed and compiled in ${fmt(performance.now() - t0)}`);

  const ref = await loadPolicy(`${ROOT}policies`);
  const plan = compilePolicy(ref.policy!).plan!;
  const input = { plan, base: null, diff: null };
  await engine.evaluate(input);
  const small = await time(15, () => engine.evaluate(input));
  console.log(`reference plan: median ${small.wall.toFixed(1)} ms wall, ${small.cpu.toFixed(1)} ms CPU per evaluation (goal <= 50 ms)`);

  const big: CompiledPlan = compilePolicy(Policy.parse(syntheticPolicy({ deployments: 10_000, groups: 1_000, tenants: 1_000 }))).plan!;
  const bigInput = { plan: big, base: null, diff: null };
  const large = await time(3, () => engine.evaluate(bigInput));
  console.log(`10,000-deployment plan: median ${fmt(large.wall)} wall, ${fmt(large.cpu)} CPU per evaluation (goal <= 2 s)`);
}
