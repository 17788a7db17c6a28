import { z } from 'zod';
import { Description, Id, ModelName, PositiveInt, Text } from './common.ts';

export const BatchEndpoint = z.enum(['/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/responses']);
export const DataClass = z.enum(['public', 'internal', 'confidential', 'pii', 'financial']);

/** Why `pattern` does not compile as the batch runner compiles it (`new RegExp(pattern, 'g')`), or undefined. */
function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'g');
    return undefined;
  } catch (e) {
    // V8 quotes the pattern; only the reason is kept (a value is never echoed back)
    return (e as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '');
  }
}

export const RedactionRule = z
  .object({
    name: Id,
    /**
     * ECMAScript regular expression matched against every string in a request body; compiled when the policy is validated.
     * Control characters are written as escapes (`\n`, `\u202e`), as in any other policy string.
     */
    pattern: Text(1000)
      .min(1)
      .superRefine((pattern, ctx) => {
        const problem = regexProblem(pattern);
        if (problem) ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${problem}` });
      }),
    replacement: Text(256).default('[REDACTED]'),
  })
  .strict();

/** An asynchronous job type sent through a provider's Batch API. */
export const BatchProfile = z
  .object({
    id: Id,
    description: Description.optional(),
    provider: Id,
    endpoint: BatchEndpoint.default('/v1/chat/completions'),
    /** Upstream model name sent in each request line. */
    model: ModelName,
    completionWindow: z
      .string()
      .regex(/^[0-9]+h$/, 'must be hours, e.g. 24h')
      .refine((w) => Number(w.slice(0, -1)) >= 1 && Number(w.slice(0, -1)) <= 720, 'must be from 1h to 720h')
      .default('24h'),
    /** OpenAI caps a batch input file at 50,000 requests. */
    maxRequestsPerFile: PositiveInt.max(50_000).default(50_000),
    dataClasses: z.array(DataClass).min(1),
    redaction: z
      .object({
        enabled: z.boolean(),
        rules: z.array(RedactionRule).default([]),
      })
      .strict(),
    /** Copied into the batch's metadata (OpenAI allows 16 keys). */
    metadata: z.record(Text(64).min(1), Text(512)).default({}),
    slaHours: z.number().positive().max(8760),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (Object.keys(b.metadata).length > 16) ctx.addIssue({ code: 'custom', path: ['metadata'], message: 'batch metadata holds at most 16 keys' });
  });
export type BatchProfile = z.infer<typeof BatchProfile>;
export type BatchProfileInput = z.input<typeof BatchProfile>;
