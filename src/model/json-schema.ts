/**
 * The JSON Schema of the policy language, derived from the zod schemas so the
 * two never disagree. YAML/JSON policies are validated against the committed
 * copy (schemas/policy.schema.json) and editors use it for completion; a test
 * fails when that copy is stale.
 */
import { zodToJsonSchema } from 'zod-to-json-schema';
import { Policy } from './policy.ts';

const POLICY_SCHEMA_ID = 'https://switchyard.dev/schemas/policy.schema.json';

/** Draft-07, fully inlined: ajv validates it without extra formats, and error paths stay readable. */
export function policyJsonSchema(): Record<string, unknown> {
  const generated = zodToJsonSchema(Policy, { target: 'jsonSchema7', $refStrategy: 'none' }) as Record<string, unknown>;
  const { $schema, ...body } = generated;
  return {
    $schema: $schema ?? 'http://json-schema.org/draft-07/schema#',
    $id: POLICY_SCHEMA_ID,
    title: 'Switchyard policy',
    description: 'Routing policies, GPU pools and batch profiles of one Switchyard deployment.',
    ...body,
  };
}

/** The exact content of schemas/policy.schema.json: 2-space JSON with a final newline. */
export function renderPolicySchema(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}
