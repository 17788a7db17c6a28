import { describe, expect, it } from 'vitest';
import { Policy } from '../../../src/model/policy.ts';
import { compilePolicy } from '../../../src/plan/compile.ts';
import { basePolicy, codesAt, compileEdited } from '../../fixtures/policies.ts';
import { checkCases } from './cases.ts';

describe('model groups', () => {
  it('a group without deployments (zod rejects it; the check guards policies built in code)', () => {
    const p = Policy.parse(basePolicy());
    p.modelGroups.push({ ...p.modelGroups[0]!, name: 'empty', deployments: [], fallbacks: [] });
    const r = compilePolicy(p);
    expect(codesAt(r.diagnostics)).toEqual(['empty-group @ modelGroups[3].deployments']);
    expect(r.diagnostics[0]!.message).toContain('"empty"');
  });

  checkCases([
    {
      name: 'a non-positive weight in a usage-based group',
      edit: (p) => void (p.deployments[0]!.weight = 0),
      expected: 'non-positive-weight @ deployments[0].weight',
      mentions: ['"openai-gpt-4o"', '"chat"', 'usage_based'],
    },
    {
      // a negative weight is refused by the schema (weight >= 0); zero reaches the check
      name: 'a zero weight in a weighted group',
      edit: (p) => {
        p.deployments[1]!.weight = 0;
        p.modelGroups[1]!.strategy = 'weighted';
      },
      expected: 'non-positive-weight @ deployments[1].weight',
      mentions: ['"azure-gpt-4o"', '"chat-azure"'],
    },
    {
      name: 'an ordered group whose deployment has no order',
      edit: (p) => void (p.modelGroups[1]!.strategy = 'ordered'),
      expected: 'missing-order @ modelGroups[1].deployments[0]',
      mentions: ['"azure-gpt-4o"', '"chat-azure"'],
      severity: 'warning',
    },
    {
      name: 'a deployment no group uses',
      edit: (p) => void p.deployments.push({ id: 'spare', provider: 'openai', model: 'gpt-4o', contextWindow: 1, pricing: { inputPer1M: 0, outputPer1M: 0 } }),
      expected: 'unused-deployment @ deployments[3]',
      mentions: ['"spare"'],
      severity: 'warning',
    },
  ]);

  it('ignores weights where the strategy does not use them', () => {
    const r = compileEdited((p) => {
      p.deployments[0]!.weight = 0;
      p.modelGroups[0]!.strategy = 'latency_based';
    });
    expect(codesAt(r.diagnostics)).toEqual([]);
  });

  it('is satisfied when every deployment of an ordered group has an order', () => {
    const r = compileEdited((p) => {
      p.modelGroups[1]!.strategy = 'ordered';
      p.deployments[1]!.order = 0;
    });
    expect(codesAt(r.diagnostics)).toEqual([]);
  });
});
