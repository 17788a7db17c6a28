import { z } from 'zod';
import { DTYPES, KV_CACHE_DTYPES, QUANTIZATIONS } from './closed-sets.ts';
import { Count, Host, Id, LIMITS, Text } from './common.ts';

export const Dtype = z.enum(DTYPES);
export const Quantization = z.enum(QUANTIZATIONS);
export const KvCacheDtype = z.enum(KV_CACHE_DTYPES);

/** One model served by vLLM on a pool. */
export const PoolModel = z
  .object({
    /**
     * Catalog id of the model, e.g. meta-llama/Llama-3.1-8B-Instruct (or a path). It is vLLM's positional argument
     * and one word of `vllm serve $(jq -r '.[]' args.json)`, so no spaces, glob characters or leading `-`.
     */
    model: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z0-9_./:@+~=][A-Za-z0-9_./:@+~=-]*$/, 'must be a model id or path: letters, digits and _ . / : @ + ~ = -, not starting with "-"'),
    /** Name clients and deployments use for it; defaults to the last part of `model`, lowercased. */
    servedName: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
        'must start with a letter or digit (vLLM would read a leading - as a flag), then letters, digits, ".", "_" or "-" (max 128 chars)',
      )
      .optional(),
    dtype: Dtype.default('auto'),
    quantization: Quantization.optional(),
    kvCacheDtype: KvCacheDtype.default('auto'),
    tensorParallel: Count(LIMITS.gpus).default(1),
    /**
     * Other pools whose GPUs join this model's tensor-parallel group, for a
     * model too large for one pool (e.g. a 70B model over two single-GPU pools).
     */
    spansPools: z.array(Id).default([]),
    gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
    /** Cap below the pool's max context; defaults to the pool's max context. */
    maxModelLen: Count(LIMITS.tokens).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    expected: z
      .object({
        promptTokens: Count(LIMITS.tokens),
        completionTokens: Count(LIMITS.tokens),
      })
      .strict(),
  })
  .strict();
export type PoolModel = z.infer<typeof PoolModel>;

/** GPUs of one kind on one host, running vLLM. */
export const GpuPool = z
  .object({
    id: Id,
    gpu: z
      .object({
        model: Text(128).min(1),
        vramGb: z.number().positive().max(LIMITS.vramGb),
        count: Count(LIMITS.gpus).default(1),
      })
      .strict(),
    maxContext: Count(LIMITS.tokens),
    /** Where vLLM listens (`--host`): a host name or IP address. */
    host: Host.default('0.0.0.0'),
    models: z.array(PoolModel).min(1, 'a GPU pool must serve at least one model'),
  })
  .strict();
export type GpuPool = z.infer<typeof GpuPool>;
export type GpuPoolInput = z.input<typeof GpuPool>;
