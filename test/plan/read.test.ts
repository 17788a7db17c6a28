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

describe('what the runtime loads', () => {
  it('read.ts and types.ts reach neither zod nor the policy model', async () => {
    const { readFileSync } = await import('node:fs');
    const { dirname, resolve } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)) {
        const spec = m[1]!;
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^zod|\/model\/(?!closed-sets\.ts$)/);
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      }
    };
    for (const f of ['read.ts', 'types.ts']) visit(fileURLToPath(new URL(`../../src/plan/${f}`, import.meta.url)));
    expect(seen.size).toBeGreaterThan(2);
  });
});
