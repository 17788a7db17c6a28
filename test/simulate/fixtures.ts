/**
 * Plans for the simulator tests: the small base policy cut down to what a
 * test needs, compiled, then (where a test needs figures the compiler would
 * not choose) adjusted in the plan itself.
 */
import type { CompiledPlan, PlanPoolModel } from '../../src/plan/types.ts';
import type { ServiceModel } from '../../src/simulate/engine.ts';
import { exponential, stream } from '../../src/simulate/random.ts';
import { type BasePolicyInput, compileEdited } from '../fixtures/policies.ts';

export function compiled(edit: (p: BasePolicyInput) => void): CompiledPlan {
  const r = compileEdited(edit);
  if (!r.plan) throw new Error(`fixture policy does not compile: ${r.diagnostics.map((d) => d.message).join('; ')}`);
  return r.plan;
}

/**
 * One group on one vLLM engine with `servers` slots and room for any
 * request in its KV cache, Poisson arrivals at `rpm`, no retries, and a
 * timeout no wait reaches: an M/M/c queue once service is exponential.
 */
export function singleEnginePlan(servers: number, rpm: number): CompiledPlan {
  const plan = compiled((p) => {
    p.modelGroups = [
      {
        name: 'local',
        workload: 'cost_sensitive',
        strategy: 'ordered',
        deployments: ['local-llama'],
        retries: { count: 0 },
        timeouts: { request: '30d' },
        traffic: { peakRpm: rpm, meanInputTokens: 100, meanOutputTokens: 10 },
      },
    ];
    p.tenants = [];
    p.slos = { targets: [], alerts: [] };
  });
  const m = plan.pools['pool-a']!.models['llama-3.1-8b-instruct']!;
  m.capacity = { ...m.capacity, maxNumSeqs: servers, kvTokens: 10_000_000 };
  return plan;
}

/** Service with no prefill and an exponential decode of the given mean, independent of the batch: each slot is one server of M/M/c. */
export function exponentialService(meanMs: number, seed: number): (id: string, m: PlanPoolModel) => ServiceModel {
  return (id) => {
    const random = stream(seed, `service:${id}`);
    return { times: () => ({ prefillMs: 0, decodeMs: exponential(random, meanMs) }) };
  };
}

/** Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a = λ/μ (a < c). */
export function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 0;
  for (let k = 0; k < c; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const last = ((term * a) / c) * (c / (c - a));
  return last / (sum + last);
}

/** Mean wait in queue of M/M/c: C(c, a) / (cμ - λ). */
export function erlangCMeanWait(c: number, lambdaPerMs: number, meanServiceMs: number): number {
  const a = lambdaPerMs * meanServiceMs;
  return erlangC(c, a) / (c / meanServiceMs - lambdaPerMs);
}
