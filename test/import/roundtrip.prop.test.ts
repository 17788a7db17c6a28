/**
 * The importer inverts the LiteLLM emitter (issue 18, point 4): for any
 * plan in the LiteLLM-expressible subset (expressible-policy.ts),
 * emit -> import -> compile -> emit gives the same config.yaml, every byte
 * but the plan hash in its header (the plan also holds what the config
 * never carries: traffic, descriptions, backoff). Run counts stay small
 * enough for the fast suite.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importLitellm } from '../../src/import/litellm.ts';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { emitLitellm } from '../../src/targets/litellm.ts';
import { expressiblePolicy } from './expressible-policy.ts';

const RUNS = { numRuns: Number(process.env.SWITCHYARD_PROP_RUNS ?? 120) };
const arbitraryPlan = expressiblePolicy.map((input) => compilePolicy(Policy.parse(input)).plan).filter((plan): plan is CompiledPlan => plan !== undefined);

const config = (plan: CompiledPlan) => emitLitellm(plan)[0]!.content;
const withoutHash = (text: string) => text.replace(/^# plan sha256:[0-9a-f]{64}$/m, '# plan <hash>');

describe('import of LiteLLM configs emitted from expressible plans', () => {
  it('compiles back to the same config.yaml, byte for byte but the plan hash', () => {
    fc.assert(
      fc.property(arbitraryPlan, (plan) => {
        const text = config(plan);
        const result = importLitellm(text, { name: plan.name, file: 'config.yaml' });
        // The compiler may warn about the imported plan as about the original (a group only LiteLLM serves); the importer may not.
        expect(result.diagnostics.filter((d) => d.severity === 'error' || d.code.startsWith('import-'))).toEqual([]);
        expect(withoutHash(config(result.plan!))).toBe(withoutHash(text));
      }),
      RUNS,
    );
  });

  it('keeps deployment ids, group names, fallbacks and secret references as they were', () => {
    fc.assert(
      fc.property(arbitraryPlan, (plan) => {
        const back = importLitellm(config(plan), { name: plan.name, file: 'config.yaml' }).plan!;
        // Deployments no group lists are not in the config at all.
        const listed = new Set(Object.values(plan.groups).flatMap((g) => g.deployments));
        expect(Object.keys(back.deployments).sort()).toEqual([...listed].sort());
        for (const g of Object.values(plan.groups)) {
          const h = back.groups[g.name]!;
          expect(h.deployments).toEqual(g.deployments);
          expect(h.fallbacks).toEqual(g.fallbacks);
          expect(h.contextWindowFallbacks).toEqual(g.contextWindowFallbacks);
          expect(h.retries.count).toBe(g.retries.count);
          expect(h.timeouts).toEqual(g.timeouts);
        }
        const refs = (p: CompiledPlan) => new Set([...listed].map((id) => p.providers[p.deployments[id]!.provider]!.apiKey?.ref));
        expect(refs(back)).toEqual(refs(plan));
      }),
      { numRuns: 60 },
    );
  });
});
