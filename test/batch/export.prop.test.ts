/**
 * Redaction end to end: personal data of every detector's kind, anywhere in
 * the requests, never reaches the provider (every file the emulator stored)
 * nor the collected export of a profile that keeps values redacted, even
 * when the model's answers echo the requests; with re-identification, the
 * export gets the values back exactly.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect } from '../../src/batch/collect.ts';
import { prepare } from '../../src/batch/prepare/prepare.ts';
import { submit } from '../../src/batch/submit.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { jsonl, readJsonl, referencePlan } from './fixtures.ts';
import { type Harness, harness } from './harness.ts';
import { noisyWord, piiArb, separator } from './redact/pii-arbitraries.ts';

let h: Harness;
let plan: CompiledPlan;
let run = 0;
beforeAll(async () => {
  plan = await referencePlan();
  h = await harness(plan);
});
afterAll(() => h.close());

const requestArb = fc.array(fc.tuple(fc.oneof(noisyWord, piiArb), separator), { minLength: 1, maxLength: 6 });

describe('collected exports', () => {
  it('hold no personal data for profiles that keep it redacted, and get it back where re-identification is allowed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(requestArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom('invoice-processing', 'research', 'document-extraction'),
        async (requests, profile) => {
          const values: string[] = [];
          const texts = requests.map((parts) => parts.map(([p, sep]) => (typeof p === 'string' ? p : (values.push(p.value), p.value)) + sep).join(''));
          const name = `export-${run++}`;
          const { out } = await prepare({
            plan,
            profile,
            input: h.t.write(`${name}.jsonl`, jsonl(texts.map((c) => ({ messages: [{ role: 'user', content: c }] })))),
            out: h.t.path(name),
          });
          await submit(h.ctx, out);
          h.finishAll();
          const s = await collect(h.ctx, out);
          const exported = readFileSync(s.results, 'utf8');
          const uploaded = h.emu.files
            .list(null, 'asc')
            .map((f) => f.content.toString())
            .join('\n');
          for (const v of values) expect(uploaded).not.toContain(v);
          if (plan.batchProfiles[profile]!.redaction.reidentify) {
            // The emulator echoes each (short) request: restored, the echo is the original text exactly.
            const replies = readJsonl(s.results).map((r) => (r.response as { choices: { message: { content: string } }[] }).choices[0]!.message.content);
            expect(replies).toEqual(texts.map((t) => `Emulated reply to: ${t}`));
          } else for (const v of values) expect(exported).not.toContain(v);
        },
      ),
      { numRuns: 25 },
    );
  });
});
