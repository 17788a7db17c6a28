import { z } from 'zod';
import { GroupName, Id, NonNegativeNumber, PositiveInt, SecretRef } from './common.ts';

/** A team or product that sends traffic; every request is attributed to one. */
export const Tenant = z
  .object({
    id: Id,
    description: z.string().optional(),
    apiKeys: z.array(SecretRef).min(1, 'a tenant needs at least one API key reference'),
    allowedGroups: z.array(GroupName).min(1, 'a tenant must be allowed at least one model group'),
    rpm: PositiveInt.optional(),
    tpm: PositiveInt.optional(),
    monthlyBudgetUsd: NonNegativeNumber.optional(),
  })
  .strict();
export type Tenant = z.infer<typeof Tenant>;
export type TenantInput = z.input<typeof Tenant>;
