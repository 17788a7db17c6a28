/**
 * Plan reload speed (issue 13, point 1: a publish or rollback is served
 * within 2 s): an in-process gateway over the stand-in providers follows a
 * publish target with the default poll interval (1 s) and its watcher
 * (fs.watch on a directory, pub/sub on Redis); ten rollbacks alternate
 * between two versions, and the time from the rollback returning to the new
 * version being served is printed (median and max), with the swap's own
 * time (read + verify + build + carry state). Nothing asserts timings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followBundle } from '../../src/gateway/follow-bundle.ts';
import { rollbackBundle } from '../../src/publish/rollback.ts';
import { parseTarget, type Target } from '../../src/publish/target.ts';
import { redisServerMissing, startRedisServer } from '../fixtures/redis-server.ts';
import { publishPlan } from '../gateway/bundles.ts';
import { compileOrThrow, standInPolicy, startHarness, withTestGroups } from '../gateway/harness.ts';
import { median } from './stats.ts';

const ROUNDS = 10;

async function measure(label: string, target: Target): Promise<void> {
  const h = await startHarness({ edit: withTestGroups });
  const policy = await standInPolicy((id) => h.standIns[id]!.base);
  withTestGroups(policy);
  policy.tenants.find((t) => t.id === 'research-lab')!.rpm = 500;
  const other = compileOrThrow(policy);
  const vA = await publishPlan(target, h.plan, Date.UTC(2026, 0, 1));
  const vB = await publishPlan(target, other, Date.UTC(2026, 0, 2));
  await rollbackBundle(target, vA);
  const swaps: number[] = [];
  const follower = followBundle({
    target,
    version: vA,
    reload: h.gateway.reload,
    secretsFor: h.secretsFor,
    log: (l) => {
      if (l.msg === 'plan reloaded') swaps.push(l.ms as number);
    },
  });
  const pickups: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const v = i % 2 === 0 ? vB : vA;
      await rollbackBundle(target, v);
      const t0 = performance.now();
      while (follower.version() !== v) {
        if (performance.now() - t0 > 10_000) throw new Error(`${label}: version ${v} not served after 10 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
      pickups.push(performance.now() - t0);
    }
  } finally {
    await follower.close();
    await h.close();
  }
  const f = (xs: number[]) => `median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  console.log(`${label}: rollback -> served ${f(pickups)} (goal <= 2000 ms); swap ${f(swaps)}`);
}

export async function main(): Promise<void> {
  await measure('directory (fs.watch + 1 s poll)', parseTarget(mkdtempSync(join(tmpdir(), 'switchyard-reload-bench-'))));
  if (redisServerMissing() !== null) {
    console.log('redis: skipped (no redis-server)');
    return;
  }
  const redis = await startRedisServer();
  try {
    await measure('redis (pub/sub + 1 s poll)', parseTarget(redis.url, { prefix: 'bench:' }));
  } finally {
    await redis.dispose();
  }
}
