/**
 * The simulator serves what the gateway serves: pass-through deployments
 * (only LiteLLM can call them) are out, a group with other deployments runs
 * on those, a group with none is served by its fallbacks, and the report
 * says so in every format.
 */
import { describe, expect, it } from 'vitest';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import { renderMarkdown } from '../../src/simulate/render/markdown.ts';
import { renderTerminal } from '../../src/simulate/render/terminal.ts';
import { BASELINE } from '../../src/simulate/scenario.ts';
import { simulate } from '../../src/simulate/simulate.ts';
import { realWorldPolicy } from '../fixtures/real-world-policy.ts';

function plan() {
  const p = realWorldPolicy();
  const traffic = { peakRpm: 120, meanInputTokens: 500, meanOutputTokens: 100 };
  p.modelGroups = p.modelGroups!.map((g) => (g.name === 'gemini-1.5-pro' || g.name === 'claude-3.5-sonnet@bedrock' ? { ...g, traffic } : g));
  return compilePolicy(Policy.parse(p)).plan!;
}

describe('simulate with pass-through deployments', () => {
  it('serves pass-through-only groups from their fallbacks, and others from what remains', async () => {
    const report = await simulate(plan(), [BASELINE], { durationMs: 60_000, seed: 3 });
    expect(report.unserved.map((u) => u.path)).toEqual(['groups.claude-3.5-sonnet@bedrock', 'groups.gemini-1.5-pro']);
    const s = report.scenarios[0]!;
    const gemini = s.groups['gemini-1.5-pro']!;
    expect(gemini.requests).toBeGreaterThan(60);
    expect(gemini.requests).toBeLessThan(180);
    // Every gemini request needed a fallback (its only deployment is out), and the fallback served it.
    expect(gemini.fallbackRate).toBe(1);
    expect(gemini.succeeded).toBe(gemini.requests);
    const claude = s.groups['claude-3.5-sonnet@bedrock']!;
    expect(claude.fallbackRate).toBe(0);
    expect(Object.keys(s.deployments)).not.toContain('bedrock-claude');
    expect(Object.keys(s.deployments)).not.toContain('vertex-gemini');
    // gemini's fallback group runs on OpenAI and Azure; claude on OpenAI alone.
    expect(s.deployments['openai-gpt-4o-mini']!.served + s.deployments['azure-gpt-4o-mini']!.served).toBe(gemini.succeeded + claude.succeeded);
  });

  it('says which groups in the terminal and markdown reports', async () => {
    const report = await simulate(plan(), [BASELINE], { durationMs: 10_000, seed: 3 });
    const term = renderTerminal(report, { color: false });
    expect(term).toContain('warning groups.gemini-1.5-pro: group "gemini-1.5-pro" cannot be served by Switchyard');
    expect(term).toContain('warning groups.claude-3.5-sonnet@bedrock: group "claude-3.5-sonnet@bedrock" is served from openai-gpt-4o-mini only');
    const md = renderMarkdown(report);
    expect(md).toContain('> `groups.gemini-1.5-pro`: group "gemini-1.5-pro" cannot be served by Switchyard');
  });
});
