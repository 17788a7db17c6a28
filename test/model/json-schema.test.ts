import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { policyJsonSchema, renderPolicySchema } from '../../src/model/json-schema.ts';

const committed = readFileSync(new URL('../../schemas/policy.schema.json', import.meta.url), 'utf8');

describe('policy JSON Schema', () => {
  it('is committed and up to date (regenerate with renderPolicySchema(), e.g. `switchyard schema --write`)', () => {
    expect(committed).toBe(renderPolicySchema());
  });

  it('is deterministic, 2-space JSON with a final newline', () => {
    expect(renderPolicySchema()).toBe(renderPolicySchema());
    expect(committed.endsWith('}\n')).toBe(true);
    expect(committed).toBe(`${JSON.stringify(JSON.parse(committed), null, 2)}\n`);
  });

  it('names itself and compiles under ajv strict mode', () => {
    const schema = policyJsonSchema();
    expect(schema).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'Switchyard policy', type: 'object' });
    expect(String(schema.$id)).toMatch(/policy\.schema\.json$/);
    const validate = new Ajv({ strict: true, allErrors: true, validateFormats: false }).compile(schema);
    expect(validate({ name: 'p' })).toBe(true);
    expect(validate({ name: 'p', nope: 1 })).toBe(false);
  });
});
