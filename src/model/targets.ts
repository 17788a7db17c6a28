import { z } from 'zod';
import { DEFAULT_LITELLM_RELEASE, LITELLM_RELEASES } from './closed-sets.ts';

export const LitellmTargetOptions = z
  .object({
    /** LiteLLM releases the proxy runs; retry keys and checks are emitted for that range. */
    release: z.enum(LITELLM_RELEASES).default(DEFAULT_LITELLM_RELEASE),
    /**
     * The proxy runs LiteLLM Enterprise (a license, `premium_user`): only then
     * are vault: secrets read through LiteLLM's HashiCorp Vault manager.
     * Without it every secret is an environment variable the deployment fills
     * (a Vault agent or a secret operator), named in the config's header.
     */
    enterprise: z.boolean().default(false),
  })
  .strict();
export type LitellmTargetOptions = z.infer<typeof LitellmTargetOptions>;

/** Options of the compile targets, for what a target cannot learn from the rest of the policy. */
export const Targets = z
  .object({
    litellm: LitellmTargetOptions.default({}),
  })
  .strict();
export type Targets = z.infer<typeof Targets>;
export type TargetsInput = z.input<typeof Targets>;
