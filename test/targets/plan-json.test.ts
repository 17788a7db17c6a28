import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/plan/canonical-json.ts';
import { parsePlan } from '../../src/plan/read.ts';
import { emitAll } from '../../src/targets/index.ts';
import { planJsonTarget } from '../../src/targets/plan-json.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { referencePolicy } from '../fixtures/policies.ts';

describe('plan.json', () => {
  it('is the canonical JSON of the plan', async () => {
    const plan = compilePolicy(await referencePolicy()).plan!;
    const [artifact, ...rest] = planJsonTarget.emit(plan);
    expect(rest).toEqual([]);
    expect(artifact).toEqual({ path: 'plan.json', content: stableStringify(plan), mediaType: 'application/json' });
    expect(artifact!.content.endsWith('}\n')).toBe(true);
    expect(parsePlan(artifact!.content)).toEqual(plan);
  });

  it('emitAll returns every artifact sorted by path, the same bytes each time', async () => {
    const plan = compilePolicy(await referencePolicy()).plan!;
    const a = emitAll(plan);
    expect(a.map((x) => x.path)).toEqual([...a.map((x) => x.path)].sort());
    expect(a.map((x) => x.path)).toContain('plan.json');
    expect(emitAll(compilePolicy(await referencePolicy()).plan!)).toEqual(a);
  });
});
