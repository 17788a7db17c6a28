/**
 * Bytes per element for the dtypes a vLLM engine is configured with, and
 * bytes per weight for the quantization methods.
 */
import type { Dtype, KvCacheDtype, Quantization } from '../model/closed-sets.ts';
import type { ModelArchitecture } from './catalog.ts';

export type { Dtype, KvCacheDtype, Quantization };

const DTYPE_BYTES: Readonly<Record<Exclude<Dtype, 'auto'>, number>> = { bfloat16: 2, float16: 2, float32: 4 };

/** Bytes of one activation / unquantized weight element; `auto` is the checkpoint's own dtype. */
export function dtypeBytes(dtype: Dtype, arch: Pick<ModelArchitecture, 'torchDtype'>): number {
  return DTYPE_BYTES[dtype === 'auto' ? arch.torchDtype : dtype];
}

/** KV-cache element size: `auto` stores K and V in the activation dtype; every fp8 variant is one byte. */
export function kvDtypeBytes(kv: KvCacheDtype, dtype: Dtype, arch: Pick<ModelArchitecture, 'torchDtype'>): number {
  return kv === 'auto' ? dtypeBytes(dtype, arch) : 1;
}

/**
 * Bytes per parameter of a quantized linear layer, metadata included, as the
 * common checkpoints store them (vLLM keeps that size when it repacks them for
 * its Marlin kernels):
 * - awq, gptq: 4-bit weights in groups of 128, one fp16 scale and one packed
 *   4-bit zero point per group: 0.5 + 2/128 + 0.5/128 = 0.5195 B;
 * - fp8: one byte per weight plus per-channel scales (negligible);
 * - bitsandbytes: 4-bit NF4 in blocks of 64 with an fp32 absmax per block
 *   (no double quantization assumed): 0.5 + 4/64 = 0.5625 B.
 * Embeddings, the LM head and norms stay in the activation dtype.
 */
export const QUANTIZED_BYTES_PER_PARAM: Readonly<Record<Quantization, number>> = {
  awq: 0.5 + 2 / 128 + 0.5 / 128,
  gptq: 0.5 + 2 / 128 + 0.5 / 128,
  fp8: 1,
  bitsandbytes: 0.5 + 4 / 64,
};

/** vLLM runs AWQ and GPTQ kernels in float16, whatever the checkpoint says. */
export function activationDtype(dtype: Dtype, quantization: Quantization | null): Dtype {
  if (dtype === 'auto' && (quantization === 'awq' || quantization === 'gptq')) return 'float16';
  return dtype;
}
