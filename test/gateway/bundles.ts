/** Publishing stand-in plans as bundles, for the gateway tests that follow a publish target. */
import { finalFiles } from '../../src/load/write.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { publishBundle } from '../../src/publish/publish.ts';
import type { Target } from '../../src/publish/target.ts';
import { planJsonTarget } from '../../src/targets/plan-json.ts';

/** What `switchyard compile` would write for the plan, reduced to plan.json (all a gateway reads). */
export function planFiles(plan: CompiledPlan): Map<string, Buffer> {
  return new Map([...finalFiles(planJsonTarget.emit(plan))].map(([p, c]) => [p, Buffer.from(c, 'utf8')]));
}

/** Publishes the plan and returns the new version. */
export async function publishPlan(target: Target, plan: CompiledPlan, t: number): Promise<string> {
  const r = await publishBundle(target, planFiles(plan), { commit: null, now: () => t });
  if (r.status !== 'published') throw new Error(`expected a new version, got ${r.status}`);
  return r.version;
}

/** Resolves when `check` holds, polling every 20 ms; rejects after `limitMs` (a guard against a hang, not a speed goal). */
export async function until(check: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
