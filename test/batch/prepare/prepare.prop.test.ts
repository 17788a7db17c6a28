/**
 * Properties of prepare:
 * - splitting: every line lands in exactly one file, in order, and no file
 *   passes the request, byte or embedding-input limit; a file is only cut
 *   when the next line would not fit;
 * - end to end on generated JSONL with bad lines and small limits: every
 *   input line is in exactly one part file or in rejects.jsonl;
 * - redaction: personal data of every detector's kind, in any request field
 *   and any format, never reaches a prepared file.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedManifest } from '../../../src/batch/prepare/manifest.ts';
import { prepare } from '../../../src/batch/prepare/prepare.ts';
import { SplitPlanner } from '../../../src/batch/prepare/split.ts';
import type { CompiledPlan } from '../../../src/plan/types.ts';
import { jsonl, readJsonl, referencePlan, type TempDir, tempDir } from '../fixtures.ts';
import { noisyWord, piiArb, separator } from '../redact/pii-arbitraries.ts';

let t: TempDir;
let plan: CompiledPlan;
let run = 0;
beforeAll(async () => {
  t = tempDir();
  plan = await referencePlan();
});
afterAll(() => t.cleanup());

describe('split planner', () => {
  it('keeps order and every limit, and cuts only when the next line does not fit', () => {
    fc.assert(
      fc.property(
        fc.record({
          maxRequests: fc.integer({ min: 1, max: 20 }),
          maxBytes: fc.integer({ min: 50, max: 2_000 }),
          maxEmbeddingInputs: fc.integer({ min: 1, max: 50 }),
        }),
        fc.array(fc.record({ bytes: fc.integer({ min: 1, max: 2_000 }), inputs: fc.integer({ min: 0, max: 50 }) }), { maxLength: 200 }),
        (limits, raw) => {
          const lines = raw.map((l) => ({ bytes: Math.min(l.bytes, limits.maxBytes), inputs: Math.min(l.inputs, limits.maxEmbeddingInputs) }));
          const planner = new SplitPlanner(limits);
          const parts: (typeof lines)[] = [];
          for (const l of lines) {
            if (planner.place(l.bytes, l.inputs)) parts.push([]);
            parts[parts.length - 1]!.push(l);
            expect(planner.part).toBe(parts.length);
          }
          expect(parts.flat()).toEqual(lines);
          for (const [i, p] of parts.entries()) {
            const sum = (f: (l: (typeof lines)[number]) => number) => p.reduce((n, l) => n + f(l), 0);
            expect(p.length).toBeGreaterThan(0);
            expect(p.length).toBeLessThanOrEqual(limits.maxRequests);
            expect(sum((l) => l.bytes)).toBeLessThanOrEqual(limits.maxBytes);
            expect(sum((l) => l.inputs)).toBeLessThanOrEqual(limits.maxEmbeddingInputs);
            const next = parts[i + 1]?.[0];
            if (next)
              expect(
                p.length + 1 > limits.maxRequests ||
                  sum((l) => l.bytes) + next.bytes > limits.maxBytes ||
                  (next.inputs > 0 && sum((l) => l.inputs) + next.inputs > limits.maxEmbeddingInputs),
              ).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

const textArb = fc
  .array(fc.oneof(noisyWord, fc.constantFrom('"quoted"', 'back\\slash', 'tab\there', 'é ü ✓', '😀')), { minLength: 1, maxLength: 30 })
  .map((w) => w.join(' '));

describe('prepare end to end', () => {
  it('puts every input line in exactly one part file or in rejects.jsonl, within the limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            { weight: 8, arbitrary: textArb.map((s) => JSON.stringify({ messages: [{ role: 'user', content: s }] })) },
            { weight: 1, arbitrary: fc.constantFrom('{', 'null', '[]', '{"messages": 1}') },
          ),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 400, max: 3_000 }),
        async (lines, maxRequests, maxFileBytes) => {
          const edited = structuredClone(plan);
          Object.assign(edited.batchProfiles.research!, { maxRequestsPerFile: maxRequests, maxFileBytes });
          const input = t.write(`in-${run}.jsonl`, `${lines.join('\n')}\n`);
          const out = t.path(`out-${run++}`);
          let manifest: PreparedManifest;
          try {
            manifest = (await prepare({ plan: edited, profile: 'research', input, out })).manifest;
          } catch (e) {
            // Only when no line at all could be prepared.
            expect((e as Error).message).toMatch(/no request could be prepared/);
            return;
          }
          const seen: string[] = [];
          for (const p of manifest.parts) {
            const file = join(out, p.file);
            const rows = readJsonl(file);
            expect(rows.length).toBeLessThanOrEqual(maxRequests);
            expect(readFileSync(file).length).toBeLessThanOrEqual(maxFileBytes);
            seen.push(...rows.map((r) => r.custom_id as string));
          }
          const rejected = readdirSync(out).includes('rejects.jsonl')
            ? readJsonl<{ line: number }>(join(out, 'rejects.jsonl')).map((r) => `line-${r.line}`)
            : [];
          expect(new Set(seen).size).toBe(seen.length);
          expect([...seen, ...rejected].sort()).toEqual(lines.map((_, i) => `line-${i + 1}`).sort());
          // Part files keep input order.
          expect(seen).toEqual([...seen].sort((a, b) => Number(a.slice(5)) - Number(b.slice(5))));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('no personal data of any kind reaches a prepared file, wherever it is in the request', async () => {
    const field = fc.constantFrom('user', 'system', 'part', 'key', 'metadata');
    const request = fc.tuple(fc.array(fc.tuple(fc.oneof(noisyWord, piiArb), separator), { minLength: 1, maxLength: 8 }), field);
    await fc.assert(
      fc.asyncProperty(
        fc.array(request, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('document-extraction', 'invoice-processing', 'research'),
        async (requests, profile) => {
          const values: string[] = [];
          const rows = requests.map(([parts, where]) => {
            const text = parts.map(([p, sep]) => (typeof p === 'string' ? p : (values.push(p.value), p.value)) + sep).join('');
            switch (where) {
              case 'user':
                return { messages: [{ role: 'user', content: text }] };
              case 'system':
                return {
                  messages: [
                    { role: 'system', content: text },
                    { role: 'user', content: 'go' },
                  ],
                };
              case 'part':
                return { messages: [{ role: 'user', content: [{ type: 'text', text }] }] };
              case 'key':
                return { messages: [{ role: 'user', content: 'see metadata' }], metadata: { [text]: 'v' } };
              default:
                return { messages: [{ role: 'user', content: 'x' }], metadata: { note: text } };
            }
          });
          const out = t.path(`pii-${run++}`);
          await prepare({ plan, profile, input: t.write(`pii-${run}.jsonl`, jsonl(rows)), out });
          const prepared = readdirSync(out)
            .filter((f) => f.startsWith('part-'))
            .map((f) => readFileSync(join(out, f), 'utf8'))
            .join('');
          // As written, and as any reader decodes it (JSON escapes undone).
          const decoded = prepared
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.stringify(JSON.parse(l), null, 0))
            .join('\n');
          const strings: string[] = [];
          const walk = (v: unknown): void => {
            if (typeof v === 'string') strings.push(v);
            else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) strings.push(k), walk(x);
          };
          for (const l of prepared.split('\n').filter(Boolean)) walk(JSON.parse(l));
          for (const v of values) {
            expect(prepared).not.toContain(v);
            expect(decoded).not.toContain(v);
            for (const s of strings) expect(s).not.toContain(v);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
