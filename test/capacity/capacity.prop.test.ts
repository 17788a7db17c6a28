import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATALOG, estimateEngine, type EngineConfig } from '../../src/capacity/index.ts';
import { capacityFor, type PoolModelSettings } from '../../src/plan/capacity/engine.ts';

const RUNS = { numRuns: 500 };

const engine: fc.Arbitrary<EngineConfig> = fc.record({
  arch: fc.constantFrom(...CATALOG),
  dtype: fc.constantFrom('auto', 'bfloat16', 'float16', 'float32'),
  quantization: fc.constantFrom(null, 'awq', 'gptq', 'fp8', 'bitsandbytes'),
  kvCacheDtype: fc.constantFrom('auto', 'fp8', 'fp8_e4m3', 'fp8_e5m2'),
  tensorParallel: fc.constantFrom(1, 2, 4, 8),
  vramGb: fc.oneof(fc.constantFrom(16, 24, 32, 40, 48, 80, 96, 141), fc.double({ min: 4, max: 200, noNaN: true })),
  gpuMemoryUtilization: fc.double({ min: 0.3, max: 0.98, noNaN: true }),
  maxModelLen: fc.integer({ min: 256, max: 131_072 }),
  maxNumBatchedTokens: fc.integer({ min: 256, max: 32_768 }),
  maxNumSeqs: fc.integer({ min: 1, max: 1024 }),
  cudaGraphs: fc.boolean(),
}) as fc.Arbitrary<EngineConfig>;

/** The same engine as a plan pool model, for capacityFor. */
const asPlan = (c: EngineConfig, expected: { promptTokens: number; completionTokens: number }) => {
  const pool = { id: 'p', gpu: { model: 'GPU', vramGb: c.vramGb, count: c.tensorParallel } };
  const model: PoolModelSettings = {
    id: 'p/m',
    model: c.arch.id,
    servedName: 'm',
    dtype: c.dtype,
    quantization: c.quantization,
    kvCacheDtype: c.kvCacheDtype,
    tensorParallel: c.tensorParallel,
    spansPools: [],
    gpuMemoryUtilization: c.gpuMemoryUtilization,
    maxModelLen: c.maxModelLen,
    port: null,
    expected,
  };
  return capacityFor(pool, model, { p: pool });
};
const expected = fc.record({ promptTokens: fc.integer({ min: 1, max: 40_000 }), completionTokens: fc.integer({ min: 1, max: 8_000 }) });

describe('capacity arithmetic on arbitrary engines', () => {
  it('an engine that fits stays within VRAM x utilization per GPU and holds one max-model-len request', () => {
    fc.assert(
      fc.property(engine, (c) => {
        const e = estimateEngine(c);
        if (!e.fits) return;
        expect(e.weightsBytes + e.reserveBytes + e.kvTokens * e.kvBytesPerToken).toBeLessThanOrEqual(e.gpuBytes * c.gpuMemoryUtilization);
        expect(e.kvTokens).toBeGreaterThanOrEqual(c.maxModelLen);
        expect(e.missingBytes).toBe(0);
      }),
      RUNS,
    );
  });

  it('the plan figures (GB to 3 decimals) add up the same way, and the knobs stay inside the cache', () => {
    fc.assert(
      fc.property(engine, expected, (c, exp) => {
        const cap = asPlan(c, exp);
        if (!cap.fits) return;
        expect(cap.weightsGbPerGpu + cap.reserveGbPerGpu + (cap.kvTokens * cap.kvBytesPerTokenPerGpu) / 1e9).toBeLessThanOrEqual(
          cap.vramGbPerGpu * cap.gpuMemoryUtilization + 1e-9,
        );
        expect(cap.kvTokens).toBeGreaterThanOrEqual(c.maxModelLen);
        expect(cap.maxNumSeqs).toBeGreaterThanOrEqual(1);
        expect(cap.maxNumSeqs).toBeLessThanOrEqual(256);
        expect(cap.maxNumBatchedTokens).toBeGreaterThanOrEqual(cap.maxNumSeqs);
        expect(cap.maxNumBatchedTokens).toBeLessThanOrEqual(cap.kvTokens);
        expect(cap.maxConcurrencyAtFullContext).toBeGreaterThanOrEqual(1);
      }),
      RUNS,
    );
  });

  it('KV tokens never decrease with more VRAM', () => {
    fc.assert(
      fc.property(engine, fc.double({ min: 0, max: 64, noNaN: true }), (c, more) => {
        expect(estimateEngine({ ...c, vramGb: c.vramGb + more }).kvTokens).toBeGreaterThanOrEqual(estimateEngine(c).kvTokens);
      }),
      RUNS,
    );
  });

  it('KV tokens never decrease with a higher utilization', () => {
    fc.assert(
      fc.property(engine, fc.double({ min: 0, max: 0.5, noNaN: true }), (c, more) => {
        const higher = Math.min(c.gpuMemoryUtilization + more, 1);
        expect(estimateEngine({ ...c, gpuMemoryUtilization: higher }).kvTokens).toBeGreaterThanOrEqual(estimateEngine(c).kvTokens);
      }),
      RUNS,
    );
  });

  it('the same holds for plan capacity, whose knobs depend on the cache', () => {
    fc.assert(
      fc.property(engine, expected, fc.double({ min: 0, max: 64, noNaN: true }), fc.double({ min: 0, max: 0.2, noNaN: true }), (c, exp, vram, util) => {
        const bigger = asPlan({ ...c, vramGb: c.vramGb + vram, gpuMemoryUtilization: Math.min(c.gpuMemoryUtilization + util, 0.98) }, exp);
        const base = asPlan(c, exp);
        expect(bigger.kvTokens).toBeGreaterThanOrEqual(base.kvTokens);
        if (base.fits) expect(bigger.fits).toBe(true);
      }),
      RUNS,
    );
  });
});
