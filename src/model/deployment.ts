import { z } from 'zod';
import { Duration, Id, NonNegativeNumber, PositiveInt } from './common.ts';

/** USD per one million tokens, the unit every provider's price sheet uses. */
export const Pricing = z
  .object({
    inputPer1M: NonNegativeNumber,
    outputPer1M: NonNegativeNumber,
  })
  .strict();

/** One model at one provider: the unit the router picks between. */
export const Deployment = z
  .object({
    id: Id,
    provider: Id,
    /** The model name the upstream API expects (for Azure: the deployment name). */
    model: z.string().min(1),
    /**
     * For azure_openai: the OpenAI model behind the Azure deployment name
     * (e.g. gpt-4o), which LiteLLM prices and context-checks by; defaults to
     * `model`, for deployments named after their model.
     */
    baseModel: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be a model name such as gpt-4o')
      .max(100)
      .optional(),
    contextWindow: PositiveInt,
    rpm: PositiveInt.optional(),
    tpm: PositiveInt.optional(),
    pricing: Pricing,
    /** Share of traffic within its group for weighted and usage-based strategies. */
    weight: z.number().finite().default(1),
    /** Position for the ordered strategy; lower goes first. */
    order: z.number().int().nonnegative().optional(),
    /** For vllm deployments: the GPU pool that serves this model. */
    pool: Id.optional(),
    timeout: Duration.optional(),
    tags: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type Deployment = z.infer<typeof Deployment>;
export type DeploymentInput = z.input<typeof Deployment>;
