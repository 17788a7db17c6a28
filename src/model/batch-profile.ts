import { z } from 'zod';
import { Id, PositiveInt } from './common.ts';

export const BatchEndpoint = z.enum(['/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/responses']);
export const DataClass = z.enum(['public', 'internal', 'confidential', 'pii', 'financial']);

export const RedactionRule = z
  .object({
    name: Id,
    /** ECMAScript regular expression matched against every string in a request body. */
    pattern: z.string().min(1),
    replacement: z.string().default('[REDACTED]'),
  })
  .strict();

/** An asynchronous job type sent through a provider's Batch API. */
export const BatchProfile = z
  .object({
    id: Id,
    description: z.string().optional(),
    provider: Id,
    endpoint: BatchEndpoint.default('/v1/chat/completions'),
    /** Upstream model name sent in each request line. */
    model: z.string().min(1),
    completionWindow: z
      .string()
      .regex(/^[0-9]+h$/, 'must be hours, e.g. 24h')
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
    metadata: z.record(z.string().max(512)).default({}),
    slaHours: z.number().positive(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (Object.keys(b.metadata).length > 16) ctx.addIssue({ code: 'custom', path: ['metadata'], message: 'batch metadata holds at most 16 keys' });
  });
export type BatchProfile = z.infer<typeof BatchProfile>;
export type BatchProfileInput = z.input<typeof BatchProfile>;
