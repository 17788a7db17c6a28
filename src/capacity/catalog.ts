/**
 * The checkpoints the capacity arithmetic knows: what a config.json says
 * about layers, heads and widths, which is all that weight and KV-cache sizes
 * depend on, and how the checkpoint's weights are stored (its
 * quantization_config, which vLLM reads and which decides what
 * `--quantization` it accepts). Figures are those of the models' published
 * config.json files (for the two Llama 3.1 models as collected in
 * /work/shared/fixtures/vllm/model_architectures.json with their sources).
 * Only dense decoder-only models with full attention in every layer belong
 * here: sliding-window, hybrid (linear-attention) and MoE models size their
 * caches differently and would be estimated wrongly. A policy adds its own
 * (`models`: inline, or a config.json in the repository): ModelCatalog.
 */
import type { Quantization } from '../model/closed-sets.ts';

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
  /** How the checkpoint's weights are stored (config.json quantization_config.quant_method); absent: not quantized. */
  quantization?: Quantization;
}

const LLAMA_31_8B = {
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
} as const;

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

const CATALOG_BASE: readonly ModelArchitecture[] = [
  {
    id: 'meta-llama/Llama-3.1-8B-Instruct',
    aliases: ['meta-llama/Meta-Llama-3.1-8B-Instruct', 'meta-llama/Llama-3.1-8B', 'meta-llama/Meta-Llama-3-8B-Instruct', 'meta-llama/Meta-Llama-3-8B'],
    ...LLAMA_31_8B,
  },
  {
    id: 'meta-llama/Llama-3.1-70B-Instruct',
    aliases: ['meta-llama/Meta-Llama-3.1-70B-Instruct', 'meta-llama/Llama-3.1-70B'],
    ...LLAMA_31_70B,
  },
  // Same architecture as 3.1 70B (a post-training update of it).
  { id: 'meta-llama/Llama-3.3-70B-Instruct', ...LLAMA_31_70B },
  // AWQ INT4 (group size 128) of Llama 3.1 70B Instruct by Hugging Face's hugging-quants; stored in float16.
  { id: 'hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4', ...LLAMA_31_70B, torchDtype: 'float16', quantization: 'awq' },
  // FP8 (dynamic activation scales) of Llama 3.3 70B Instruct by Red Hat AI.
  { id: 'RedHatAI/Llama-3.3-70B-Instruct-FP8-dynamic', ...LLAMA_31_70B, quantization: 'fp8' },
  { id: 'hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4', ...LLAMA_31_8B, torchDtype: 'float16', quantization: 'awq' },
  { id: 'hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4', ...LLAMA_31_8B, torchDtype: 'float16', quantization: 'gptq' },
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

/** Qwen's own AWQ checkpoints of the Qwen2.5 Instruct models above (Qwen/<name>-AWQ), stored in float16. */
const QWEN_AWQ: readonly ModelArchitecture[] = ['7B', '14B', '32B', '72B'].map((size) => {
  const base = CATALOG_BASE.find((m) => m.id === `Qwen/Qwen2.5-${size}-Instruct`)!;
  return { ...base, id: `${base.id}-AWQ`, torchDtype: 'float16', quantization: 'awq' } satisfies ModelArchitecture;
});

export const CATALOG: readonly ModelArchitecture[] = [...CATALOG_BASE, ...QWEN_AWQ];

const BY_ID: ReadonlyMap<string, ModelArchitecture> = new Map(CATALOG.flatMap((m) => [m.id, ...(m.aliases ?? [])].map((id) => [id.toLowerCase(), m] as const)));

/** Hugging Face ids are case-insensitive on the hub, so lookups are too. */
export function findModel(id: string): ModelArchitecture | undefined {
  return BY_ID.get(id.toLowerCase());
}

function catalogIds(): string[] {
  return CATALOG.map((m) => m.id);
}

/** The checkpoints one compilation can size: the built-in ones and a policy's own. */
export interface ModelCatalog {
  find(id: string): ModelArchitecture | undefined;
  ids(): string[];
}

/** The built-in catalog with `declared` added; a declared id replaces a built-in one (the policy knows its checkpoint). */
export function modelCatalog(declared: readonly ModelArchitecture[] = []): ModelCatalog {
  const own = new Map(declared.map((m) => [m.id.toLowerCase(), m] as const));
  return {
    find: (id) => own.get(id.toLowerCase()) ?? findModel(id),
    ids: () => [...declared.map((m) => m.id), ...catalogIds().filter((id) => !own.has(id.toLowerCase()))],
  };
}

/** Same layers, heads and widths: the checkpoints are one model stored differently. */
export function sameArchitecture(a: ModelArchitecture, b: ModelArchitecture): boolean {
  return (
    a.layers === b.layers &&
    a.attentionHeads === b.attentionHeads &&
    a.kvHeads === b.kvHeads &&
    a.headDim === b.headDim &&
    a.hiddenSize === b.hiddenSize &&
    a.intermediateSize === b.intermediateSize &&
    a.vocabSize === b.vocabSize
  );
}
