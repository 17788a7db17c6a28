/**
 * Our KV-cache estimate against the sizes vLLM itself reported at start-up
 * for published configurations: within 15% of the tokens it logged. The
 * references, with their sources and how each run is reproduced, are in
 * kv-references.ts.
 */
import { describe, expect, it } from 'vitest';
import { estimateEngine, kvTokensFor, GIB } from '../../src/capacity/index.ts';
import {
  ABSOLUTE_TOLERANCE_BYTES,
  common,
  EXCLUDED,
  EXTRA,
  fixtureEntries,
  fromFixture,
  kvError as error,
  kvErrorBytes,
  L8,
  TOLERANCE,
  v0,
  withinTolerance,
  type Reference,
} from './kv-references.ts';

describe('KV cache size against vLLM start-up logs', () => {
  const usable = fixtureEntries().filter((e) => e.usable_for_dense_gqa_estimator);

  it('covers every usable entry of the shared fixture or says why not', () => {
    for (const e of usable) {
      if (fromFixture(e) === undefined) expect(EXCLUDED[e.id], `fixture entry ${e.id} is neither reproduced nor excluded`).toBeDefined();
    }
  });

  it.each(usable.filter((e) => !EXCLUDED[e.id]).map((e) => [e.id, e] as const))('fixture %s within 15%%', (_, e) => {
    const ref = fromFixture(e);
    expect(ref).toBeDefined();
    expect(Math.abs(error(ref!))).toBeLessThan(TOLERANCE);
  });

  it('the RTX 3090 entry at 20,000 tokens: 31,232 reported (the shared fixture, inlined so the test runs without it)', () => {
    const ref: Reference = {
      id: 'vllm-10517-rtx3090-llama31-8b-20k',
      source: 'https://github.com/vllm-project/vllm/issues/10517',
      config: v0({ ...common, arch: L8, vramGb: 24, maxModelLen: 20_000 }),
      reportedTokens: 31_232,
    };
    expect(Math.abs(error(ref))).toBeLessThan(TOLERANCE);
    // The one request at 20,000 tokens fits (vLLM: "Maximum concurrency for 20000 tokens per request: 1.56x").
    expect(estimateEngine(ref.config).fits).toBe(true);
  });

  it.each(EXTRA.map((r) => [r.id, r] as const))('%s within 15%% (or under by at most 1.5 GiB of cache), never over by 15%%', (_, ref) => {
    expect(error(ref)).toBeLessThan(TOLERANCE);
    expect(withinTolerance(ref), `error ${(error(ref) * 100).toFixed(1)}%, ${(kvErrorBytes(ref) / 2 ** 30).toFixed(2)} GiB`).toBe(true);
  });

  it('the absolute allowance only ever excuses an under-estimate', () => {
    const over: Reference = { ...EXTRA[0]!, reportedTokens: Math.floor(EXTRA[0]!.reportedTokens / 1.2) };
    expect(withinTolerance(over)).toBe(false);
    const small = EXTRA.find((r) => r.id === 'gh-file-28022205292-h100-qwen3-32b')!;
    // A 4.45 GiB cache: 28% under in tokens is under 1.5 GiB of memory.
    expect(Math.abs(error(small))).toBeGreaterThan(TOLERANCE);
    expect(-kvErrorBytes(small)).toBeLessThanOrEqual(ABSOLUTE_TOLERANCE_BYTES);
  });

  it('shrinks the cache as max-model-len grows on a V0 engine, as vLLM did (31,232 -> 23,648 tokens)', () => {
    const at = (len: number) => estimateEngine(v0({ ...common, arch: L8, vramGb: 24, maxModelLen: len })).kvTokens;
    expect(at(29_000)).toBeLessThan(at(20_000));
    // and, like vLLM, refuses 29,000 tokens: the cache holds fewer than one such request.
    expect(estimateEngine(v0({ ...common, arch: L8, vramGb: 24, maxModelLen: 29_000 })).fits).toBe(false);
  });

  it('turns KV memory into tokens as vLLM does: 26.43 GiB of Llama-8B-class cache -> 216,496 tokens (gh-file-62757639325)', () => {
    expect(Math.abs(kvTokensFor(26.43 * GIB, 131_072) / 216_496 - 1)).toBeLessThan(0.001);
  });
});
