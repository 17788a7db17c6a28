/**
 * The model-based properties again, with the Redis store against a real
 * redis-server: one router, then two routers (two clients) sharing one Redis,
 * each route followed by a sync of the router that routed and then of the
 * other (so both decide on the whole history, as the sequential model does).
 * The shared state itself (breakers, usage windows, spend read from Redis),
 * not only each router's mirror, is held to the model.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createRedisStore, type RedisStore } from '../../src/runtime/stores/redis.ts';
import { PATIENT_COMMAND_TIMEOUT_MS, redisForSuite, redisServerMissing } from '../fixtures/redis-server.ts';
import { arbitraryPlan, commands, runModel } from './harness.ts';

const missing = redisServerMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)('router against the reference model (Redis store)', () => {
  const redis = redisForSuite();
  let run = 0;

  const remote = (prefix: string) => ({
    deployment: (id: string) => redis.inspector.hgetall(`${prefix}{router}:d:${id}`),
    tenant: (id: string) => redis.inspector.hgetall(`${prefix}{router}:t:${id}`),
  });

  for (const routers of [1, 2]) {
    it(`holds every routing property with ${routers === 1 ? 'one router' : 'two routers sharing one Redis'}`, async () => {
      await fc.assert(
        fc.asyncProperty(arbitraryPlan, commands(40), fc.nat(), async (plan, cmds, seed) => {
          const keyPrefix = `prop${run++}:`;
          const stores: RedisStore[] = [];
          for (let i = 0; i < routers; i++)
            stores.push(await createRedisStore({ url: redis.server.url, keyPrefix, syncIntervalMs: 0, commandTimeoutMs: PATIENT_COMMAND_TIMEOUT_MS }));
          try {
            await runModel({ plan, stores, remote: remote(keyPrefix) }, cmds, seed);
          } finally {
            await Promise.all(stores.map((s) => s.close()));
          }
        }),
        { numRuns: 25 },
      );
      // About 6,000 Redis round trips: seconds on a quiet machine, past the suite's 60 s on a saturated one.
    }, 180_000);
  }
});
