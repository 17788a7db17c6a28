import { describe, expect, it } from 'vitest';
import { stableStringify } from '../../src/plan/canonical-json.ts';
import { planHash } from '../../src/plan/hash.ts';
import { parsePlan } from '../../src/plan/read.ts';
import type { CompiledPlan } from '../../src/plan/types.ts';
import { basePolicy, compileInput } from '../fixtures/policies.ts';

const plan = (): CompiledPlan => compileInput(basePolicy()).plan!;
const rehash = (p: Record<string, unknown>) => ({ ...p, hash: planHash(p as unknown as CompiledPlan) });

describe('parsePlan', () => {
  it('reads back what the compiler wrote', () => {
    const p = plan();
    const back = parsePlan(stableStringify(p));
    expect(back).toEqual(p);
  });

  it.each([
    ['not JSON', '{', /^plan is not valid JSON: /],
    ['not an object', '[]', /^plan must be a JSON object$/],
    ['a future schema version', JSON.stringify({ ...plan(), schemaVersion: 2 }), /^unsupported plan schemaVersion 2 \(this version reads 1\)/],
    ['no schema version', JSON.stringify({ name: 'x' }), /^unsupported plan schemaVersion undefined/],
    ['a malformed hash', JSON.stringify({ ...plan(), hash: 'md5:abc' }), /^plan hash must look like sha256:/],
    ['a missing collection', JSON.stringify(rehash({ ...plan(), deployments: undefined })), /^plan is missing the "deployments" object$/],
    ['a missing slos member', JSON.stringify(rehash({ ...plan(), slos: { targets: {} } })), /^plan is missing the "slos" object/],
  ])('rejects %s with a one-line message', (_what, text, message) => {
    expect(() => parsePlan(text)).toThrow(message);
    try {
      parsePlan(text);
    } catch (e) {
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('rejects a plan edited after compiling', () => {
    const p = plan();
    p.groups.chat!.retries.count = 9;
    expect(() => parsePlan(stableStringify(p))).toThrow(/^plan hash mismatch: the plan was edited after it was compiled \(recorded sha256:[0-9a-f]{64}\)/);
  });
});
