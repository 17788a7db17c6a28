/**
 * The model parts on their own: the event loop's ordering, the hosted
 * provider's rate limits and Retry-After, the roofline service times, the
 * tenant split of the traffic, and the engine's admission rules.
 */
import { describe, expect, it } from 'vitest';
import type { PlanDeployment } from '../../src/plan/types.ts';
import { seededRandom } from '../../src/runtime/clock.ts';
import { Engine } from '../../src/simulate/engine.ts';
import { EventLoop } from '../../src/simulate/event-loop.ts';
import { HostedEndpoint, REJECT_LATENCY_MS } from '../../src/simulate/hosted.ts';
import { lognormalFromPercentiles, sampleLognormal, tokenCount } from '../../src/simulate/random.ts';
import { decodeStepMs, engineHardware, parameterCount, prefillMs, rooflineParams } from '../../src/simulate/roofline.ts';
import { allowedRate, tenantShares } from '../../src/simulate/traffic.ts';
import { compiled } from './fixtures.ts';

describe('event loop', () => {
  it('runs events in time order, ties in the order scheduled, skipping cancelled ones', async () => {
    const loop = new EventLoop(1000);
    const seen: string[] = [];
    loop.at(1030, () => seen.push(`c@${loop.now()}`));
    loop.at(1010, () => seen.push(`a@${loop.now()}`));
    loop.at(1010, () => seen.push(`b@${loop.now()}`));
    loop.at(1020, () => seen.push('cancelled')).cancelled = true;
    // An event in the past runs now, not before now.
    loop.at(500, () => seen.push(`past@${loop.now()}`));
    await loop.run();
    expect(seen).toEqual(['past@1000', 'a@1010', 'b@1010', 'c@1030']);
  });

  it('lets a woken task run until it parks before time moves on', async () => {
    const loop = new EventLoop(0);
    const log: string[] = [];
    const task = async (name: string, waits: number[]) => {
      loop.unpark();
      for (const w of waits) {
        log.push(`${name} sleeps ${w} at ${loop.now()}`);
        await loop.sleep(w);
        // A few awaits of resolved promises between wake-up and the next park: the loop must wait for them.
        await Promise.resolve();
        await Promise.resolve();
      }
      log.push(`${name} done at ${loop.now()}`);
      loop.park();
    };
    loop.at(0, () => void task('x', [10, 5]));
    loop.at(0, () => void task('y', [12]));
    await loop.run();
    expect(log).toEqual(['x sleeps 10 at 0', 'y sleeps 12 at 0', 'x sleeps 5 at 10', 'y done at 12', 'x done at 15']);
  });

  it('an event that throws rejects the run', async () => {
    const loop = new EventLoop(0);
    loop.at(5, () => {
      throw new Error('model bug');
    });
    await expect(loop.run()).rejects.toThrow('model bug');
  });
});

const deployment = (rpm: number | null, tpm: number | null): PlanDeployment => ({
  id: 'd',
  provider: 'openai',
  providerKind: 'openai',
  model: 'gpt-4o',
  contextWindow: 128_000,
  rpm,
  tpm,
  pricing: { inputPer1M: 1, outputPer1M: 1 },
  weight: 1,
  order: null,
  pool: null,
  timeoutMs: null,
  tags: [],
});

describe('hosted provider', () => {
  it('answers 429 with the Retry-After its token bucket needs once the rpm is spent, and recovers as it refills', () => {
    const h = new HostedEndpoint(deployment(60, null), { p50Ms: 100, p95Ms: 100, errorRate: 0 }, seededRandom(1));
    const lat = h.latency;
    for (let i = 0; i < 60; i++) expect(h.answer(0, 10, lat, 0).kind).toBe('ok');
    const refused = h.answer(0, 10, lat, 0);
    // 60 rpm refills one request a second.
    expect(refused).toEqual({ kind: 'http-429', latencyMs: REJECT_LATENCY_MS, retryAfterMs: 1000 });
    expect(h.answer(500, 10, lat, 0)).toMatchObject({ kind: 'http-429', retryAfterMs: 500 });
    expect(h.answer(1000, 10, lat, 0)).toEqual({ kind: 'ok', latencyMs: 100 });
  });

  it('counts tokens against the tpm, and a request larger than the whole tpm is refused for a day', () => {
    const h = new HostedEndpoint(deployment(null, 6_000), { p50Ms: 100, p95Ms: 100, errorRate: 0 }, seededRandom(1));
    expect(h.answer(0, 5_000, h.latency, 0).kind).toBe('ok');
    // 1,000 tokens left; 2,000 more need 1,000 refilled at 100 per second: 10 s.
    expect(h.answer(0, 2_000, h.latency, 0)).toMatchObject({ kind: 'http-429', retryAfterMs: 10_000 });
    expect(h.answer(0, 7_000, h.latency, 0)).toMatchObject({ kind: 'http-429', retryAfterMs: 86_400_000 });
  });

  it('fails the share of calls its error rate says', () => {
    const h = new HostedEndpoint(deployment(null, null), { errorRate: 0.25 }, seededRandom(3));
    let errors = 0;
    for (let i = 0; i < 20_000; i++) if (h.answer(i, 10, h.latency, h.errorRate).kind === 'error-503') errors++;
    expect(errors / 20_000).toBeGreaterThan(0.23);
    expect(errors / 20_000).toBeLessThan(0.27);
  });

  it('draws latency with the median and 95th percentile it was given', () => {
    const d = lognormalFromPercentiles(300, 600);
    const r = seededRandom(9);
    const xs = Array.from({ length: 40_000 }, () => sampleLognormal(r, d)).sort((a, b) => a - b);
    expect(xs[20_000]! / 300).toBeGreaterThan(0.97);
    expect(xs[20_000]! / 300).toBeLessThan(1.03);
    expect(xs[38_000]! / 600).toBeGreaterThan(0.96);
    expect(xs[38_000]! / 600).toBeLessThan(1.04);
  });

  it('draws token counts around the mean, never below 1', () => {
    const r = seededRandom(5);
    const xs = Array.from({ length: 40_000 }, () => tokenCount(r, 1_200, 0.6));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean / 1_200).toBeGreaterThan(0.97);
    expect(mean / 1_200).toBeLessThan(1.03);
    expect(Math.min(...Array.from({ length: 1_000 }, () => tokenCount(r, 1, 3)))).toBe(1);
  });
});

describe('roofline service times', () => {
  const plan = compiled(() => {});
  const m = plan.pools['pool-a']!.models['llama-3.1-8b-instruct']!;
  const hw = engineHardware(plan, 'pool-a', m);
  const p = rooflineParams(m, hw);

  it('uses the GPU table: an RTX 5090 at 1,792 GB/s', () => {
    expect(hw).toEqual({ gpu: 'RTX 5090', memoryBandwidthGBs: 1792, denseFp16Tflops: 209.5 });
    expect(parameterCount(m)).toBeGreaterThan(8.0e9);
    expect(parameterCount(m)).toBeLessThan(8.1e9);
  });

  it('decode is bandwidth-bound at small batches: one step reads the 16 GB of weights at 80% of 1,792 GB/s', () => {
    const weightsOnly = (m.capacity.weightsGbPerGpu * 1e9) / (1792e9 * 0.8) / 1e-3;
    expect(decodeStepMs(p, 1, 0)).toBeCloseTo(weightsOnly, 6);
    expect(weightsOnly).toBeGreaterThan(11);
    expect(weightsOnly).toBeLessThan(11.5);
    // KV cache read on top: 10,000 tokens of context add 10,000 x 128 KiB.
    expect(decodeStepMs(p, 8, 10_000) - decodeStepMs(p, 8, 0)).toBeCloseTo((10_000 * m.capacity.kvBytesPerTokenPerGpu) / (1792e9 * 0.8) / 1e-3, 6);
    // Larger batches turn compute-bound: 2 x 8e9 FLOPs per sequence at 50% of 209.5 TFLOPS.
    expect(decodeStepMs(p, 2_000, 0)).toBeCloseTo((2_000 * 2 * parameterCount(m)) / (209.5e12 * 0.5) / 1e-3, 6);
  });

  it('prefill is compute-bound and goes in chunks of max-num-batched-tokens', () => {
    const perToken = (2 * parameterCount(m)) / (209.5e12 * 0.5) / 1e-3;
    expect(prefillMs(p, 2_000)).toBeCloseTo(Math.max(2_000 * perToken, decodeStepMs(p, 1, 0)), 6);
    const chunk = m.capacity.maxNumBatchedTokens;
    expect(prefillMs(p, chunk * 3)).toBeCloseTo(3 * prefillMs(p, chunk), 6);
    // A short prompt still reads the weights once.
    expect(prefillMs(p, 10)).toBeCloseTo(decodeStepMs(p, 1, 0), 6);
  });

  it('a GPU missing from the table is an error that says how to give its figures, and a scenario can', () => {
    const odd = structuredClone(plan);
    odd.pools['pool-a']!.gpu.model = 'Quantum GPU 9000';
    expect(() => engineHardware(odd, 'pool-a', m)).toThrow(/GPU "Quantum GPU 9000" of pool pool-a is not in the GPU table.*"gpus" in a scenario file/);
    expect(engineHardware(odd, 'pool-a', m, { 'Quantum GPU 9000': { memoryBandwidthGBs: 5000, denseFp16Tflops: 1000 } })).toEqual({
      gpu: 'Quantum GPU 9000',
      memoryBandwidthGBs: 5000,
      denseFp16Tflops: 1000,
    });
  });
});

describe('vLLM engine', () => {
  const fixed = { times: () => ({ prefillMs: 100, decodeMs: 900 }) };

  it('runs at most max-num-seqs sequences, queues the rest first come first served, and counts waits', async () => {
    const loop = new EventLoop(0);
    const engine = new Engine('e', 2, 1_000_000, fixed, loop, 0, 10_000);
    const first: Array<[number, number]> = [];
    loop.at(0, () => {
      for (let i = 0; i < 5; i++) engine.submit(10, 10, { firstToken: () => first.push([i, loop.now()]) });
    });
    await loop.run();
    engine.close();
    expect(first).toEqual([
      [0, 100],
      [1, 100],
      [2, 1100],
      [3, 1100],
      [4, 2100],
    ]);
    expect(engine.figures.maxQueue).toBe(3);
    expect(engine.figures.waits.sorted()).toEqual(new Float64Array([0, 0, 1000, 1000, 2000]));
    // 5 sequences x 1,000 ms over a 10,000 ms window with 2 slots.
    expect(engine.figures.runningArea / (10_000 * 2)).toBeCloseTo(0.25, 9);
  });

  it('admits by KV cache too, refuses what can never fit, and frees an aborted sequence at once', async () => {
    const loop = new EventLoop(0);
    const engine = new Engine('e', 8, 1_000, fixed, loop, 0, 10_000);
    const heard: string[] = [];
    loop.at(0, () => {
      expect(engine.submit(2_000, 0, { firstToken: () => heard.push('too big') })).toBeNull();
      const a = engine.submit(600, 0, { firstToken: () => heard.push(`a@${loop.now()}`) })!;
      engine.submit(600, 0, { firstToken: () => heard.push(`b@${loop.now()}`) });
      expect(engine.queued).toBe(1);
      loop.at(50, () => engine.abort(a));
    });
    await loop.run();
    expect(engine.figures.refused).toBe(1);
    expect(engine.figures.abortedRunning).toBe(1);
    expect(heard).toEqual(['b@150']);
  });
});

describe('tenant traffic', () => {
  it("splits each group's traffic over the tenants allowed to use it, at 80% of their rpm limits", () => {
    const plan = compiled((p) => {
      p.modelGroups[0]!.traffic = { peakRpm: 1_000, meanInputTokens: 100, meanOutputTokens: 10 };
      p.modelGroups[2]!.traffic = { peakRpm: 500, meanInputTokens: 100, meanOutputTokens: 10 };
      p.tenants[0]!.rpm = 100; // support: chat only
      p.tenants[1]!.rpm = 300; // docs: local and chat
    });
    const shares = tenantShares(plan);
    // support sends 80 rpm, all to chat; docs 240 rpm, 2:1 over chat (1,000 rpm) and local (500 rpm).
    expect(shares.chat!.support).toBeCloseTo(80 / 1_000, 9);
    expect(shares.chat!.docs).toBeCloseTo(160 / 1_000, 9);
    expect(shares.local!.docs).toBeCloseTo(80 / 500, 9);
    expect(shares.local!.support).toBeUndefined();
    expect(tenantShares(plan, 0).chat).toEqual({ docs: 0, support: 0 });
  });

  it('takes the lower of what the rpm and the tpm allow, so raising a limit that does not bind sends no more traffic', () => {
    const at = (rpm: number) =>
      compiled((p) => {
        // 110 tokens a request: 11,000 tpm allow 100 rpm.
        p.modelGroups[2]!.traffic = { peakRpm: 1_000, meanInputTokens: 100, meanOutputTokens: 10 };
        p.tenants[1]!.rpm = rpm;
        p.tenants[1]!.tpm = 11_000;
      });
    expect(allowedRate(at(600), 'docs')).toBeCloseTo(100, 9);
    expect(allowedRate(at(50), 'docs')).toBe(50);
    expect(tenantShares(at(600)).local!.docs).toBeCloseTo(0.08, 9);
    expect(tenantShares(at(1_800)).local).toEqual(tenantShares(at(600)).local);
    expect(
      allowedRate(
        compiled(() => {}),
        'docs',
      ),
    ).toBeNull();
  });

  it('caps tenants at the group traffic, and lets unlimited tenants take what is left', () => {
    const plan = compiled((p) => {
      p.modelGroups[2]!.traffic = { peakRpm: 100, meanInputTokens: 100, meanOutputTokens: 10 };
      p.tenants[0]!.allowedGroups = ['local'];
      p.tenants[0]!.rpm = 1_000;
      p.tenants.push({ id: 'free', apiKeys: ['env:FREE_KEY'], allowedGroups: ['local'] });
    });
    expect(tenantShares(plan).local).toEqual({ docs: 0, free: 0, support: 1 });
    const roomy = compiled((p) => {
      p.modelGroups[2]!.traffic = { peakRpm: 100, meanInputTokens: 100, meanOutputTokens: 10 };
      p.tenants[0]!.allowedGroups = ['local'];
      p.tenants[0]!.rpm = 50;
      p.tenants.push({ id: 'free', apiKeys: ['env:FREE_KEY'], allowedGroups: ['local'] });
    });
    const s = tenantShares(roomy).local!;
    expect(s.support).toBeCloseTo(0.4, 9);
    expect(s.docs! + s.free!).toBeCloseTo(0.6, 9);
    expect(s.docs).toBeCloseTo(s.free!, 9);
  });
});
