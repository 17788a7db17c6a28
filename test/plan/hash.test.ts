import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { stableStringify } from '../../src/plan/canonical-json.ts';
import { planHash, verifyPlanHash } from '../../src/plan/hash.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { basePolicy, compileInput } from '../fixtures/policies.ts';

const plan = (): CompiledPlan => compileInput(basePolicy()).plan!;

describe('plan hash', () => {
  it('is sha256 of the compact canonical JSON of the plan without its hash', () => {
    const { hash, ...rest } = plan();
    expect(hash).toBe(`sha256:${createHash('sha256').update(stableStringify(rest, 0)).digest('hex')}`);
    expect(planHash(rest)).toBe(hash);
  });

  it('ignores the hash field itself and key order', () => {
    const p = plan();
    expect(planHash(p)).toBe(p.hash);
    const reordered = JSON.parse(stableStringify(p)) as CompiledPlan;
    expect(planHash(reordered)).toBe(p.hash);
  });

  it('verifies an untouched plan and rejects an edited one', () => {
    const p = plan();
    expect(verifyPlanHash(p)).toBe(true);
    p.deployments['openai-gpt-4o']!.weight = 2;
    expect(verifyPlanHash(p)).toBe(false);
  });
});
