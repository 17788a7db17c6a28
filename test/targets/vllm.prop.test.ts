/**
 * Properties of the vLLM emitter over arbitrary plans: an emitted config
 * never exceeds the pool's context or the VRAM budget, a model that does not
 * fit gets none, the YAML and argv forms agree, and no API key is written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { emitVllm, MAX_GPU_MEMORY_UTILIZATION } from '../../src/targets/vllm.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { arbitraryPoolPlan, configToArgv } from './vllm-plan.fixture.ts';

const RUNS = { numRuns: 300 };

/** Checks every invariant on one plan; throws (through expect) on the first one broken. */
function checkVllmInvariants(plan: CompiledPlan): void {
  const files = new Map(emitVllm(plan).map((a) => [a.path, a.content]));
  const expected = new Set<string>();
  for (const pool of Object.values(plan.pools)) {
    for (const m of Object.values(pool.models)) {
      const path = `vllm/${pool.id}/${m.servedName}.yaml`;
      const yaml = files.get(path);
      const cap = m.capacity;
      if (!cap.fits) expect(yaml, `${path}: does not fit, yet has a config`).toBeUndefined();
      if (yaml === undefined) continue;
      expected.add(path).add(path.replace(/\.yaml$/, '.args.json'));
      const config = parse(yaml, { version: '1.1' }) as Record<string, unknown>;
      expect(config.model).toBe(m.model);
      expect(config['max-model-len'] as number).toBeLessThanOrEqual(pool.maxContext);
      expect(config['max-model-len'] as number).toBeLessThanOrEqual(cap.kvTokens);
      expect(config['max-num-batched-tokens'] as number).toBeLessThanOrEqual(cap.kvTokens);
      expect(config['max-num-batched-tokens'] as number).toBeLessThanOrEqual(cap.maxNumBatchedTokens);
      expect(config['max-num-seqs'] as number).toBeLessThanOrEqual(config['max-num-batched-tokens'] as number);
      expect(config['max-num-seqs'] as number).toBeGreaterThanOrEqual(1);
      expect(config['gpu-memory-utilization'] as number).toBeLessThanOrEqual(MAX_GPU_MEMORY_UTILIZATION);
      expect(config['gpu-memory-utilization']).toBe(cap.gpuMemoryUtilization);
      expect(config['tensor-parallel-size']).toBe(m.tensorParallel);
      expect(Object.keys(config)).not.toContain('api-key');
      expect(Object.values(config)).not.toContain(false);
      const argv = JSON.parse(files.get(path.replace(/\.yaml$/, '.args.json'))!) as unknown;
      expect(Array.isArray(argv) && argv.every((t) => typeof t === 'string')).toBe(true);
      expect(argv).toEqual(configToArgv(config));
      expect(argv).not.toContain('--api-key');
    }
  }
  // Nothing but the configs above: no file for a pool or model the plan does not have.
  expect(new Set([...files.keys()].filter((k) => !k.endsWith('.sh')))).toEqual(expected);
  // Launch scripts only beside an engine's config (its own, or on a pool its engine spans into).
  const servedWithConfig = new Set(
    [...expected]
      .filter((k) => k.endsWith('.yaml'))
      .map((k) =>
        k
          .split('/')
          .pop()!
          .replace(/\.yaml$/, ''),
      ),
  );
  for (const k of files.keys())
    if (k.endsWith('.ray-worker.sh'))
      expect(
        servedWithConfig.has(
          k
            .split('/')
            .pop()!
            .replace(/\.ray-worker\.sh$/, ''),
        ),
        k,
      ).toBe(true);
    else if (k.endsWith('.sh')) expect(files.has(k.replace(/\.sh$/, '.yaml')), k).toBe(true);
}

describe('vLLM emitter on arbitrary plans', () => {
  it('holds on the plans of arbitrary valid policies, and every engine that fits gets a config', () => {
    fc.assert(
      fc.property(arbitraryPolicy, (input) => {
        const plan = compilePolicy(Policy.parse(input)).plan!;
        checkVllmInvariants(plan);
        const paths = new Set(emitVllm(plan).map((a) => a.path));
        for (const pool of Object.values(plan.pools))
          for (const m of Object.values(pool.models))
            if (m.capacity.fits && m.capacity.gpuMemoryUtilization <= MAX_GPU_MEMORY_UTILIZATION)
              expect(paths.has(`vllm/${pool.id}/${m.servedName}.yaml`), m.id).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('stays inside the context and VRAM budget, agrees with itself and writes no key', () => {
    fc.assert(fc.property(arbitraryPoolPlan, checkVllmInvariants), RUNS);
  });

  it('emits a config for every model whose capacity is consistent and fits', () => {
    fc.assert(
      fc.property(arbitraryPoolPlan, (plan) => {
        const paths = new Set(emitVllm(plan).map((a) => a.path));
        for (const pool of Object.values(plan.pools))
          for (const m of Object.values(pool.models)) {
            const c = m.capacity;
            const len = Math.min(m.maxModelLen, pool.maxContext);
            const sane =
              c.fits &&
              c.kvTokens >= len &&
              c.gpuMemoryUtilization > 0 &&
              c.gpuMemoryUtilization <= MAX_GPU_MEMORY_UTILIZATION &&
              c.maxNumSeqs >= 1 &&
              c.maxNumBatchedTokens >= 1;
            const launchable = !m.servedName.startsWith('-') && !pool.host.startsWith('-');
            expect(paths.has(`vllm/${pool.id}/${m.servedName}.yaml`)).toBe(sane && launchable);
          }
      }),
      RUNS,
    );
  });
});
