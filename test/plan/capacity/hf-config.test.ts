/**
 * Hugging Face config.json -> the figures the capacity arithmetic needs, or
 * why the estimate does not apply. The dense configs are the published ones
 * (Llama 3.1 8B as quoted in /work/shared/fixtures/vllm/model_architectures.json;
 * Qwen2.5-7B with its sliding_window switched off); the others carry the keys
 * their families use (Mixtral num_local_experts, DeepSeek-V3 kv_lora_rank and
 * n_routed_experts, Gemma 2 / Qwen3-Next layer_types, Jamba-style state-space
 * settings).
 */
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/capacity/catalog.ts';
import { architectureFromHfConfig } from '../../../src/plan/capacity/hf-config.ts';
import { parameterCounts } from '../../../src/capacity/weights.ts';

const LLAMA_31_8B = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  head_dim: 128,
  vocab_size: 128256,
  max_position_embeddings: 131072,
  rope_theta: 500000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

describe('architectureFromHfConfig', () => {
  it('reads a dense GQA config into the same figures as the catalog entry', () => {
    const r = architectureFromHfConfig(LLAMA_31_8B);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const cat = findModel('meta-llama/Llama-3.1-8B-Instruct')!;
    for (const k of [
      'layers',
      'attentionHeads',
      'kvHeads',
      'headDim',
      'hiddenSize',
      'intermediateSize',
      'vocabSize',
      'maxPositionEmbeddings',
      'torchDtype',
    ] as const)
      expect(r.architecture[k], k).toBe(cat[k]);
    // No parameter count in config.json: the one the figures give, within 1% of the published 8.03B.
    expect(r.architecture.parameters).toBe(parameterCounts(cat).total);
    expect(Math.abs(r.architecture.parameters / 8.03e9 - 1)).toBeLessThan(0.01);
    expect(r.architecture.quantization).toBeUndefined();
  });

  it('defaults kv heads to attention heads (multi-head attention) and head_dim to hidden / heads', () => {
    const { num_key_value_heads: _kv, head_dim: _hd, ...mha } = LLAMA_31_8B;
    const r = architectureFromHfConfig(mha);
    expect(r.ok && [r.architecture.kvHeads, r.architecture.headDim]).toEqual([32, 128]);
  });

  it('reads the quantization of a quantized checkpoint, and refuses a method vLLM has no flag for here', () => {
    const awq = architectureFromHfConfig({ ...LLAMA_31_8B, torch_dtype: 'float16', quantization_config: { quant_method: 'awq', bits: 4, group_size: 128 } });
    expect(awq.ok && [awq.architecture.quantization, awq.architecture.torchDtype]).toEqual(['awq', 'float16']);
    const hqq = architectureFromHfConfig({ ...LLAMA_31_8B, quantization_config: { quant_method: 'hqq' } });
    expect(hqq).toMatchObject({ ok: false, kind: 'invalid' });
  });

  it('takes a sliding window that is switched off (Qwen2.5) as dense, and one that is on as not dense', () => {
    const qwen = {
      ...LLAMA_31_8B,
      num_hidden_layers: 28,
      num_attention_heads: 28,
      num_key_value_heads: 4,
      hidden_size: 3584,
      head_dim: undefined,
      sliding_window: 131072,
      use_sliding_window: false,
      max_position_embeddings: 32768,
    };
    const r = architectureFromHfConfig(qwen);
    expect(r.ok && r.architecture.headDim).toBe(128);
    expect(architectureFromHfConfig({ ...qwen, use_sliding_window: true, sliding_window: 4096 })).toMatchObject({ ok: false, kind: 'not-dense' });
  });

  it.each([
    ['mixture of experts (Mixtral)', { num_local_experts: 8, num_experts_per_tok: 2 }, 'mixture-of-experts'],
    ['mixture of experts (Qwen3 MoE)', { num_experts: 128, moe_intermediate_size: 768 }, 'mixture-of-experts'],
    ['latent attention (DeepSeek-V3)', { kv_lora_rank: 512 }, 'multi-head latent attention'],
    ['hybrid layers (layer_types)', { layer_types: ['full_attention', 'linear_attention', 'full_attention'] }, 'hybrid'],
    ['hybrid state-space layers', { ssm_state_size: 16 }, 'hybrid'],
  ])('says clearly when the estimate does not apply: %s', (_, extra, words) => {
    const r = architectureFromHfConfig({ ...LLAMA_31_8B, ...extra });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('not-dense');
    expect(r.reason).toContain(words);
  });

  it('accepts a dense config that merely says num_experts: 1 or null', () => {
    expect(architectureFromHfConfig({ ...LLAMA_31_8B, num_experts: null }).ok).toBe(true);
    expect(architectureFromHfConfig({ ...LLAMA_31_8B, num_local_experts: 1 }).ok).toBe(true);
  });

  it('reads the decoder of a multimodal config from text_config', () => {
    const r = architectureFromHfConfig({ architectures: ['LlavaForConditionalGeneration'], text_config: LLAMA_31_8B });
    expect(r.ok && r.architecture.layers).toBe(32);
  });

  it('names what is missing or malformed', () => {
    expect(architectureFromHfConfig([1, 2])).toMatchObject({ ok: false, reason: 'config.json must hold a JSON object' });
    const r = architectureFromHfConfig({ ...LLAMA_31_8B, num_hidden_layers: -1, torch_dtype: 'int8' });
    expect(r).toMatchObject({ ok: false, kind: 'invalid' });
    expect(!r.ok && r.reason).toBe('config.json lacks num_hidden_layers, torch_dtype (or they are not positive integers)');
    expect(architectureFromHfConfig({ ...LLAMA_31_8B, num_key_value_heads: 5 })).toMatchObject({
      ok: false,
      reason: 'num_key_value_heads 5 does not divide num_attention_heads 32',
    });
  });
});
