import { z } from 'zod';
import { QUANTIZATIONS } from './closed-sets.ts';
import { PositiveInt } from './common.ts';

/** The dtypes a checkpoint's weights are stored in (config.json torch_dtype). */
export const CHECKPOINT_DTYPES = ['bfloat16', 'float16', 'float32'] as const;

/** Why a model that is not a dense decoder cannot be planned; the loader says the same of a config.json. */
export const NOT_DENSE_CONSEQUENCE = 'the capacity estimate covers dense decoders with full attention in every layer only, so its GPU memory cannot be planned';
export const NOT_DENSE_HINT = 'serve it with settings sized by hand outside Switchyard, or plan a dense model';

/**
 * A dense decoder's shape, as its Hugging Face config.json states it: all the
 * GPU memory arithmetic needs (src/capacity). Mixture-of-experts and hybrid
 * (sliding-window, linear-attention or state-space layers) models size their
 * weights and caches differently and cannot be planned: the fields that would
 * describe them are accepted only to refuse them with that reason, rather
 * than as unknown keys.
 */
export const Architecture = z
  .object({
    /** num_hidden_layers */
    layers: PositiveInt,
    /** num_attention_heads */
    attentionHeads: PositiveInt,
    /** num_key_value_heads (grouped-query attention); equal to attentionHeads for multi-head attention. */
    kvHeads: PositiveInt,
    /** head_dim; defaults to hiddenSize / attentionHeads. */
    headDim: PositiveInt.optional(),
    /** hidden_size */
    hiddenSize: PositiveInt,
    /** intermediate_size (the MLP width) */
    intermediateSize: PositiveInt,
    /** vocab_size */
    vocabSize: PositiveInt,
    /** max_position_embeddings */
    maxPositionEmbeddings: PositiveInt,
    /** torch_dtype: what `dtype: auto` resolves to. */
    dtype: z.enum(CHECKPOINT_DTYPES),
    /** tie_word_embeddings: the LM head shares the input embedding. */
    tiedEmbeddings: z.boolean().default(false),
    /** Published parameter count; defaults to the count the figures above give. */
    parameters: z.number().positive().finite().optional(),
    /** num_local_experts / num_experts: more than 1 is a mixture of experts, refused. */
    experts: PositiveInt.optional(),
    /** sliding_window: a window shorter than maxPositionEmbeddings is a sliding-window model, refused. */
    slidingWindow: PositiveInt.optional(),
    /** kv_lora_rank: multi-head latent attention, refused. */
    kvLoraRank: PositiveInt.optional(),
    /** ssm_state_size / mamba_d_state: state-space layers, refused. */
    stateSize: PositiveInt.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const refuse = (path: string, what: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message: `${what}: ${NOT_DENSE_CONSEQUENCE} (${NOT_DENSE_HINT})` });
    if (a.experts !== undefined && a.experts > 1) refuse('experts', `a mixture-of-experts model (experts: ${a.experts})`);
    if (a.slidingWindow !== undefined && a.slidingWindow < a.maxPositionEmbeddings)
      refuse('slidingWindow', `a sliding-window model (slidingWindow: ${a.slidingWindow}): its layers cache a window, not the whole context`);
    if (a.kvLoraRank !== undefined)
      refuse('kvLoraRank', `a multi-head latent attention model (kvLoraRank: ${a.kvLoraRank}): its cache holds a compressed latent, not keys and values`);
    if (a.stateSize !== undefined) refuse('stateSize', `a hybrid model (stateSize: ${a.stateSize}): some layers keep a fixed-size state instead of a KV cache`);
    if (a.kvHeads > a.attentionHeads || a.attentionHeads % a.kvHeads !== 0)
      ctx.addIssue({ code: 'custom', path: ['kvHeads'], message: 'must divide attentionHeads (each KV head serves a whole group of attention heads)' });
    if (a.headDim === undefined && a.hiddenSize % a.attentionHeads !== 0)
      ctx.addIssue({ code: 'custom', path: ['headDim'], message: 'give headDim: hiddenSize is not a multiple of attentionHeads' });
  });
export type Architecture = z.infer<typeof Architecture>;

/**
 * A path inside the repository: relative, forward slashes, no `..` segment,
 * no leading `-`, ending in .json (read by the loader with a size and time
 * limit, never fetched).
 */
export const RepoJsonPath = z
  .string()
  .max(512)
  .regex(
    /^(?!\/)(?!-)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]+\.json$/,
    'must be a relative path inside the repository (no "..", no leading "/"), ending in .json',
  );

/**
 * A model checkpoint the capacity catalog does not know, declared by the
 * policy: its architecture inline, or the path of its Hugging Face
 * config.json in the repository. Pool models name it by `id`.
 */
export const ModelDeclaration = z
  .object({
    /** The Hugging Face repository id (or local path) vLLM loads, exactly as the pool models write it. */
    id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be a Hugging Face repository id such as org/name (letters, digits, ".", "_", "-", "/")'),
    /** How the checkpoint's weights are quantized (config.json quantization_config.quant_method); absent: not quantized. */
    quantization: z.enum(QUANTIZATIONS).optional(),
    architecture: Architecture.optional(),
    /** A Hugging Face config.json in the repository, relative to the policy entry's directory. */
    configFile: RepoJsonPath.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if ((m.architecture === undefined) === (m.configFile === undefined))
      ctx.addIssue({ code: 'custom', path: [], message: 'give exactly one of architecture (inline) and configFile (a config.json in the repository)' });
  });
export type ModelDeclaration = z.infer<typeof ModelDeclaration>;
export type ModelDeclarationInput = z.input<typeof ModelDeclaration>;
