import { z } from 'zod';
import { SecretRef } from './common.ts';

/**
 * Where routers keep breaker state, usage windows and latency averages.
 * `memory` is per process; `redis` is shared by every router replica.
 */
export const RouterState = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memory') }).strict(),
  z
    .object({
      kind: z.literal('redis'),
      /** redis://user:password@host:port/db, read from a secret because it carries the password. */
      url: SecretRef,
      keyPrefix: z
        .string()
        .max(64)
        .regex(/^[A-Za-z0-9:_-]*$/, 'must be letters, digits, ":", "_" or "-"')
        .default('switchyard:'),
      cluster: z.boolean().default(false),
    })
    .strict(),
]);
export type RouterState = z.infer<typeof RouterState>;
export type RouterStateInput = z.input<typeof RouterState>;
