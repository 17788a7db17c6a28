/**
 * The architectures the capacity arithmetic knows: what a config.json says
 * about layers, heads and widths, which is all that weight and KV-cache sizes
 * depend on. Figures are those of the models' published config.json files
 * (for the two Llama 3.1 models as collected in
 * /work/shared/fixtures/vllm/model_architectures.json with their sources).
 * Only dense decoder-only models with full attention in every layer belong
 * here: sliding-window, hybrid (linear-attention) and MoE models size their
 * caches differently and would be estimated wrongly.
 */

export interface ModelArchitecture {
  /** Hugging Face id as written in policies. */
  id: string;
  /** Other ids that name the same weights (older repository names). */
  aliases?: readonly string[];
  layers: number;
  attentionHeads: number;
  kvHeads: number;
  headDim: number;
  hiddenSize: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositionEmbeddings: number;
  /** Input embedding and LM head share one matrix (counted once). */
  tiedEmbeddings: boolean;
  /** Published parameter count, a cross-check of the count derived from the figures above. */
  parameters: number;
  /** What `dtype: auto` resolves to: the checkpoint's torch_dtype. */
  torchDtype: 'bfloat16' | 'float16' | 'float32';
}

const LLAMA_31_70B = {
  layers: 80,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  hiddenSize: 8192,
  intermediateSize: 28_672,
  vocabSize: 128_256,
  maxPositionEmbeddings: 131_072,
  tiedEmbeddings: false,
  parameters: 70.6e9,
  torchDtype: 'bfloat16',
} as const;

export const CATALOG: readonly ModelArchitecture[] = [
  {
    id: 'meta-llama/Llama-3.1-8B-Instruct',
    aliases: ['meta-llama/Meta-Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B', 'meta-llama/Meta-Llama-3-8B-Instruct', 'meta-llama/Meta-Llama-3-8B'],
    layers: 32,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 4096,
    intermediateSize: 14_336,
    vocabSize: 128_256,
    maxPositionEmbeddings: 131_072,
    tiedEmbeddings: false,
    parameters: 8.03e9,
    torchDtype: 'bfloat16',
  },
  {
    id: 'meta-llama/Llama-3.1-70B-Instruct',
    aliases: ['meta-llama/Meta-Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-70B'],
    ...LLAMA_31_70B,
  },
  // Same architecture as 3.1 70B (a post-training update of it).
  { id: 'meta-llama/Llama-3.3-70B-Instruct', ...LLAMA_31_70B },
  {
    id: 'meta-llama/Llama-3.2-3B-Instruct',
    layers: 28,
    attentionHeads: 24,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 3072,
    intermediateSize: 8192,
    vocabSize: 128_256,
    maxPositionEmbeddings: 131_072,
    tiedEmbeddings: true,
    parameters: 3.21e9,
    torchDtype: 'bfloat16',
  },
  {
    id: 'meta-llama/Llama-3.2-1B-Instruct',
    layers: 16,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 64,
    hiddenSize: 2048,
    intermediateSize: 8192,
    vocabSize: 128_256,
    maxPositionEmbeddings: 131_072,
    tiedEmbeddings: true,
    parameters: 1.24e9,
    torchDtype: 'bfloat16',
  },
  {
    id: 'mistralai/Mistral-7B-Instruct-v0.3',
    layers: 32,
    attentionHeads: 32,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 4096,
    intermediateSize: 14_336,
    vocabSize: 32_768,
    maxPositionEmbeddings: 32_768,
    tiedEmbeddings: false,
    parameters: 7.25e9,
    torchDtype: 'bfloat16',
  },
  {
    id: 'Qwen/Qwen2.5-7B-Instruct',
    layers: 28,
    attentionHeads: 28,
    kvHeads: 4,
    headDim: 128,
    hiddenSize: 3584,
    intermediateSize: 18_944,
    vocabSize: 152_064,
    maxPositionEmbeddings: 32_768,
    tiedEmbeddings: false,
    parameters: 7.62e9,
    torchDtype: 'bfloat16',
  },
  {
    id: 'Qwen/Qwen2.5-14B-Instruct',
    layers: 48,
    attentionHeads: 40,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 5120,
    intermediateSize: 13_824,
    vocabSize: 152_064,
    maxPositionEmbeddings: 32_768,
    tiedEmbeddings: false,
    parameters: 14.7e9,
    torchDtype: 'bfloat16',
  },
  {
    id: 'Qwen/Qwen2.5-32B-Instruct',
    layers: 64,
    attentionHeads: 40,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 5120,
    intermediateSize: 27_648,
    vocabSize: 152_064,
    maxPositionEmbeddings: 32_768,
    tiedEmbeddings: false,
    parameters: 32.8e9,
    torchDtype: 'bfloat16',
  },
  {
    id: 'Qwen/Qwen2.5-72B-Instruct',
    layers: 80,
    attentionHeads: 64,
    kvHeads: 8,
    headDim: 128,
    hiddenSize: 8192,
    intermediateSize: 29_568,
    vocabSize: 152_064,
    maxPositionEmbeddings: 32_768,
    tiedEmbeddings: false,
    parameters: 72.7e9,
    torchDtype: 'bfloat16',
  },
];

const BY_ID: ReadonlyMap<string, ModelArchitecture> = new Map(CATALOG.flatMap((m) => [m.id, ...(m.aliases ?? [])].map((id) => [id.toLowerCase(), m] as const)));

/** Hugging Face ids are case-insensitive on the hub, so lookups are too. */
export function findModel(id: string): ModelArchitecture | undefined {
  return BY_ID.get(id.toLowerCase());
}

export function catalogIds(): string[] {
  return CATALOG.map((m) => m.id);
}
