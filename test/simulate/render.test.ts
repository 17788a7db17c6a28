/**
 * The simulation's markdown: Mermaid's own parser accepts every xychart,
 * whatever the names in it (quotes, brackets, comment markers, line breaks),
 * and the tables keep their shape.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { xyChart } from '../../src/simulate/render/mermaid.ts';
import { mermaidParser } from '../fixtures/mermaid.ts';

let parse: (text: string) => Promise<unknown>;
beforeAll(async () => {
  parse = await mermaidParser();
}, 60_000);

const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom('"', "'", '[', ']', ',', '%', '\n', '`', '-->', ' ', 'bar', 'line', 'x-axis', 'a'), maxLength: 10 }),
);

describe('xychart', () => {
  it('Mermaid parses charts of any names and values', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyText,
        fc.array(fc.tuple(anyText, fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null })), { minLength: 1, maxLength: 6 }),
        async (title, points) => {
          const chart = xyChart(
            title,
            points.map(([c]) => c),
            title,
            0,
            100,
            [
              { kind: 'bar', values: points.map(([, v]) => v) },
              { kind: 'line', values: points.map(([, v]) => (v === null ? null : v / 2)) },
            ],
          );
          // Mermaid's parser is lenient (it accepts a stray quote inside a label), so the shape is checked too:
          // one line per part, every label a quoted string without quotes or line breaks of its own.
          const lines = chart.split('\n');
          expect(lines).toHaveLength(6);
          expect(lines[1]).toMatch(/^ {4}title "[^"\n]*"$/);
          expect(lines[2]).toMatch(new RegExp(`^ {4}x-axis \\["[^"]*"(, "[^"]*"){${points.length - 1}}\\]$`));
          expect(lines[3]).toMatch(/^ {4}y-axis "[^"]*" 0 --> 100$/);
          expect(lines[4]).toMatch(new RegExp(`^ {4}bar \\[-?[0-9.]+(, -?[0-9.]+){${points.length - 1}}\\]$`));
          try {
            await parse(chart);
          } catch (e) {
            throw new Error(`Mermaid rejected:\n${chart}\n--- ${(e as Error).message}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('draws missing values at the value it is told, so the caption can say what they mean', () => {
    expect(xyChart('t', ['a', 'b'], 'y', 0, 100, [{ kind: 'line', values: [null, 50] }], 100)).toBe(
      ['xychart-beta', '    title "t"', '    x-axis ["a", "b"]', '    y-axis "y" 0 --> 100', '    line [100, 50]'].join('\n'),
    );
  });
});
