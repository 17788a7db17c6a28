import { describe, expect, it } from 'vitest';
import { Policy } from '../../../src/model/policy.ts';
import { checkReferences } from '../../../src/plan/checks/references.ts';
import { basePolicy } from '../../fixtures/policies.ts';
import { checkCases } from './cases.ts';

describe('unknown references', () => {
  checkCases([
    {
      name: 'deployment -> provider',
      edit: (p) => void (p.deployments[0]!.provider = 'nope'),
      expected: 'unknown-provider @ deployments[0].provider',
      mentions: ['"openai-gpt-4o"', '"nope"'],
    },
    {
      name: 'group -> deployment',
      edit: (p) => void p.modelGroups[0]!.deployments.push('ghost'),
      expected: 'unknown-deployment @ modelGroups[0].deployments[1]',
      mentions: ['"chat"', '"ghost"'],
    },
    {
      name: 'group -> fallback group',
      edit: (p) => void p.modelGroups[0]!.fallbacks!.push('ghost'),
      expected: 'unknown-group @ modelGroups[0].fallbacks[2]',
      mentions: ['"chat"', '"ghost"'],
    },
    {
      name: 'group -> context-window fallback group',
      edit: (p) => void p.modelGroups[2]!.contextWindowFallbacks!.push('ghost'),
      expected: 'unknown-group @ modelGroups[2].contextWindowFallbacks[1]',
      mentions: ['"local"', '"ghost"'],
    },
    {
      name: 'tenant -> allowed group',
      edit: (p) => void p.tenants[0]!.allowedGroups.push('ghost'),
      expected: 'unknown-group @ tenants[0].allowedGroups[1]',
      mentions: ['"support"', '"ghost"'],
    },
    {
      name: 'deployment -> pool',
      edit: (p) => void (p.deployments[2]!.pool = 'pool-z'),
      expected: 'unknown-pool @ deployments[2].pool',
      mentions: ['"local-llama"', '"pool-z"'],
    },
    {
      name: 'pool model -> spanned pool',
      edit: (p) => void (p.gpuPools[0]!.models[0]!.spansPools = ['pool-z']),
      expected: 'unknown-pool @ gpuPools[0].models[0].spansPools[0]',
      mentions: ['"pool-a"', '"pool-z"'],
    },
    {
      name: 'batch profile -> provider',
      edit: (p) => void (p.batchProfiles[0]!.provider = 'nope'),
      expected: 'unknown-provider @ batchProfiles[0].provider',
      mentions: ['"extraction"', '"nope"'],
    },
  ]);
});

it('hints the nearest known id for a typo', () => {
  const p = basePolicy();
  const target = p.modelGroups[1]!.name;
  p.modelGroups[0]!.fallbacks = [`${target}x`];
  const [d] = checkReferences(Policy.parse(p));
  expect(d!.hint).toBe(`did you mean "${target}"?`);
});
