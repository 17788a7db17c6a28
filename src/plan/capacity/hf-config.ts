/**
 * A Hugging Face config.json as the capacity arithmetic needs it: the figures
 * of a dense decoder (ModelArchitecture), or why the estimate does not apply.
 * Pure: the loader reads the file (size and time limits) and passes the
 * parsed JSON here.
 *
 * What makes the estimate wrong, and so is refused with its reason:
 * - mixture of experts (num_local_experts, num_experts, n_routed_experts,
 *   moe_intermediate_size): only some experts' weights are active per token,
 *   and vLLM shards experts differently from dense MLPs;
 * - hybrid layers (layer_types other than full attention, an enabled
 *   sliding_window, state-space or linear-attention settings): vLLM keeps a
 *   fixed-size state or a window instead of a KV entry per token in those layers;
 * - multi-head latent attention (kv_lora_rank): the cache holds a compressed
 *   latent, not keys and values per head.
 */
import type { ModelArchitecture } from '../../capacity/catalog.ts';
import { parameterCounts } from '../../capacity/weights.ts';
import type { Quantization } from '../../model/closed-sets.ts';

export type HfConfigResult = { ok: true; architecture: Omit<ModelArchitecture, 'id'> } | { ok: false; kind: 'not-dense' | 'invalid'; reason: string };

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const posInt = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined);

const MOE_KEYS = ['num_local_experts', 'num_experts', 'n_routed_experts', 'moe_intermediate_size', 'num_experts_per_tok'] as const;
const STATE_SPACE_KEYS = [
  'ssm_state_size',
  'mamba_d_state',
  'mamba_expand',
  'linear_attn_config',
  'hybrid_override_pattern',
  'attn_layer_indices',
  'full_attention_interval',
] as const;

const DTYPES = { bfloat16: 'bfloat16', float16: 'float16', float32: 'float32', half: 'float16', float: 'float32' } as const;

/** quant_method values of quantization_config that are our --quantization methods. */
const QUANT_METHODS: Readonly<Record<string, Quantization>> = { awq: 'awq', gptq: 'gptq', fp8: 'fp8', bitsandbytes: 'bitsandbytes' };

/** Multimodal and some newer configs keep the decoder's figures under text_config. */
function decoderConfig(c: Json): Json {
  return isObj(c.text_config) ? { ...c, ...c.text_config } : c;
}

function notDense(c: Json): string | null {
  for (const k of MOE_KEYS) {
    const v = c[k];
    if (v !== undefined && v !== null && !(typeof v === 'number' && v <= 1)) return `a mixture-of-experts model (${k}: ${JSON.stringify(v)} in config.json)`;
  }
  if (c.kv_lora_rank !== undefined && c.kv_lora_rank !== null)
    return `a multi-head latent attention model (kv_lora_rank: ${JSON.stringify(c.kv_lora_rank)}): its cache holds a compressed latent, not keys and values`;
  for (const k of STATE_SPACE_KEYS)
    if (c[k] !== undefined && c[k] !== null) return `a hybrid model (${k} in config.json): some layers keep a fixed-size state instead of a KV cache`;
  if (Array.isArray(c.layer_types)) {
    const other = [...new Set(c.layer_types.filter((t) => t !== 'full_attention'))];
    if (other.length > 0) return `a hybrid model (layer_types has ${other.map((t) => JSON.stringify(t)).join(', ')} besides full attention)`;
  }
  const window = posInt(c.sliding_window);
  const maxPos = posInt(c.max_position_embeddings);
  if (window !== undefined && c.use_sliding_window !== false && (maxPos === undefined || window < maxPos))
    return `a sliding-window model (sliding_window: ${window}): its layers cache a window, not the whole context`;
  return null;
}

export function architectureFromHfConfig(raw: unknown): HfConfigResult {
  if (!isObj(raw)) return { ok: false, kind: 'invalid', reason: 'config.json must hold a JSON object' };
  const c = decoderConfig(raw);
  const why = notDense(c);
  if (why !== null) return { ok: false, kind: 'not-dense', reason: why };
  const missing: string[] = [];
  const need = (key: string): number => {
    const v = posInt(c[key]);
    if (v === undefined) missing.push(key);
    return v ?? 1;
  };
  const layers = need('num_hidden_layers');
  const attentionHeads = need('num_attention_heads');
  const hiddenSize = need('hidden_size');
  const intermediateSize = need('intermediate_size');
  const vocabSize = need('vocab_size');
  const maxPositionEmbeddings = need('max_position_embeddings');
  // Multi-head attention configs leave num_key_value_heads out; head_dim defaults to hidden / heads in transformers.
  const kvHeads = c.num_key_value_heads === undefined || c.num_key_value_heads === null ? attentionHeads : need('num_key_value_heads');
  const headDim = c.head_dim === undefined || c.head_dim === null ? Math.floor(hiddenSize / attentionHeads) : need('head_dim');
  const dtypeText = typeof c.torch_dtype === 'string' ? c.torch_dtype : typeof c.dtype === 'string' ? c.dtype : undefined;
  const torchDtype = dtypeText === undefined ? undefined : DTYPES[dtypeText as keyof typeof DTYPES];
  if (torchDtype === undefined) missing.push('torch_dtype');
  if (missing.length > 0) return { ok: false, kind: 'invalid', reason: `config.json lacks ${missing.join(', ')} (or they are not positive integers)` };
  if (attentionHeads % kvHeads !== 0)
    return { ok: false, kind: 'invalid', reason: `num_key_value_heads ${kvHeads} does not divide num_attention_heads ${attentionHeads}` };
  let quantization: Quantization | undefined;
  if (isObj(c.quantization_config)) {
    const method = c.quantization_config.quant_method;
    quantization = typeof method === 'string' ? QUANT_METHODS[method] : undefined;
    if (quantization === undefined)
      return {
        ok: false,
        kind: 'invalid',
        reason: `quantization_config.quant_method ${JSON.stringify(method)} is not one of ${Object.keys(QUANT_METHODS).join(', ')}`,
      };
  }
  const shape = { layers, attentionHeads, kvHeads, headDim, hiddenSize, intermediateSize, vocabSize, tiedEmbeddings: c.tie_word_embeddings === true };
  const architecture: Omit<ModelArchitecture, 'id'> = {
    layers,
    attentionHeads,
    kvHeads,
    headDim,
    hiddenSize,
    intermediateSize,
    vocabSize,
    maxPositionEmbeddings,
    tiedEmbeddings: shape.tiedEmbeddings,
    // config.json states no parameter count: the one the figures give.
    parameters: parameterCounts({ ...shape, id: '', maxPositionEmbeddings, parameters: 0, torchDtype: torchDtype! }).total,
    torchDtype: torchDtype!,
    ...(quantization ? { quantization } : {}),
  };
  return { ok: true, architecture };
}
