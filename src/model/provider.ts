import { z } from 'zod';
import { PROVIDER_KINDS } from './closed-sets.ts';
import { HttpUrl, Id, SecretRef } from './common.ts';

export const ProviderKind = z.enum(PROVIDER_KINDS);
export type ProviderKind = z.infer<typeof ProviderKind>;

/** An upstream API account: where requests go and which credential they carry. */
export const Provider = z
  .object({
    id: Id,
    kind: ProviderKind,
    /** Base URL of the API; required for azure_openai and vllm, defaulted by the client otherwise. */
    apiBase: HttpUrl.optional(),
    /** Azure OpenAI API version, e.g. 2024-10-21. */
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'must look like 2024-10-21 or 2024-10-01-preview')
      .optional(),
    region: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be letters, digits, ".", "_" or "-" (max 63 chars)')
      .optional(),
    /** Credential as a secret reference; local vLLM servers may run without one. */
    apiKey: SecretRef.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.kind === 'azure_openai' && !p.apiVersion)
      ctx.addIssue({ code: 'custom', path: ['apiVersion'], message: 'azure_openai providers need an apiVersion' });
    if ((p.kind === 'azure_openai' || p.kind === 'vllm') && !p.apiBase)
      ctx.addIssue({ code: 'custom', path: ['apiBase'], message: `${p.kind} providers need an apiBase` });
    if (p.kind !== 'vllm' && !p.apiKey) ctx.addIssue({ code: 'custom', path: ['apiKey'], message: `${p.kind} providers need an apiKey secret reference` });
  });
export type Provider = z.infer<typeof Provider>;
export type ProviderInput = z.input<typeof Provider>;
