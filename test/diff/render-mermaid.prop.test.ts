import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffArtifacts } from '../../src/diff/artifacts.ts';
import { diffPlans } from '../../src/diff/plan-diff.ts';
import { fallbackFlowchart, pieChart } from '../../src/diff/render/mermaid.ts';
import { renderMarkdown } from '../../src/diff/render/markdown.ts';
import { buildReport } from '../../src/diff/report.ts';
import { Policy } from '../../src/model/policy.ts';
import { compilePolicy } from '../../src/plan/compile.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { emitAll } from '../../src/targets/index.ts';
import { arbitraryPolicy } from '../fixtures/arbitrary-policy.ts';
import { mermaidBlocks, mermaidParser } from '../fixtures/mermaid.ts';

let parse: (text: string) => Promise<unknown>;
beforeAll(async () => {
  parse = await mermaidParser();
}, 60_000);

/** Resolves when Mermaid accepts the chart; fails with the chart and Mermaid's message otherwise. */
async function accepted(chart: string): Promise<void> {
  try {
    await parse(chart);
  } catch (e) {
    throw new Error(`Mermaid rejected:\n${chart}\n--- ${(e as Error).message}`);
  }
}

const plans = arbitraryPolicy.map((input) => {
  const r = compilePolicy(Policy.parse(input));
  if (!r.plan) throw new Error(`arbitrary policy did not compile: ${JSON.stringify(r.diagnostics)}`);
  return r.plan;
});

/** Any text at all, including quotes, brackets, entities, %% and line breaks. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('"', "'", '[', ']', '(', ')', '{', '}', '#', ';', '%', '\n', '`', '<', '>', '|', '-', ' ', 'end', 'a'), maxLength: 12 }),
);

describe('Mermaid accepts every chart the markdown report contains', () => {
  it('rejects a broken chart (the parser is really running)', async () => {
    await expect(parse('flowchart LR\n  a["x" --> b\n')).rejects.toThrow();
    await expect(parse('pie title t\n  "a : 1\n')).rejects.toThrow();
  });

  it('pie charts and fallback flowcharts of arbitrary names', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText,
        fc.dictionary(anyText, fc.double({ min: -10, max: 100, noNaN: true }), { maxKeys: 5 }),
        fc.array(anyText, { maxLength: 5 }),
        fc.array(anyText, { maxLength: 5 }),
        async (name, shares, before, after) => {
          const pie = pieChart(name, shares);
          if (pie) await accepted(pie);
          await accepted(fallbackFlowchart(name, before, after));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('reports over arbitrary pairs of compiled policies', async () => {
    const seen = { pie: 0, flowchart: 0 };
    await fc.assert(
      fc.asyncProperty(plans, plans, async (a: CompiledPlan, b: CompiledPlan) => {
        const diff = diffPlans(a, b, diffArtifacts(emitAll(a), emitAll(b)));
        const report = buildReport({
          diff,
          findings: [],
          failOn: 'high',
          base: { ref: 'main', commit: null, planHash: a.hash },
          head: { path: 'policies', planHash: b.hash },
        });
        const md = renderMarkdown(report);
        expect(md.startsWith('<!-- switchyard-diff -->\n')).toBe(true);
        for (const block of mermaidBlocks(md)) {
          await accepted(block);
          seen[block.startsWith('pie') ? 'pie' : 'flowchart']++;
        }
      }),
      { numRuns: 40 },
    );
    // Random pairs differ in nearly everything, so both kinds of chart are exercised.
    expect(seen.pie).toBeGreaterThan(0);
    expect(seen.flowchart).toBeGreaterThan(0);
  });
});
