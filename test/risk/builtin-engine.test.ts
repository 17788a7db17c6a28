import { describe, expect, it } from 'vitest';
import { createBuiltinEngine, RulePackError } from '../../src/risk/builtin-engine.ts';
import { findingsFromResult, overallLevel, parseFindings } from '../../src/risk/findings.ts';
import { readRulePack } from '../../src/risk/rule-pack.ts';
import { REFERENCE_POLICY, referencePolicy } from '../fixtures/policies.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { dirname, join } from 'node:path';

const RULES = join(dirname(REFERENCE_POLICY), 'risk');

describe('built-in risk engine', () => {
  it('finds nothing in the reference plan', async () => {
    const engine = createBuiltinEngine((await readRulePack(RULES)).rules);
    const plan = compilePolicy(await referencePolicy()).plan!;
    expect(await engine.evaluate({ plan, base: null, diff: null })).toEqual([]);
  });

  it('reports findings with set, id, path and level from the rules', async () => {
    const engine = createBuiltinEngine((await readRulePack(RULES)).rules);
    const policy = await referencePolicy();
    policy.circuitBreaker.errorRateThreshold = 0.1;
    const plan = compilePolicy(policy).plan!;
    const findings = await engine.evaluate({ plan, base: null, diff: null });
    expect(findings.length).toBe(Object.keys(plan.groups).length);
    expect(findings[0]).toMatchObject({ set: 'deny', id: 'breaker-threshold-too-high', level: 'high' });
    expect(findings.map((f) => f.path)).toContainEqual(['groups', 'chat', 'circuitBreaker', 'errorRateThreshold']);
  });

  it('refuses a rule pack that does not compile, with file and row', () => {
    try {
      createBuiltinEngine([{ file: 'bad.rego', source: 'package switchyard.risk\n\ndeny contains x if {\n  x := y\n}\n' }]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RulePackError);
      const loc = (e as RulePackError).errors[0]!.location!;
      expect(loc.file).toBe('bad.rego');
      expect([3, 4]).toContain(loc.row);
    }
  });
});

describe('findings', () => {
  it('parses rule output and rejects malformed findings', () => {
    expect(parseFindings('warn', [{ id: 'a', msg: 'm', path: ['groups', 'x'], level: 'low' }])).toEqual([
      { set: 'warn', id: 'a', msg: 'm', path: ['groups', 'x'], level: 'low' },
    ]);
    expect(() => parseFindings('deny', [{ id: 'a', msg: 'm', path: [], level: 'severe' }])).toThrow(/malformed finding/);
    expect(findingsFromResult({})).toEqual([]);
  });

  it('takes the highest level as the overall level', () => {
    expect(overallLevel([])).toBe('none');
    expect(overallLevel([{ level: 'low' }, { level: 'high' }, { level: 'medium' }])).toBe('high');
  });
});
