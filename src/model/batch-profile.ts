import { z } from 'zod';
import { Fraction, Id, PositiveInt } from './common.ts';
import { Pricing } from './deployment.ts';
import { Redaction } from './redaction.ts';

export const BatchEndpoint = z.enum(['/v1/chat/completions', '/v1/embeddings', '/v1/completions', '/v1/responses']);
export const DataClass = z.enum(['public', 'internal', 'confidential', 'pii', 'financial']);

/** Metadata keys the batch runner sets on every batch it creates (journal lookup after a crash). */
export const RESERVED_METADATA_PREFIX = 'switchyard_';
/** OpenAI allows 16 metadata pairs per batch; the runner uses two of them. */
export const MAX_PROFILE_METADATA_KEYS = 14;

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
    /** OpenAI caps a batch input file at 200 MB; MB here are 10^6 bytes, the lower reading of that limit. */
    maxFileSizeMb: PositiveInt.max(200).default(200),
    dataClasses: z.array(DataClass).min(1),
    redaction: Redaction,
    /** Copied into the batch's metadata (OpenAI allows 16 pairs; the runner adds two `switchyard_` keys). */
    metadata: z.record(z.string().max(64), z.string().max(512)).default({}),
    slaHours: z.number().positive(),
    /** The tenant batch spend is attributed to in the request log; the profile itself (`batch:<id>`) when absent. */
    tenant: Id.optional(),
    /**
     * USD per 1M tokens at the batch rate. When absent, the price of the plan
     * deployment of the same provider and model, less batchDiscount.
     */
    pricing: Pricing.optional(),
    /** Share taken off the synchronous price by the provider's Batch API (OpenAI: 50%). */
    batchDiscount: Fraction.default(0.5),
  })
  .strict()
  .superRefine((b, ctx) => {
    const keys = Object.keys(b.metadata);
    if (keys.length > MAX_PROFILE_METADATA_KEYS)
      ctx.addIssue({
        code: 'custom',
        path: ['metadata'],
        message: `batch metadata holds at most ${MAX_PROFILE_METADATA_KEYS} keys (OpenAI's 16 less the runner's 2)`,
      });
    for (const k of keys)
      if (k.startsWith(RESERVED_METADATA_PREFIX))
        ctx.addIssue({
          code: 'custom',
          path: ['metadata', k],
          message: `metadata keys starting with "${RESERVED_METADATA_PREFIX}" are set by the batch runner`,
        });
  });
export type BatchProfile = z.infer<typeof BatchProfile>;
export type BatchProfileInput = z.input<typeof BatchProfile>;
