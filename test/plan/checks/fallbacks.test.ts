import { describe, expect, it } from 'vitest';
import { Policy } from '../../../src/model/policy.ts';
import { checkContextWindowFallbacks, checkFallbackCycles } from '../../../src/plan/checks/fallbacks.ts';
import { basePolicy, codesAt } from '../../fixtures/policies.ts';
import { checkCases } from './cases.ts';

describe('fallbacks', () => {
  checkCases([
    {
      name: 'a group falling back to itself',
      edit: (p) => void (p.modelGroups[1]!.fallbacks = ['chat-azure']),
      expected: 'self-fallback @ modelGroups[1].fallbacks[0]',
      mentions: ['"chat-azure"'],
    },
    {
      name: 'a group with itself as context-window fallback',
      edit: (p) => void (p.modelGroups[2]!.contextWindowFallbacks = ['local']),
      expected: 'self-fallback @ modelGroups[2].contextWindowFallbacks[0]',
      mentions: ['"local"'],
    },
    {
      name: 'a two-group cycle, named in order',
      edit: (p) => void (p.modelGroups[1]!.fallbacks = ['chat']),
      expected: 'fallback-cycle @ modelGroups[1].fallbacks[0]',
      mentions: ['fallback cycle: chat -> chat-azure -> chat'],
    },
    {
      name: 'a context-window fallback to a group whose window is not larger',
      edit: (p) => void (p.modelGroups[0]!.contextWindowFallbacks = ['chat-azure']),
      expected: 'context-window-fallback-smaller @ modelGroups[0].contextWindowFallbacks[0]',
      mentions: ['"chat"', '"chat-azure"', '128000'],
    },
  ]);

  const groups = (edges: Record<string, string[]>) =>
    Policy.parse({
      name: 'g',
      providers: [{ id: 'o', kind: 'openai', apiKey: 'env:K' }],
      deployments: [{ id: 'd', provider: 'o', model: 'm', contextWindow: 1, pricing: { inputPer1M: 0, outputPer1M: 0 } }],
      modelGroups: Object.entries(edges).map(([name, fallbacks]) => ({ name, deployments: ['d'], fallbacks })),
    });

  it('reports each cycle once, at the edge that closes it, whichever group it is entered from', () => {
    const ds = checkFallbackCycles(groups({ a: ['b'], b: ['c'], c: ['a'], d: ['b'], e: ['e2'], e2: ['e'] }));
    expect(ds.map((d) => `${d.message} @ ${d.path}`)).toEqual([
      'fallback cycle: a -> b -> c -> a @ modelGroups[2].fallbacks[0]',
      'fallback cycle: e -> e2 -> e @ modelGroups[5].fallbacks[0]',
    ]);
  });

  it('reports cycles that share groups by their own closing edges', () => {
    const ds = checkFallbackCycles(groups({ a: ['b'], b: ['a', 'c'], c: ['b'] }));
    expect(ds.map((d) => d.message)).toEqual(['fallback cycle: a -> b -> a', 'fallback cycle: b -> c -> b']);
  });

  it('is deterministic and accepts long acyclic chains', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 5_000; i++) edges[`g${i}`] = i + 1 < 5_000 ? [`g${i + 1}`] : [];
    expect(checkFallbackCycles(groups(edges))).toEqual([]);
    edges.g4999 = ['g0'];
    const ds = checkFallbackCycles(groups(edges));
    expect(ds).toHaveLength(1);
    expect(ds[0]!.message.startsWith('fallback cycle: g0 -> g1 -> ')).toBe(true);
    expect(ds[0]!.path).toBe('modelGroups[4999].fallbacks[0]');
  });

  it('accepts a context-window fallback to a strictly larger window', () => {
    // The base policy's `local` (32768) falls back to `chat` (128000).
    expect(codesAt(checkContextWindowFallbacks(Policy.parse(basePolicy())))).toEqual([]);
  });
});
